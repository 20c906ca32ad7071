package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/policy"
)

// TestS5_4_LoaderRejectsEmptySizeRange: a bedrooms.allowed entry whose max can leave a
// household shape no size to bid for is rejected, naming the entry and the shape.
func TestS5_4_LoaderRejectsEmptySizeRange(t *testing.T) {
	base := string(shipped(t))
	singles := `{"households": ["single", "couple"], "min_over_need": 0, "max_over_need": 1}`
	require.Contains(t, base, singles)
	cases := []struct {
		name, to string
		want     []string
	}{
		{"max 1 for singles: a medical extra bedroom makes need 2",
			`{"households": ["single", "couple"], "min_over_need": 0, "max_over_need": 0, "max": 1}`,
			[]string{"bedrooms.allowed[0].max: 1 leaves a single household with a medical award of extra bedrooms",
				"bedrooms.allowed[0].max: 1 leaves a couple household"}},
		{"max below need plus min_over_need",
			`{"households": ["single"], "min_over_need": 1, "max_over_need": 1, "max": 1}`,
			[]string{"bedrooms.allowed[0].max: 1 leaves a single household needing 1 bedroom no size to bid for (sizes 2 to 1)"}},
		{"any max on families: their need has no upper limit",
			`{"households": ["family"], "min_over_need": 0, "max_over_need": 0, "max": 5}`,
			[]string{"bedrooms.allowed[0].max: 5 leaves a family household needing 6 bedrooms or more no size to bid for"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := policy.Parse("test.json", []byte(strings.Replace(base, singles, c.to, 1)))
			var le *policy.LoadError
			require.ErrorAs(t, err, &le)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}

	t.Run("a max every reachable need fits is accepted", func(t *testing.T) {
		to := `{"households": ["single", "couple"], "min_over_need": 0, "max_over_need": 0, "max": 4}`
		_, err := policy.Parse("test.json", []byte(strings.Replace(base, singles, to, 1)))
		require.NoError(t, err)
	})
}

// TestS5_4_ShippedPoliciesNeverEmpty: every shipped policy gives every household shape,
// at every need it can have, at least one size.
func TestS5_4_ShippedPoliciesNeverEmpty(t *testing.T) {
	s := policy.Builtins()
	for _, id := range s.IDs() {
		p, err := s.Latest(id)
		require.NoError(t, err)
		for _, h := range []string{"single", "couple", "family", "other"} {
			for need := 1; need <= 12; need++ {
				lo, hi, _ := p.Bedrooms.AllowedBedrooms(h, need)
				require.LessOrEqual(t, lo, hi, "%s: %s household needing %d", id, h, need)
			}
		}
	}
}
