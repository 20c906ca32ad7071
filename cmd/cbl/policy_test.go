package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// overcrowdingToA writes nn-2021 with Band B overcrowding (overcrowded_two) moved to
// Band A: the analyst's "what if" as a file.
func overcrowdingToA(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../policy/policies/nn-2021.json")
	require.NoError(t, err)
	s := string(data)
	i := strings.Index(s, `"id": "overcrowded_two"`)
	require.Positive(t, i)
	j := i + strings.Index(s[i:], `"band": "B"`)
	s = s[:j] + `"band": "A"` + s[j+len(`"band": "B"`):]
	file := filepath.Join(t.TempDir(), "overcrowding-a.json")
	require.NoError(t, os.WriteFile(file, []byte(s), 0o644))
	return file
}

func TestPolicy_Validate(t *testing.T) {
	t.Parallel()
	good := overcrowdingToA(t)
	code, out, errOut := run(t, "policy", "validate", good)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "valid (nn-2021@1, 16 criteria)")

	bad := filepath.Join(t.TempDir(), "bad.json")
	data, _ := os.ReadFile(good)
	s := strings.Replace(string(data), `"fact": "homeless_duty"`, `"fact": "homless_duty"`, 1)
	s = strings.Replace(s, `"max_live_bids": 3`, `"max_live_bids": 0`, 1)
	require.NoError(t, os.WriteFile(bad, []byte(s), 0o644))
	code, out, errOut = run(t, "policy", "validate", bad)
	require.Equal(t, 1, code)
	require.Contains(t, out, "criteria[0].when.any[0].fact")
	require.Contains(t, out, "bidding.max_live_bids")
	require.Contains(t, errOut, "2 problem(s)")

	code, out, _ = run(t, "policy", "validate", "-o", "json", bad)
	require.Equal(t, 1, code)
	var v validation
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.False(t, v.Valid)
	require.Len(t, v.Problems, 2)
	require.Equal(t, "bidding.max_live_bids", v.Problems[1].Path)
}

func TestPolicy_ShowAndDiff(t *testing.T) {
	t.Parallel()
	file := overcrowdingToA(t)
	code, out, errOut := run(t, "policy", "show", file)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `criteria\[6\] +Overcrowded: lacking two or more bedrooms — Band A; clause S2.5, S5.3; when bedroom_shortfall ≥ 2`, out)

	code, out, _ = run(t, "policy", "show", "nn-2021", "-o", "json")
	require.Equal(t, 0, code)
	var sh policyShow
	require.NoError(t, json.Unmarshal([]byte(out), &sh))
	require.Equal(t, "nn-2021@1", sh.Policy)
	require.Greater(t, len(sh.Rules), 60)

	code, out, errOut = run(t, "policy", "diff", "nn-2021", file)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "nn-2021@1 → nn-2021@1: 1 difference(s)\n"+
		"  Overcrowded: lacking two or more bedrooms: Band B → Band A  (criteria[6])\n", out)

	code, out, _ = run(t, "policy", "diff", "nn-2021", file, "-o", "json")
	require.Equal(t, 0, code)
	var d policyDiff
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Len(t, d.Changes, 1)
	require.Equal(t, "band", d.Changes[0].Field)
	require.Equal(t, "Band A", d.Changes[0].To)

	code, _, _ = run(t, "policy", "show", "nn-1999")
	require.Equal(t, 2, code)
}

// --policy and --compare take a file wherever they take a shipped id.
func TestPolicy_FilesEverywhere(t *testing.T) {
	t.Parallel()
	file := overcrowdingToA(t)
	code, out, errOut := run(t, "demo", "--policy", file, "-o", "json")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"nn-2021@1"`)
	code, _, errOut = run(t, "assess", "--dry-run", "--register", smallDir, "--policy", file, "--as-of", "2025-11-12")
	require.Equal(t, 0, code, errOut)
	code, _, errOut = run(t, "explain", "1001", "--register", smallDir, "--policy", file, "--as-of", "2025-11-12")
	require.Equal(t, 0, code, errOut)
	code, _, errOut = run(t, "demo", "--policy", filepath.Join(t.TempDir(), "missing.json"))
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "missing.json")
}
