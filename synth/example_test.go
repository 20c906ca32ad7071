package synth_test

import (
	"fmt"

	"github.com/cbl-lettings/cbl/synth"
)

// Generate a small seeded register: the same Config always gives the same register.
func ExampleGenerate() {
	cfg := synth.Keyways()
	cfg.Seed = 7
	cfg.Register.Applications = 400
	cfg.Supply.Cycles, cfg.Supply.AdvertsPerWeek = 1, 8
	s, err := synth.Generate(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println("applications:", len(s.Applications))
	fmt.Println("cycles:", len(s.Cycles), "adverts:", len(s.Adverts), "landlords:", len(s.Landlords))
	fmt.Println("first cycle opens", s.Cycles[0].Opens.Format("Mon 2 Jan 2006 15:04 MST"))
	// Output:
	// applications: 400
	// cycles: 1 adverts: 8 landlords: 5
	// first cycle opens Thu 3 Apr 2025 00:00 BST
}
