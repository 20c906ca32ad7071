package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/internal/pgtest"
)

// S7.7: on the Keyways-scale register, cycle verify proves the close from its record
// (typed JSON), cycle replay under the same policy moves nobody, and under a policy
// file that moves overcrowding from Band B to Band A some households move; a replay
// needs --policy, and a cycle without a record says so.
func TestS7_7_CycleVerifyAndReplay(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", keywaysDir(t))
	code, _, errOut := run(t, "--dsn", dsn, "cycle", "verify", "1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "no recorded inputs")
	mustRun(t, "--dsn", dsn, "cycle", "close", "1")

	var v []map[string]any
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", dsn, "-o", "json", "cycle", "verify", "1")), &v))
	require.Len(t, v, 1)
	require.Equal(t, float64(1), v[0]["cycle"])
	require.Equal(t, "", v[0]["difference"])
	require.Len(t, v[0]["digest"], 64)
	require.Greater(t, v[0]["entries"], float64(2000))

	type row struct {
		Advert       int64  `json:"advert"`
		Bids         int    `json:"bids"`
		BidsReplay   int    `json:"bids_replay"`
		Ranked       int    `json:"ranked"`
		RankedReplay int    `json:"ranked_replay"`
		First        *int64 `json:"first"`
		FirstReplay  *int64 `json:"first_replay"`
		Moved        int    `json:"moved"`
	}
	replayed := func(p string) []row {
		var rows []row
		require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", dsn, "-o", "json", "cycle", "replay", "1", "--policy", p)), &rows))
		require.Len(t, rows, 30)
		return rows
	}
	for _, r := range replayed("nn-2021") {
		require.Equal(t, r.Bids, r.BidsReplay, "advert %d", r.Advert)
		require.Equal(t, r.First, r.FirstReplay, "advert %d", r.Advert)
		require.Zero(t, r.Moved, "advert %d", r.Advert)
	}

	// The analyst's question of issue 16, on one real week: overcrowding in Band A.
	shown := mustRun(t, "policy", "show", "nn-2021", "-o", "json")
	require.Contains(t, shown, "overcrowd")
	raw, err := os.ReadFile(filepath.Join("..", "..", "policy", "policies", "nn-2021.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	moved := false
	for _, c := range doc["criteria"].([]any) {
		c := c.(map[string]any)
		if strings.Contains(c["id"].(string), "overcrowd") && c["band"] == "B" {
			c["band"], moved = "A", true
		}
	}
	require.True(t, moved, "nn-2021 has a Band B overcrowding criterion")
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "what-if.json")
	require.NoError(t, os.WriteFile(file, b, 0o600))
	total := 0
	for _, r := range replayed(file) {
		total += r.Moved
	}
	require.Positive(t, total, "moving overcrowded households up a band moves them on this week's shortlists")
	var moves []struct {
		Application    int64   `json:"application"`
		Band           *string `json:"band"`
		BandReplay     *string `json:"band_replay"`
		Position       *int    `json:"position"`
		PositionReplay *int    `json:"position_replay"`
	}
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", dsn, "-o", "json", "cycle", "replay", "1", "--policy", file, "--moves")), &moves))
	require.Len(t, moves, total, "--moves lists each household the advert rows count")
	up := 0
	for _, m := range moves {
		if m.Band != nil && m.BandReplay != nil && *m.Band == "B" && *m.BandReplay == "A" {
			up++
			require.NotNil(t, m.PositionReplay, "application %d: moved up to Band A, it is ranked", m.Application)
		}
	}
	require.Positive(t, up, "the overcrowded households are among those that moved, Band B to Band A")

	code, _, errOut = run(t, "--dsn", dsn, "cycle", "replay", "1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--policy is required")
}
