package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

func TestGenerate_WritesReadableSnapshot(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "kw")
	code, out, errOut := run(t, "generate", "--seed", "2", dir)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `(?m)^applications\.csv +7000$`, out)
	s, err := snapshot.Read(dir)
	require.NoError(t, err)
	require.Len(t, s.Applications, 7000)

	dir2 := filepath.Join(t.TempDir(), "kw")
	_, out2, _ := run(t, "generate", "--seed", "2", dir2)
	require.Equal(t, out, out2)
	s2, err := snapshot.Read(dir2)
	require.NoError(t, err)
	require.Equal(t, s, s2, "the same seed writes the same register")

	// The register the other tests share is the one generate writes by default.
	dir3 := filepath.Join(t.TempDir(), "kw")
	code, _, errOut = run(t, "generate", dir3)
	require.Equal(t, 0, code, errOut)
	generated, err := snapshot.Read(dir3)
	require.NoError(t, err)
	shared, err := snapshot.Read(keywaysDir(t))
	require.NoError(t, err)
	require.Equal(t, generated, shared)

	code, _, errOut = run(t, "generate", "--size", "galaxy", dir)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "galaxy")
}

func TestSimulate_CompareFromSnapshot(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)

	args := []string{"simulate", "--register", dir, "--weeks", "6", "--compare", "nn-2025-proposed"}
	code, out, errOut := run(t, args...)
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"Summary: 6 weeks", "Lets by band", "Days from registration to let",
		"Band movement on the first day", "Why they move", "sharing_no_dependants", "housed under this policy only"} {
		require.Contains(t, out, want)
	}
	_, again, _ := run(t, args...)
	require.Equal(t, out, again, "same seed, same comparison")

	code, js, errOut := run(t, append(args, "--output", "json")...)
	require.Equal(t, 0, code, errOut)
	var c struct {
		Weeks    int `json:"weeks"`
		Policies []struct {
			Policy string `json:"policy"`
			Lets   int    `json:"lets"`
		} `json:"policies"`
		Movement [][]int `json:"movement"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &c))
	require.Equal(t, 6, c.Weeks)
	require.Equal(t, "nn-2025-proposed@1", c.Policies[1].Policy)
	require.Positive(t, c.Policies[0].Lets)
	require.Len(t, c.Movement, 6)

	code, cs, errOut := run(t, append(args, "--output", "csv")...)
	require.Equal(t, 0, code, errOut)
	first := strings.SplitN(cs, "\n\n", 2)[0]
	rows, err := csv.NewReader(strings.NewReader(first)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"measure", "nn-2021@1", "nn-2025-proposed@1", "difference"}, rows[0])
}

func TestSimulate_SinglePolicyAndErrors(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	code, out, errOut := run(t, "simulate", "--register", dir, "--weeks", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "nn-2021@1")
	require.NotContains(t, out, "difference")

	code, _, errOut = run(t, "simulate", "--register", dir, "--report", filepath.Join(t.TempDir(), "r.html"))
	require.Equal(t, 2, code, "a report needs two policies")
	require.Contains(t, errOut, "--compare")

	code, _, _ = run(t, "simulate", "--register", dir, "--compare", "nn-1999")
	require.Equal(t, 2, code)
	code, _, _ = run(t, "simulate", "--register", dir, "--weeks", "0")
	require.Equal(t, 2, code)
}

func TestSimulate_ReplayRecordedCycles(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	code, out, errOut := run(t, "simulate", "--register", dir, "--replay", "--compare", "nn-2025-proposed", "--output", "csv")
	require.Equal(t, 0, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 31, "a header and the 30 recorded homes")
	require.Equal(t, "let nn-2025-proposed@1", rows[0][12])

	code, _, _ = run(t, "simulate", "--register", dir, "--replay")
	require.Equal(t, 2, code, "--replay needs --compare")
}

// The database path reads the register with pgstore.Export and writes nothing: the same
// snapshot imported into PostgreSQL simulates exactly as from its directory.
func TestSimulate_FromDatabaseReadOnly(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	dsn := pgtest.DSN(t)
	code, _, errOut := run(t, "--dsn", dsn, "import", dir)
	require.Equal(t, 0, code, errOut)
	before := registerRows(t, openDSN(t, dsn))

	args := []string{"simulate", "--weeks", "3", "--compare", "nn-2025-proposed"}
	code, fromDB, errOut := run(t, append([]string{"--dsn", dsn}, args...)...)
	require.Equal(t, 0, code, errOut)
	_, fromDir, _ := run(t, append(args, "--register", dir)...)
	require.Equal(t, fromDir, fromDB)
	require.Equal(t, before, registerRows(t, openDSN(t, dsn)), "simulate writes nothing")
}

func TestSimulate_ConfigFile(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	cfg := filepath.Join(t.TempDir(), "sim.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"weeks": 2, "behaviour": {"refusal": 0, "no_reply": 0}}`), 0o644))
	code, out, errOut := run(t, "simulate", "--register", dir, "--config", cfg, "-o", "json")
	require.Equal(t, 0, code, errOut)
	var v struct {
		Weeks   int `json:"weeks"`
		Outcome struct {
			Refusals int `json:"refusals"`
			Offers   int `json:"offers"`
		} `json:"outcome"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, 2, v.Weeks)
	require.Positive(t, v.Outcome.Offers)
	require.Zero(t, v.Outcome.Refusals, "the file set refusals to zero")

	require.NoError(t, os.WriteFile(cfg, []byte(`{"behaviour": {"refusal": 2}}`), 0o644))
	code, _, errOut = run(t, "simulate", "--register", dir, "--config", cfg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "refusal")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"wekes": 2}`), 0o644))
	code, _, errOut = run(t, "simulate", "--register", dir, "--config", cfg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "wekes")
}

func TestSimulate_Report(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	file := filepath.Join(t.TempDir(), "compare.html")
	code, out, errOut := run(t, "simulate", "--register", dir, "--weeks", "4", "--compare", "nn-2025-proposed", "--report", file)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "Summary: 4 weeks", "the tables still go to stdout")
	page, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, want := range []string{"Policy comparison: nn-2021@1 against nn-2025-proposed@1", "chart-lets", "chart-waits",
		"not qualifying", "registration date"} {
		require.Contains(t, string(page), want)
	}
	require.NotContains(t, string(page), "<script")
}
