package bidding_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/stretchr/testify/require"
)

// TestIndexFind: Find answers as a binary search over the profiles does, for registers
// numbered in sequence (looked up in a table) and sparsely (searched), for ids held and
// ids not held on either side and in the gaps.
func TestIndexFind(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	rng := rand.New(rand.NewPCG(7, 11))
	for name, gap := range map[string]int64{"in sequence": 1, "gaps of up to 2": 2, "one in four": 7, "sparse": 1000} {
		t.Run(name, func(t *testing.T) {
			var ps []bidding.Profile
			id := int64(500)
			for range 3000 {
				id += 1 + rng.Int64N(gap)
				ps = append(ps, bidding.Profile{ID: id})
			}
			rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			ix, err := bidding.NewIndex(env.Rules, ps)
			require.NoError(t, err)
			for q := int64(0); q <= id+2; q += max(1, gap/3) {
				want, wantOK := slices.BinarySearchFunc(ix.Profiles, q, func(p bidding.Profile, id int64) int { return cmp.Compare(p.ID, id) })
				got, ok := ix.Find(q)
				require.Equal(t, wantOK, ok, "id %d", q)
				require.Equal(t, uint32(want), got, "id %d", q)
			}
		})
	}
}
