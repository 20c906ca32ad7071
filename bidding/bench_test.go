package bidding_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
)

// BenchmarkProfile is the once-per-cycle precompute for one application:
// banding.Assess at close, then Rules.Profile. ns/op is per application.
func BenchmarkProfile(b *testing.B) {
	env := bidtest.New(b, "nn-2021")
	rng := rand.New(rand.NewPCG(3, 3))
	apps := make([]register.Application, 4096)
	for i := range apps {
		var opts []bidtest.AppOpt
		for range rng.IntN(4) {
			opts = append(opts, bidtest.ChildOf(rng.IntN(17), []register.Sex{register.Male, register.Female}[rng.IntN(2)]))
		}
		if rng.IntN(10) == 0 {
			opts = append(opts, bidtest.Mobility(register.MobilityLevelAccess))
		}
		opts = append(opts, bidtest.Aged(18+rng.IntN(70)))
		apps[i] = bidtest.App(int64(i+1), register.Band(1+rng.IntN(5)), "2024-01-01", "2023-01-01", opts...)
	}
	closeDay := env.CloseDate()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := &apps[i%len(apps)]
		as, err := banding.Assess(a, env.Policy, closeDay)
		if err != nil {
			b.Fatal(err)
		}
		p := env.Rules.Profile(a, &as, closeDay)
		if p.ID == 0 {
			b.Fatal("no id")
		}
	}
}

// BenchmarkEligible is one bid check on a full profile (the path Book and autobid use).
func BenchmarkEligible(b *testing.B) {
	env := bidtest.New(b, "nn-2021")
	ix := env.Index(bidtest.App(1, register.BandB, "2024-01-01", "2023-01-01"))
	ad := env.Advert(1)
	l, err := env.Rules.List(&ad)
	if err != nil {
		b.Fatal(err)
	}
	p := &ix.Profiles[0]
	for b.Loop() {
		if l.Eligible(p) != bidding.CheckNone {
			b.Fatal("ineligible")
		}
	}
}
