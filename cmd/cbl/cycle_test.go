package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// weekDir writes the small snapshot with more adverts in cycle 43 (13–18 Nov 2025):
// 7006–7008 are three-bedroom houses in Kettering like 7004 without its Legal Agreement
// Area, 7009 a one-bedroom flat.
func weekDir(t *testing.T) string {
	t.Helper()
	s, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	base := s.Adverts[3] // 7004
	for id := int64(7006); id <= 7009; id++ {
		a := base
		a.ID, a.Locality, a.LegalAgreementArea = id, "Kettering", ""
		if id == 7009 {
			a.Bedrooms, a.BedSpaces, a.Type, a.Garden = 1, 2, "flat", false
		}
		s.Adverts = append(s.Adverts, a)
	}
	dir := t.TempDir()
	require.NoError(t, snapshot.Write(dir, s))
	return dir
}

// keywaysDir is the synthetic Keyways-scale register (7,000 applications, one cycle of
// 30 adverts and ≈2,400 bids) as a snapshot directory, shared: do not write to it.
func keywaysDir(t *testing.T) string {
	t.Helper()
	return fixtures.KeywaysDir(t)
}

// mustRun runs cbl and requires exit status 0, returning stdout.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, args...)
	require.Equal(t, 0, code, "cbl %s: %s", strings.Join(args, " "), errOut)
	return out
}

// TestWeeklyJob drives a week through the commands: import, assess, open a cycle, bid,
// close, show.
func TestWeeklyJob(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db := openDSN(t, dsn)
	mustRun(t, "--dsn", dsn, "import", weekDir(t))

	// assess --dry-run shows the changes and writes nothing; then for real.
	var history int
	require.NoError(t, db.Get(&history, `SELECT count(*) FROM band_history`))
	dry := mustRun(t, "--dsn", dsn, "-o", "csv", "assess", "--dry-run", "--as-of", "2025-11-12")
	require.Equal(t, `application,old_band,old_effective,new_band,new_effective,criteria
1002,B,2022-01-10,C,2021-12-01,overcrowded_one
1003,B,2019-03-02,A,2025-11-12,medical_urgent;overcrowded_one;sheltered_no_need
1005,C,2024-02-05,,,housing_debt
1006,,,A,2025-11-12,severe_disrepair;domestic_abuse
`, dry)
	fromRegister := mustRun(t, "-o", "csv", "assess", "--dry-run", "--as-of", "2025-11-12", "--register", weekDir(t))
	require.Equal(t, dry, fromRegister)
	var after int
	require.NoError(t, db.Get(&after, `SELECT count(*) FROM band_history`))
	require.Equal(t, history, after, "dry run writes nothing")

	require.Equal(t, dry, mustRun(t, "--dsn", dsn, "-o", "csv", "assess", "--as-of", "2025-11-12", "--actor", "kp"))
	var events int
	require.NoError(t, db.Get(&events, `SELECT count(*) FROM events WHERE kind = 'reband' AND actor = 'kp'`))
	require.Equal(t, 4, events, "one events row per changed application")
	require.Equal(t, "application,old_band,old_effective,new_band,new_effective,criteria\n",
		mustRun(t, "--dsn", dsn, "-o", "csv", "assess", "--as-of", "2025-11-12"), "a second run changes nothing")

	// cycle open: the week containing the time, numbered after the cycles held; again: no-op.
	out := mustRun(t, "--dsn", dsn, "-o", "csv", "cycle", "open", "--at", "2025-11-21T12:00:00Z")
	require.Equal(t, "cycle,opens,closes,policy\n44,2025-11-20T00:00:00Z,2025-11-25T23:59:00Z,nn-2021@1\n", out)
	code, out2, errOut := run(t, "--dsn", dsn, "-o", "csv", "cycle", "open", "--at", "2025-11-24T12:00:00Z")
	require.Equal(t, 0, code)
	require.Equal(t, out, out2)
	require.Contains(t, errOut, "already open")
	require.JSONEq(t, `[{"cycle": 44, "opens": "2025-11-20T00:00:00Z", "closes": "2025-11-25T23:59:00Z", "policy": "nn-2021@1"}]`,
		mustRun(t, "--dsn", dsn, "-o", "json", "cycle", "open", "--at", "2025-11-21T12:00:00Z"))

	// Bids in cycle 43 (open 13–18 Nov). 1002 holds one live bid (7004).
	at := []string{"--at", "2025-11-14T10:00:00Z"}
	placed := mustRun(t, append([]string{"--dsn", dsn, "-o", "json", "bid", "place", "7006", "1002", "--by", "officer:kp"}, at...)...)
	require.JSONEq(t, `[{"application": 1002, "advert": 7006, "placed": "2025-11-14T10:00:00Z", "by": "officer:kp"}]`, placed)
	refused := func(want string, args ...string) {
		t.Helper()
		if !slices.Contains(args, "--at") {
			args = append(args, at...)
		}
		code, out, errOut := run(t, append([]string{"--dsn", dsn}, args...)...)
		require.Equal(t, 1, code, errOut)
		require.Empty(t, out)
		require.Contains(t, errOut, want)
	}
	refused("application 1002 is not eligible for advert 7009: bedroom_mismatch", "bid", "place", "7009", "1002")
	mustRun(t, append([]string{"--dsn", dsn, "bid", "place", "7007", "1002"}, at...)...)
	refused("bid refused: application 1002, advert 7008: live bid limit reached", "bid", "place", "7008", "1002")
	refused("already bid on this advert", "bid", "place", "7007", "1002")
	refused("application is not active", "bid", "place", "7006", "1005")
	refused("advert 424242: not found", "bid", "place", "424242", "1002")
	refused("no live bid", "bid", "withdraw", "7006", "1003")
	mustRun(t, append([]string{"--dsn", dsn, "bid", "withdraw", "7006", "1002"}, at...)...)
	mustRun(t, append([]string{"--dsn", dsn, "bid", "place", "7008", "1002"}, at...)...)
	refused("live bid limit reached", "bid", "place", "7006", "1002")
	mustRun(t, append([]string{"--dsn", dsn, "bid", "withdraw", "7007", "1002"}, at...)...)
	mustRun(t, append([]string{"--dsn", dsn, "bid", "place", "7006", "1002"}, at...)...) // withdrawn, then again
	refused("cycle is not open", "bid", "place", "7006", "1003", "--at", "2025-11-19T10:00:00Z")
	require.NoError(t, db.Get(&events, `SELECT count(*) FROM events WHERE kind IN ('bid', 'bid_withdraw') AND application = 1002`))
	require.Equal(t, 6, events)

	// Close both cycles; show a shortlist from the database and from a snapshot.
	close42 := mustRun(t, "--dsn", dsn, "-o", "csv", "cycle", "close", "42")
	require.Equal(t, "advert,bids,ranked,skipped,autobids,first\n7001,3,1,2,1,1001\n7002,1,0,1,0,\n7003,1,0,1,0,\n", close42)
	mustRun(t, "--dsn", dsn, "cycle", "close", "43")
	refused("cycle 43 was closed at", "bid", "place", "7006", "1003")

	show := mustRun(t, "--dsn", dsn, "-o", "csv", "shortlist", "show", "7001")
	require.Equal(t, `position,application,band,effective,registered,autobid,placed,skip,check,clause,ahead_by,outcome
1,1001,A,2023-02-01,2021-06-14,true,2025-11-11T23:59:00Z,,,,,
,1002,B,2022-01-10,2022-01-10,false,2025-11-06T08:15:30Z,bedroom_mismatch,bedrooms,S5.4,,
,1006,,2020-11-20,2020-11-20,false,2025-11-07T19:02:11.25Z,not_active,status,S1.11,,
`, show, "bands as they stood at the close (11 Nov), before the re-assessment of 12 Nov")
	for _, o := range []string{"table", "json"} {
		require.NotEmpty(t, mustRun(t, "--dsn", dsn, "-o", o, "shortlist", "show", "7006"))
	}
	var trace struct {
		Application int64
		Outcome     string
		Checks      []struct{ Check string }
	}
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", dsn, "shortlist", "show", "7001", "--trace", "1002")), &trace))
	require.Equal(t, int64(1002), trace.Application)
	require.Equal(t, "skipped", trace.Outcome)
	require.NotEmpty(t, trace.Checks)

	// The snapshot exported now shortlists 7001 the same way in memory.
	dir := t.TempDir()
	mustRun(t, "--dsn", dsn, "export", dir)
	require.Equal(t, show, mustRun(t, "-o", "csv", "shortlist", "show", "7001", "--register", dir))
	// Both through cbl.Store: the trace the database kept is the one the snapshot gives.
	require.Equal(t, mustRun(t, "--dsn", dsn, "shortlist", "show", "7001", "--trace", "1002"),
		mustRun(t, "shortlist", "show", "7001", "--trace", "1002", "--register", dir))

	code, _, errOut = run(t, "--dsn", dsn, "shortlist", "show", "7005424")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "no stored shortlist")
}

// TestCycleClose_Interrupted kills a close with a deadline far too short for it, then
// closes again: the killed run left nothing, and the clean run prints and stores
// exactly what a close that was never interrupted does.
func TestCycleClose_Interrupted(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t)
	killed, clean := pgtest.DSN(t), pgtest.DSN(t)
	mustRun(t, "--dsn", killed, "import", dir)
	mustRun(t, "--dsn", clean, "import", dir)
	before := registerRows(t, openDSN(t, killed))

	for _, d := range []time.Duration{time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond, 500 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		var out, errOut bytes.Buffer
		err := Run(ctx, []string{"--dsn", killed, "cycle", "close", "1"}, &out, &errOut)
		cancel()
		if err == nil {
			t.Logf("close finished within %v; stopping", d)
			break
		}
		t.Logf("killed after %v: %s", d, strings.TrimSpace(errOut.String()))
		require.Equal(t, 1, ExitCode(err), errOut.String())
		require.Empty(t, out.String())
		require.Equal(t, before, registerRows(t, openDSN(t, killed)), "a killed close writes nothing (after %v)", d)
		var shortlists int
		require.NoError(t, openDSN(t, killed).Get(&shortlists, `SELECT count(*) FROM shortlists`))
		require.Zero(t, shortlists)
	}
	want := mustRun(t, "--dsn", clean, "-o", "csv", "cycle", "close", "1")
	got := mustRun(t, "--dsn", killed, "-o", "csv", "cycle", "close", "1")
	require.Equal(t, want, got)
	require.Equal(t, 31, strings.Count(got, "\n"), "30 adverts and a header")
	require.Equal(t, shortlistRows(t, clean), shortlistRows(t, killed))
}

// shortlistRows is every stored shortlist entry as text, traces included.
func shortlistRows(t *testing.T, dsn string) []string {
	t.Helper()
	var rows []string
	require.NoError(t, openDSN(t, dsn).Select(&rows, `SELECT concat_ws('|', s.advert, s.cycle, s.policy, e.application,
		e.position, e.skip, e.check_name, e.clause, e.band, e.effective, e.registered, e.autobid, e.placed, e.trace::text)
		FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist ORDER BY s.advert, e.application`))
	require.NotEmpty(t, rows)
	return rows
}

// TestCycleClose_Concurrent runs closes of one cycle at once: one closes it, the others
// wait for it and find it closed; there is exactly one set of shortlists.
func TestCycleClose_Concurrent(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", keywaysDir(t))
	const n = 3
	outs, errs := make([]string, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var out, errOut bytes.Buffer
			err := Run(context.Background(), []string{"--dsn", dsn, "-o", "csv", "cycle", "close", "1"}, &out, &errOut)
			if err != nil {
				errOut.WriteString("error: " + err.Error())
			}
			outs[i], errs[i] = out.String(), errOut.String()
		})
	}
	wg.Wait()
	closedBy := 0
	for i := range n {
		require.NotContains(t, errs[i], "error:")
		require.Equal(t, outs[0], outs[i])
		if strings.Contains(errs[i], "closed cycle 1:") {
			closedBy++
		} else {
			require.Contains(t, errs[i], "already closed")
		}
	}
	require.Equal(t, 1, closedBy)
	db := openDSN(t, dsn)
	var shortlists, closes int
	require.NoError(t, db.Get(&shortlists, `SELECT count(*) FROM shortlists WHERE cycle = 1`))
	require.NoError(t, db.Get(&closes, `SELECT count(*) FROM events WHERE kind = 'cycle_close'`))
	require.Equal(t, 30, shortlists)
	require.Equal(t, 1, closes)
}

// TestCycleClose_ClosedIsNoOp closes a cycle twice: the second run writes nothing, says
// so on stderr, exits 0 and prints the same table.
func TestCycleClose_ClosedIsNoOp(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", smallDir)
	first := mustRun(t, "--dsn", dsn, "cycle", "close", "42")
	rows := registerRows(t, openDSN(t, dsn))
	code, again, errOut := run(t, "--dsn", dsn, "cycle", "close", "42")
	require.Equal(t, 0, code)
	require.Equal(t, first, again)
	require.Contains(t, errOut, "cycle 42 was already closed at")
	require.Equal(t, rows, registerRows(t, openDSN(t, dsn)))

	code, _, errOut = run(t, "--dsn", dsn, "cycle", "close", "99")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "cycle 99: no such cycle")
	code, _, _ = run(t, "--dsn", dsn, "cycle", "close", "x")
	require.Equal(t, 2, code)
}

// TestCycleClose_StillOpen refuses to close a cycle before its closing time.
func TestCycleClose_StillOpen(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	// A week ahead: that week's cycle closes after now, whatever the weekday (and --at
	// is within register.CycleAhead).
	at := time.Now().Add(8 * 24 * time.Hour).UTC().Format(time.RFC3339)
	out := mustRun(t, "--dsn", dsn, "-o", "csv", "cycle", "open", "--at", at)
	require.True(t, strings.HasPrefix(out, "cycle,opens,closes,policy\n1,"), out)
	code, _, errOut := run(t, "--dsn", dsn, "cycle", "close", "1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "cycle 1 closes at")
	require.Contains(t, errOut, "still open for bidding")
}
