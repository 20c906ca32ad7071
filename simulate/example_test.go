package simulate_test

import (
	"context"
	"fmt"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/synth"
)

// Run a small register for two weeks under the scheme in force: the same seed gives
// the same figures.
func ExampleRun() {
	sc := synth.Keyways()
	sc.Seed = 7
	sc.Register.Applications = 400
	sc.Supply.Cycles, sc.Supply.AdvertsPerWeek = 1, 8
	reg, err := synth.Generate(sc)
	if err != nil {
		panic(err)
	}
	cfg := simulate.ConfigFor(sc)
	cfg.Seed, cfg.Weeks = 7, 2
	w, err := simulate.NewWorld(reg, cfg)
	if err != nil {
		panic(err)
	}
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	r, err := simulate.Run(context.Background(), w, p)
	if err != nil {
		panic(err)
	}
	for _, wk := range r.Weeks {
		fmt.Printf("cycle %d: %d adverts, %d bids, %d autobids, %d lets\n", wk.Cycle, wk.Adverts, wk.ManualBids, wk.Autobids, wk.Lets)
	}
	fmt.Println("housed:", len(r.Housed), "on the register at the end:", r.Register)
	// Output:
	// cycle 2: 8 adverts, 126 bids, 12 autobids, 8 lets
	// cycle 3: 8 adverts, 131 bids, 8 autobids, 7 lets
	// housed: 15 on the register at the end: 578
}
