package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got)
}

// TestCycleList: each cycle's window in Europe/London, its state at the moment asked
// (cycle 42 closed, 43 bidding), its adverts and live bids; typed JSON (numbers, null
// for a cycle not closed). Golden stdout.
func TestCycleList(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", "../../testdata/snapshot/small")
	mustRun(t, "--dsn", dsn, "cycle", "close", "42", "--actor", "kp")
	// The close ran just now; the listing is golden, so pin when it ran.
	db, err := pgstore.Open(context.Background(), dsn)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`UPDATE cycles SET closed_at = '2025-11-12T00:05:00Z' WHERE id = 42`)
	require.NoError(t, err)
	now := time.Date(2025, 11, 14, 12, 0, 0, 0, time.UTC) // cycle 43's window
	for _, o := range []string{"table", "json"} {
		code, out, errOut := runAt(t, now, "--dsn", dsn, "-o", o, "cycle", "list")
		require.Equal(t, 0, code, errOut)
		golden(t, "cycle_list."+o, out)
	}
}

// TestAdvertAndBidList: the small register with cycle 42 closed — every advert with its
// walk (open once closed, empty before), only the open ones with --open, and one
// application's bids with their shortlist places. Golden stdout.
func TestAdvertAndBidList(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", "../../testdata/snapshot/small")
	mustRun(t, "--dsn", dsn, "cycle", "close", "42", "--actor", "kp")
	golden(t, "advert_list.table", mustRun(t, "--dsn", dsn, "advert", "list"))
	golden(t, "advert_list_open.json", mustRun(t, "--dsn", dsn, "-o", "json", "advert", "list", "--open"))
	golden(t, "bid_list.csv", mustRun(t, "--dsn", dsn, "-o", "csv", "bid", "list", "--application", "1002"))
	golden(t, "bid_list_advert.json", mustRun(t, "--dsn", dsn, "-o", "json", "bid", "list", "--advert", "7001"))
	code, _, errOut := run(t, "--dsn", dsn, "bid", "list")
	require.Equal(t, 2, code, errOut)
}
