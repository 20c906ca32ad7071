package synth_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/synth"
)

// benchGenerate generates a whole snapshot per iteration, each from a different seed.
func benchGenerate(b *testing.B, cfg synth.Config) {
	b.ReportAllocs()
	seed := uint64(0)
	bids := 0
	for b.Loop() {
		seed++
		cfg.Seed = seed
		s, err := synth.Generate(cfg)
		if err != nil {
			b.Fatal(err)
		}
		bids += len(s.Bids)
	}
	n := float64(seed)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/float64(cfg.Register.Applications), "ns/application")
	b.ReportMetric(float64(bids)/n, "bids/op")
}

func BenchmarkGenerate(b *testing.B) {
	b.Run("keyways", func(b *testing.B) { benchGenerate(b, synth.Keyways()) })
	b.Run("birmingham", func(b *testing.B) { benchGenerate(b, synth.Birmingham()) })
	b.Run("england", func(b *testing.B) {
		if testing.Short() {
			b.Skip("England scale takes seconds an iteration")
		}
		benchGenerate(b, synth.England())
	})
}

// BenchmarkBids places one Keyways cycle's bids for a held register, rotating through
// the cycles of a multi-cycle snapshot.
func BenchmarkBids(b *testing.B) {
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 8
	s, err := synth.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	p := nn2021(b)
	b.ReportAllocs()
	i, bids := 0, 0
	for b.Loop() {
		c := s.Cycles[i%len(s.Cycles)]
		i++
		out, err := synth.Bids(cfg, p, s.Applications, c, s.Adverts)
		if err != nil {
			b.Fatal(err)
		}
		bids += len(out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(bids), "ns/bid")
}
