package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/policy"
)

// overcrowdingToA is nn-2021 with Band B's overcrowding criterion moved to Band A: the
// analyst's first question, as a file.
func overcrowdingToA(t *testing.T) string {
	t.Helper()
	data := string(shipped(t))
	i := strings.Index(data, `"id": "overcrowded_two"`)
	require.Positive(t, i)
	j := i + strings.Index(data[i:], `"band": "B"`)
	data = data[:j] + `"band": "A"` + data[j+len(`"band": "B"`):]
	file := filepath.Join(t.TempDir(), "overcrowding-a.json")
	require.NoError(t, os.WriteFile(file, []byte(data), 0o644))
	return file
}

func TestLookup_IDVersionOrFile(t *testing.T) {
	p, err := policy.Lookup("nn-2021")
	require.NoError(t, err)
	require.Equal(t, "nn-2021@1", p.Name())
	p, err = policy.Lookup("nn-2025-proposed@1")
	require.NoError(t, err)
	require.Equal(t, "nn-2025-proposed@1", p.Name())
	_, err = policy.Lookup("nn-2021@9")
	require.ErrorContains(t, err, "no version 9")
	_, err = policy.Lookup("nope")
	require.ErrorContains(t, err, `no policy "nope"`)

	file := overcrowdingToA(t)
	p, err = policy.Lookup(file)
	require.NoError(t, err)
	require.Equal(t, file, p.File)

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id": ""}`), 0o644))
	_, err = policy.Lookup(bad)
	var le *policy.LoadError
	require.ErrorAs(t, err, &le)
	require.Greater(t, len(le.Problems), 3, "every problem, not the first")
}

func TestDiff_OneCriterionMoved(t *testing.T) {
	base, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	alt, err := policy.Lookup(overcrowdingToA(t))
	require.NoError(t, err)
	require.Equal(t, []policy.Change{{Kind: "changed", Key: "criteria[overcrowded_two]", Path: "criteria[6]",
		Label: "Overcrowded: lacking two or more bedrooms", Field: "band", From: "Band B", To: "Band A",
		Text: "Overcrowded: lacking two or more bedrooms: Band B → Band A"}}, policy.Diff(base, alt))
	require.Empty(t, policy.Diff(base, base))
}

func TestDiff_ReviewNamesEachChange(t *testing.T) {
	base, _ := policy.Builtin("nn-2021")
	alt, _ := policy.Builtin("nn-2025-proposed")
	text := []string{}
	for _, c := range policy.Diff(base, alt) {
		text = append(text, c.Text)
	}
	all := strings.Join(text, "\n")
	require.Contains(t, all, "id: nn-2021 → nn-2025-proposed")
	require.Contains(t, all, "added: ") // the review's new criteria and areas
	require.Contains(t, all, "bedrooms.allowed")
}

func TestRules_EveryCriterionAndSetting(t *testing.T) {
	p, _ := policy.Builtin("nn-2021")
	rules := policy.Rules(p)
	n := 0
	for _, r := range rules {
		if r.Section == "criteria" {
			n++
		}
	}
	require.Equal(t, len(p.Criteria), n)
	var maxBids string
	for _, r := range rules {
		if r.Path == "bidding.max_live_bids" {
			maxBids = r.Text()
		}
	}
	require.Equal(t, "bidding.max_live_bids = 3", maxBids)
}
