package simulate

import (
	"cmp"
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

// Compare's band movement comes from the two runs' first-day decisions, not from
// assessing the register again: it must be what assessing every non-pending
// application afresh under each policy on the first day (after the review's area
// remapping) gives. nn-2025-proposed splits an autobid area, so remapArea is exercised.
func TestCompare_MovementIsFreshAssessments(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Seed = 3
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	sc := DefaultConfig()
	sc.Weeks = 2
	w, err := NewWorld(s, sc)
	require.NoError(t, err)
	base, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	alt, err := policy.Builtin("nn-2025-proposed")
	require.NoError(t, err)

	c, err := Compare(t.Context(), w, base, alt)
	require.NoError(t, err)

	idx := map[string]int{}
	for i, k := range BandKeys {
		idx[k] = i
	}
	movement := make([][]int, len(BandKeys))
	for i := range movement {
		movement[i] = make([]int, len(BandKeys))
	}
	moves := map[Move]int{}
	for _, a := range w.Applications {
		if a.Status == register.StatusPending {
			continue
		}
		var keys, whys [2]string
		for k, p := range []*policy.Policy{base, alt} {
			b := a
			remapArea(&b, w.Geography, p, w.Config.Seed)
			as, err := banding.Assess(&b, p, w.Start)
			require.NoError(t, err)
			keys[k], whys[k] = decides(&as)
		}
		movement[idx[keys[0]]][idx[keys[1]]]++
		if keys[0] != keys[1] || whys[0] != whys[1] {
			moves[Move{From: keys[0], To: keys[1], FromWhy: whys[0], ToWhy: whys[1]}]++
		}
	}
	want := []Move{}
	for m, n := range moves {
		m.Applications = n
		want = append(want, m)
	}
	slices.SortFunc(want, func(a, b Move) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.FromWhy, b.FromWhy),
			cmp.Compare(a.ToWhy, b.ToWhy))
	})
	require.NotEmpty(t, want)
	require.Equal(t, movement, c.Movement)
	require.Equal(t, want, c.Moves)
}
