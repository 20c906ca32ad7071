package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/snapshot"
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

// Issue 16's "done when": an analyst copies nn-2021, moves Band B overcrowding to Band A,
// and simulate --compare FILE shows exactly the overcrowded households moving — every
// application nn-2021 puts in Band B that lacks two or more bedrooms moves to Band A, and
// nobody else moves.
func TestPolicy_OvercrowdingToBandA_MovesExactlyTheOvercrowded(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t)
	file := overcrowdingToA(t)
	code, out, errOut := run(t, "simulate", "--register", dir, "--weeks", "1", "--policy", "nn-2021", "--compare", file, "-o", "json")
	require.Equal(t, 0, code, errOut)
	var st simulate.Study
	require.NoError(t, json.Unmarshal([]byte(out), &st))

	// Independently: who is overcrowded by two or more bedrooms in Band B on the first day.
	snap, err := snapshot.Read(dir)
	require.NoError(t, err)
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	want := 0
	for i := range snap.Applications {
		a := &snap.Applications[i]
		if a.Status == register.StatusPending || a.Status == register.StatusClosed {
			continue
		}
		as, err := banding.Assess(a, p, st.Start)
		require.NoError(t, err)
		if as.Qualifies && as.Band == register.BandB && slices.ContainsFunc(as.Criteria, func(m banding.Met) bool { return m.ID == "overcrowded_two" }) {
			want++
		}
	}
	require.Positive(t, want)

	a, b := slices.Index(st.Bands, "A"), slices.Index(st.Bands, "B")
	for i := range st.Bands {
		for j := range st.Bands {
			switch {
			case i == b && j == a:
				require.Equal(t, want, st.Movement[i][j], "B → A: exactly the overcrowded")
			case i != j:
				require.Zero(t, st.Movement[i][j], "%s → %s", st.Bands[i], st.Bands[j])
			}
		}
	}
	moved := 0
	for _, m := range st.Moves {
		require.Equal(t, "B", m.From)
		require.Equal(t, "A", m.To)
		require.Equal(t, "overcrowded_two", m.ToWhy)
		moved += m.Applications
	}
	require.Equal(t, want, moved)

	code, out, errOut = run(t, "simulate", "--register", dir, "--weeks", "1", "--policy", "nn-2021", "--compare", file)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `B +A +\S+ +overcrowded_two +\d+`, out, "the terminal's why-they-move table says it")
}
