package main

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

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
		golden(t, "golden/cycle_list."+o, out)
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
	golden(t, "golden/advert_list.table", mustRun(t, "--dsn", dsn, "advert", "list"))
	golden(t, "golden/advert_list_open.json", mustRun(t, "--dsn", dsn, "-o", "json", "advert", "list", "--open"))
	golden(t, "golden/bid_list.csv", mustRun(t, "--dsn", dsn, "-o", "csv", "bid", "list", "--application", "1002"))
	golden(t, "golden/bid_list_advert.json", mustRun(t, "--dsn", dsn, "-o", "json", "bid", "list", "--advert", "7001"))
	code, _, errOut := run(t, "--dsn", dsn, "bid", "list")
	require.Equal(t, 2, code, errOut)
}

// TestApplicationShow: after a verification, an offer and a counted refusal through the
// CLI, application show has the bid's place, the refused offer, the refusal counted
// against the limit, and the decisions' events.
func TestApplicationShow(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 2)
	x := sl.Ranked[0].Application
	w.decide("offer", "verify", idArg(sl.Advert), idArg(x))
	w.decide("offer", "make", idArg(sl.Advert), idArg(x))
	w.decide("offer", "refuse", idArg(sl.Advert), idArg(x), "--counted")
	code, out, errOut := w.cbl("application", "show", idArg(x), "--as-of", register.DateOf(w.clock).String())
	require.Equal(t, 0, code, errOut)
	var v struct {
		Application struct{ ID int64 } `json:"application"`
		Bids        []struct {
			Advert   int64 `json:"advert"`
			Position *int  `json:"position"`
		} `json:"bids"`
		Offers []struct {
			Advert  int64  `json:"advert"`
			Outcome string `json:"outcome"`
			Counted bool   `json:"counted"`
		} `json:"offers"`
		RefusalsCounted int `json:"refusals_counted"`
		RefusalLimit    int `json:"refusal_limit"`
		Events          []struct {
			Kind string `json:"kind"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, x, v.Application.ID)
	i := slices.IndexFunc(v.Bids, func(b struct {
		Advert   int64 `json:"advert"`
		Position *int  `json:"position"`
	}) bool {
		return b.Advert == sl.Advert
	})
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, 1, *v.Bids[i].Position)
	require.Len(t, v.Offers, 1)
	require.Equal(t, "refused", v.Offers[0].Outcome)
	require.True(t, v.Offers[0].Counted)
	require.Equal(t, 1, v.RefusalsCounted)
	require.Equal(t, 2, v.RefusalLimit)
	var kinds []string
	for _, e := range v.Events {
		kinds = append(kinds, e.Kind)
	}
	require.Contains(t, kinds, "offered")
	require.Contains(t, kinds, "refused")
	code, _, _ = w.cbl("application", "show", "999999")
	require.Equal(t, 2, code)
}

// TestExplain_RegisterAdvertRanksFromTheSnapshot: explain --register DIR --advert reads
// the bid's place from the snapshot (its cycle closed in memory, through cbl.Store), not
// the database, and gives what the database kept for the same register.
func TestExplain_RegisterAdvertRanksFromTheSnapshot(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", "../../testdata/snapshot/small")
	mustRun(t, "--dsn", dsn, "cycle", "close", "42", "--actor", "kp")
	dir := t.TempDir()
	mustRun(t, "--dsn", dsn, "export", dir)
	for _, app := range []string{"1001", "1002"} { // ranked first; skipped
		fromDB := mustRun(t, "--dsn", dsn, "explain", app, "--advert", "7001")
		// No database at all: a DSN that cannot connect.
		fromDir := mustRun(t, "--dsn", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1",
			"explain", app, "--advert", "7001", "--register", dir)
		require.Equal(t, fromDB, fromDir, "application %s", app)
	}
}

// TestShortlistShow_OutcomeSoFar: shortlist show says how the advert is ordered and each
// bid's outcome on the walk so far (the head offered, so an officer does not read the
// order as wrong).
func TestShortlistShow_OutcomeSoFar(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 2)
	head := sl.Ranked[0].Application
	w.decide("offer", "verify", idArg(sl.Advert), idArg(head))
	w.decide("offer", "make", idArg(sl.Advert), idArg(head))
	code, out, errOut := w.cbl("-o", "json", "shortlist", "show", idArg(sl.Advert))
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `advert \d+ is (band-ordered|first come, first served)`, errOut)
	var rows []struct {
		Position    *int   `json:"position"`
		Application int64  `json:"application"`
		Outcome     string `json:"outcome"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.Equal(t, head, rows[0].Application)
	require.Equal(t, 1, *rows[0].Position)
	require.Equal(t, "offered", rows[0].Outcome)
	require.Equal(t, "", rows[1].Outcome, "not reached yet")
}
