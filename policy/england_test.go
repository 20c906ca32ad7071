package policy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/policy"
)

// TestEnglandSynthetic_IsNN2021WithAuthorityAreas: the synthetic national policy
// (internal/tools/genpolicy) is nn-2021 word for word except its id, title, source and
// autobid areas, which are one per synthetic housing authority.
func TestEnglandSynthetic_IsNN2021WithAuthorityAreas(t *testing.T) {
	read := func(name string) map[string]any {
		data, err := os.ReadFile("policies/" + name + ".json")
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(data, &m))
		for _, k := range []string{"id", "title", "source"} {
			delete(m, k)
		}
		delete(m["bidding"].(map[string]any), "autobid_areas")
		return m
	}
	require.Equal(t, read("nn-2021"), read("england-synthetic"))

	p, err := policy.Builtin("england-synthetic")
	require.NoError(t, err)
	areas := p.Bidding.AutobidAreas
	require.Len(t, areas, 300)
	for i, a := range areas {
		require.Equal(t, fmt.Sprintf("authority-%03d", i+1), a.ID)
		require.Len(t, a.Localities, 3)
		require.Equal(t, a.ID, p.Bidding.AreaOf(a.Localities[0]))
	}
}
