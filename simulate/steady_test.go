package simulate_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/simulate"
	"github.com/stretchr/testify/require"
)

// docs/scheme.md is silent on flows (S10.1 gives the figures), but a policy comparison means something only on a
// register roughly in steady state under the policy in force: over a year at Keyways
// scale under nn-2021, new joiners (synth's joiner_bands, the flow's mix) and changes
// of circumstances replace the Band A households housed, so Band A stays within 30% of
// its first week and the register within 15% of its size.
func TestSteadyState_KeywaysYearUnderNN2021(t *testing.T) {
	if testing.Short() {
		t.Skip("a 52-week Keyways run")
	}
	w := world(t, keyways(t, 1), 52)
	r, err := simulate.Run(t.Context(), w, builtin(t, "nn-2021"))
	require.NoError(t, err)
	require.Len(t, r.Weeks, 52)
	first := r.Weeks[0]
	for _, k := range []int{0, 12, 25, 38, 51} {
		wk := r.Weeks[k]
		t.Logf("week %2d: register %d, bands A %d B %d C %d D %d E %d none %d; joined %d left %d changed %d lets %d",
			k+1, wk.Applications, wk.Bands["A"], wk.Bands["B"], wk.Bands["C"], wk.Bands["D"], wk.Bands["E"],
			wk.Bands["none"], wk.Joined, wk.Left, wk.Changed, wk.Lets)
	}
	t.Logf("lets by band over the year: %v", letsByBand(r))
	for _, k := range []int{25, 51} {
		wk := r.Weeks[k]
		within(t, "Band A against week 1", float64(wk.Bands["A"])/float64(first.Bands["A"]), 0.70, 1.30)
		within(t, "register against week 1", float64(wk.Applications)/float64(first.Applications), 0.85, 1.15)
	}
}

func letsByBand(r *simulate.RunResult) map[string]int {
	out := map[string]int{}
	for _, h := range r.Housed {
		out[simulate.BandKey(h.Band)]++
	}
	return out
}

func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.3f, want %.3f to %.3f", what, got, lo, hi)
	}
}
