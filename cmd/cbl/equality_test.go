package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/fixtures"

	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under cmd/cbl/testdata")

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "go test ./cmd/cbl -run %s -update creates it", t.Name())
	require.Equal(t, string(want), got)
}

// From a snapshot: the register, bids and first-five places by group, offers and lets
// not available; small counts suppressed at the default threshold.
func TestEquality_Register(t *testing.T) {
	code, out, errOut := run(t, "equality", "--register", smallDir, "--by", "household", "--to", "2026-01-01")
	require.Equal(t, 0, code, errOut)
	golden(t, "equality-small-household.txt", out)
	require.Contains(t, errOut, "5 on the register, 8 bids")

	code, out, errOut = run(t, "equality", "--register", smallDir, "--by", "household", "--to", "2026-01-01", "--suppress", "0", "-o", "json")
	require.Equal(t, 0, code, errOut)
	golden(t, "equality-small-household.json", out)
	var tab struct {
		NoDecisions bool `json:"no_decisions"`
		Rows        []struct {
			Group    string `json:"group"`
			Register struct {
				Count      *int `json:"count"`
				Suppressed bool `json:"suppressed"`
			} `json:"register"`
			Lets struct {
				Count *int `json:"count"`
			} `json:"lets"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tab))
	require.True(t, tab.NoDecisions)
	sum := 0
	for _, r := range tab.Rows {
		require.NotNil(t, r.Register.Count, "JSON numbers, not strings")
		require.Nil(t, r.Lets.Count, "a snapshot holds no lets: null")
		sum += *r.Register.Count
	}
	require.Equal(t, 5, sum)
}

func TestEquality_UsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"equality", "--by", "religion"},
		{"equality", "--cycle", "3", "--from", "2025-01-01"},
		{"equality", "--from", "2025-02-01", "--to", "2025-01-01"},
		{"equality", "--suppress", "-1"},
		{"equality", "--to", "yesterday"},
	} {
		code, _, errOut := run(t, args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
	}
	code, _, errOut := run(t, "equality", "--register", smallDir, "--cycle", "999")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "cycle 999")
}

// cbl simulate --compare shows the policy change's lets by age group and disability,
// each table's total the run's lets.
func TestSimulate_LetsByGroup(t *testing.T) {
	code, out, errOut := run(t, "simulate", "--register", fixtures.SmallDir(t, 1), "--compare", "nn-2025-proposed", "--weeks", "4")
	require.Equal(t, 0, code, errOut)
	for _, title := range []string{"Lets by age (counts under 5 suppressed: [c])", "Lets by disability"} {
		require.Contains(t, out, title)
	}
	i := strings.Index(out, "Lets by age")
	section := out[i:]
	require.Contains(t, section, "65 and over")
	require.Contains(t, section, "Disabled")
	// The totals of both tables are the same lets.
	var totals []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "Total") {
			totals = append(totals, strings.Join(strings.Fields(line), " "))
		}
	}
	require.Len(t, totals, 2)
	require.Equal(t, totals[0], totals[1])

	code, out, errOut = run(t, "-o", "json", "simulate", "--register", fixtures.SmallDir(t, 1), "--compare", "nn-2025-proposed", "--weeks", "2")
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, out, "Lets by age", "JSON output is the comparison alone")
}
