package simulate_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

// benchWorlds builds one world per seed (register, 52 weeks of homes and joiners), so
// iterations rotate through distinct inputs.
func benchWorlds(b *testing.B, scale func() synth.Config, cfg simulate.Config) []*simulate.World {
	var ws []*simulate.World
	for seed := uint64(1); seed <= 3; seed++ {
		sc := scale()
		sc.Seed = seed
		s, err := synth.Generate(sc)
		require.NoError(b, err)
		c := cfg
		c.Seed = seed
		w, err := simulate.NewWorld(s, c)
		require.NoError(b, err)
		ws = append(ws, w)
	}
	return ws
}

func benchCompare(b *testing.B, ws []*simulate.World) {
	base, alt := builtin(b, "nn-2021"), builtin(b, "nn-2025-proposed")
	b.ReportAllocs()
	b.ResetTimer()
	weeks, lets := 0, 0
	for i := 0; b.Loop(); i++ {
		c, err := simulate.Compare(b.Context(), ws[i%len(ws)], base, alt)
		if err != nil {
			b.Fatal(err)
		}
		weeks += 2 * c.Weeks
		lets += c.Policies[0].Lets + c.Policies[1].Lets
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(weeks), "ns/policy-week")
	b.ReportMetric(float64(lets)/float64(b.N), "lets/op")
}

// BenchmarkCompare_Keyways52 compares nn-2021 with nn-2025-proposed over 52 weekly cycles
// at Keyways scale (about 7,000 applications, 30 adverts a week).
func BenchmarkCompare_Keyways52(b *testing.B) {
	benchCompare(b, benchWorlds(b, synth.Keyways, simulate.DefaultConfig()))
}

// BenchmarkCompare_Birmingham52 is the same at Birmingham scale (24,000 applications,
// 50 adverts a week).
func BenchmarkCompare_Birmingham52(b *testing.B) {
	benchCompare(b, benchWorlds(b, synth.Birmingham, simulate.BirminghamConfig()))
}

// BenchmarkWeek_Keyways runs one Keyways cycle end to end (close, walk to lets).
func BenchmarkWeek_Keyways(b *testing.B) {
	var ins []*simulate.WeekInput
	for seed := uint64(1); seed <= 4; seed++ {
		ins = append(ins, weekInput(b, keyways(b, seed), "nn-2021", seed))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := simulate.Week(b.Context(), ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
	}
}
