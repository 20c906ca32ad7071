package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// weekEnv is one cycle of a small synthetic register, imported through cbl import and
// closed (shortlists with traces stored), with a clock for decision times.
type weekEnv struct {
	t          *testing.T
	dsn, dir   string
	db         *sqlx.DB
	snap       *snapshot.Snapshot
	shortlists map[int64]shortlist.Shortlist
	council    map[int64]bool // by advert
	clock      time.Time
}

func newWeek(t *testing.T) *weekEnv {
	t.Helper()
	return newWeeks(t, 1)
}

// newWeeks is newWeek over a register with n cycles, of which only the first is closed.
func newWeeks(t *testing.T, n int) *weekEnv {
	t.Helper()
	s, dir := fixtures.Small(t, n), fixtures.SmallDir(t, n)
	w := &weekEnv{t: t, dsn: pgtest.DSN(t), dir: dir, snap: s, shortlists: map[int64]shortlist.Shortlist{},
		council: map[int64]bool{}, clock: s.Cycles[0].Closes.Add(24 * time.Hour)}
	w.db = openDSN(t, w.dsn)
	code, _, errOut := run(t, "--dsn", w.dsn, "import", dir)
	require.Equal(t, 0, code, errOut)
	for _, sl := range storetest.CloseCycle(t, w.db, s.Cycles[0].ID) {
		w.shortlists[sl.Advert] = sl
	}
	landlords := map[string]bidding.Landlord{}
	for _, l := range s.Landlords {
		landlords[l.ID] = l
	}
	for _, a := range s.Adverts {
		w.council[a.ID] = landlords[a.Landlord].Council
	}
	return w
}

// advert returns an advert, not in used, of the council (or a housing association) with
// at least n ranked bids.
func (w *weekEnv) advert(council bool, n int, used ...int64) shortlist.Shortlist {
	w.t.Helper()
	for _, a := range w.snap.Adverts {
		sl := w.shortlists[a.ID]
		if w.council[a.ID] == council && len(sl.Ranked) >= n && !containsID(used, a.ID) {
			return sl
		}
	}
	w.t.Fatalf("no advert (council %v) with %d ranked bids", council, n)
	return shortlist.Shortlist{}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// cbl runs a command with the test's DSN, returning its status, stdout and stderr.
func (w *weekEnv) cbl(args ...string) (int, string, string) {
	w.t.Helper()
	return run(w.t, append([]string{"--dsn", w.dsn}, args...)...)
}

// decide runs a decision command an hour after the previous one and requires success.
func (w *weekEnv) decide(args ...string) string {
	w.t.Helper()
	w.clock = w.clock.Add(time.Hour)
	code, _, errOut := w.cbl(append(args, "--actor", "officer1", "--at", w.clock.Format(time.RFC3339))...)
	require.Equal(w.t, 0, code, "%v: %s", args, errOut)
	return errOut
}

// waits returns what advert waits for, from cbl queue --adverts.
func (w *weekEnv) waits(advert int64) map[string]string {
	w.t.Helper()
	code, out, errOut := w.cbl("-o", "json", "queue", "--adverts")
	require.Equal(w.t, 0, code, errOut)
	var rows []struct {
		Advert       int64   `json:"advert"`
		WaitsFor     string  `json:"waits_for"`
		Applications []int64 `json:"applications"`
	}
	require.NoError(w.t, json.Unmarshal([]byte(out), &rows))
	got := map[string]string{}
	for _, r := range rows {
		if r.Advert == advert {
			got[r.WaitsFor] = joinIDs(r.Applications)
		}
	}
	return got
}

func (w *weekEnv) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	require.NoError(w.t, w.db.Get(&n, query, args...))
	return n
}

func idArg(n int64) string { return strconv.FormatInt(n, 10) }

// TestS8_1_WeekOfOffers walks a council advert as officers do: verify, skip one with a
// code, offer, a counted refusal, the next candidate offered and accepting, the let, and
// the published feedback.
func TestS8_1_WeekOfOffers(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 3)
	ad, r := sl.Advert, sl.Ranked
	a := idArg(ad)
	require.Equal(t, map[string]string{"verify": idArg(r[0].Application)}, w.waits(ad))

	code, out, errOut := w.cbl("offer", "verify", a, idArg(r[0].Application), "--skip", "arrears", "--dry-run")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "skipped")
	require.Contains(t, errOut, "dry run, nothing recorded: decision 1: verify_skip")
	require.Zero(t, w.count(`SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM events WHERE kind <> 'import')`))
	w.decide("offer", "verify", a, idArg(r[0].Application), "--skip", "arrears", "--note", "arrears of £400 found at verification")
	w.decide("offer", "verify", a, idArg(r[1].Application))
	w.decide("offer", "make", a, idArg(r[1].Application))
	require.Equal(t, map[string]string{"reply": idArg(r[1].Application)}, w.waits(ad))
	errOut = w.decide("offer", "refuse", a, idArg(r[1].Application), "--counted")
	require.Contains(t, errOut, fmt.Sprintf("advert %d waits for: verify %d", ad, r[2].Application))
	w.decide("offer", "verify", a, idArg(r[2].Application))
	w.decide("offer", "make", a, idArg(r[2].Application))
	errOut = w.decide("offer", "accept", a, idArg(r[2].Application))
	require.Contains(t, errOut, fmt.Sprintf("advert %d is let", ad))
	require.Empty(t, w.waits(ad))

	require.Equal(t, 7, w.count(`SELECT count(*) FROM decisions`))
	require.Equal(t, 2, w.count(`SELECT count(*) FROM offers WHERE advert = $1`, ad))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM offers WHERE advert = $1 AND application = $2
		AND outcome = 'refused' AND refusal_kind = 'refused' AND counted AND resolved_at > made_at`, ad, r[1].Application))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM lets WHERE advert = $1 AND application = $2 AND route = 'shortlist'
		AND position = 3 AND offers_before_acceptance = 1 AND skip_counts->>'arrears' = '1'`, ad, r[2].Application))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'skipped' AND advert = $1 AND reason = 'arrears'
		AND actor = 'officer1'`, ad))

	code, out, errOut = w.cbl("-o", "csv", "decisions", "--advert", a)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 8, out)
	require.Equal(t, "seq,at,actor,kind,advert,application,details", lines[0])
	require.Contains(t, lines[1], ",officer1,verify_skip,"+a+","+idArg(r[0].Application)+",code=arrears note=arrears of £400")
	require.Contains(t, lines[4], ",refuse,"+a+","+idArg(r[1].Application)+",refusal=refused counted=yes final=no")

	code, _, errOut = w.cbl("decisions", "--rebuild")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "rebuilt the kept state from 7 decision(s)")
	code, _, errOut = w.cbl("decisions", "verify")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "verified: replaying 7 decision(s) gives exactly what is kept")

	code, out, errOut = w.cbl("-o", "json", "feedback", idArg(w.snap.Cycles[0].ID))
	require.Equal(t, 0, code, errOut)
	var rows []struct {
		Advert   int64   `json:"advert"`
		Route    string  `json:"route"`
		Position int     `json:"position"`
		Band     *string `json:"band"`
		Eligible int     `json:"eligible"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows), "typed JSON")
	require.Len(t, rows, 1)
	require.Equal(t, ad, rows[0].Advert)
	require.Equal(t, "shortlist", rows[0].Route)
	require.Equal(t, 3, rows[0].Position)
	require.Equal(t, r[2].Band.String(), *rows[0].Band)
	require.Equal(t, len(sl.Ranked), rows[0].Eligible)
	require.NotContains(t, out, idArg(r[2].Application), "feedback does not name the household")

	code, out, _ = w.cbl("feedback", "999")
	require.Equal(t, 0, code)
	require.Equal(t, "advert  cycle  locality  type  bedrooms  landlord  route  bids  eligible  band  effective  position  days_effective_to_offer\n", out)
}

// TestS8_7_NominationRejectThenRequestMore sends a housing association the first
// batch; it rejects one with a code and asks for more; the council verifies the next.
func TestS8_7_NominationRejectThenRequestMore(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(false, 5)
	a := idArg(sl.Advert)
	var sent []int64
	for range 3 { // nn-2021 nominations.batch_size
		next := w.waits(sl.Advert)["verify"]
		require.NotEmpty(t, next)
		w.decide("offer", "verify", a, next)
		n, _ := strconv.ParseInt(next, 10, 64)
		sent = append(sent, n)
	}
	w.decide("nominate", "send", a)
	require.Equal(t, joinIDs(sent), w.waits(sl.Advert)["landlord"])
	w.decide("nominate", "reject", a, idArg(sent[0]), "--code", "landlord_policy", "--note", "former tenant arrears")
	w.decide("nominate", "request-more", a)
	got := w.waits(sl.Advert)
	require.Equal(t, joinIDs(sent[1:]), got["landlord"])
	require.NotEmpty(t, got["verify"], "round 2: the council verifies the next candidate")
	require.NotContains(t, sent, got["verify"])

	require.Equal(t, 3, w.count(`SELECT count(*) FROM nominations WHERE advert = $1 AND batch = 1`, sl.Advert))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM nominations WHERE advert = $1 AND application = $2
		AND outcome = 'rejected' AND reason = 'landlord_policy' AND decided_at IS NOT NULL`, sl.Advert, sent[0]))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'more_requested' AND advert = $1`, sl.Advert))

	// The landlord offers to a nominee; the applicant accepts: a let by nomination.
	w.decide("nominate", "accept", a, idArg(sent[1]))
	w.decide("offer", "accept", a, idArg(sent[1]))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM lets WHERE advert = $1 AND route = 'nomination'`, sl.Advert))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM nominations WHERE advert = $1 AND outcome = 'closed'
		AND reason = 'advert_let'`, sl.Advert))

	code, out, errOut := w.cbl("-o", "json", "feedback", "--landlords")
	require.Equal(t, 0, code, errOut)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	var landlord string
	for _, ad := range w.snap.Adverts {
		if ad.ID == sl.Advert {
			landlord = ad.Landlord
		}
	}
	require.NotEmpty(t, landlord)
	found := 0
	for _, r := range rows {
		if r["landlord"] == landlord {
			found++
			require.Equal(t, map[string]any{"landlord": landlord, "council": false, "lets": 1.0, "nominated": 1.0,
				"direct": 0.0, "share_percent": r["share_percent"], "achieved_percent": 100.0, "short": false}, r)
		}
	}
	require.Equal(t, 1, found)
}

func TestS8_9_DirectLet(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 1)
	tenant := sl.Ranked[len(sl.Ranked)-1].Application
	code, _, errOut := w.cbl("let", "direct", idArg(sl.Advert), idArg(tenant), "--category", "decant")
	require.Equal(t, 2, code, "--reason and --authoriser are required")
	require.Contains(t, errOut, "--reason is required")

	w.decide("let", "direct", idArg(sl.Advert), idArg(tenant), "--category", "decant",
		"--reason", "estate regeneration decant", "--authoriser", "Head of Housing")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM lets WHERE advert = $1 AND application = $2 AND direct
		AND route = 'direct' AND category = 'decant' AND authorised_by = 'Head of Housing'`, sl.Advert, tenant))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'direct_let' AND advert = $1`, sl.Advert))
	require.Empty(t, w.waits(sl.Advert))
}

// TestDecision_RefusedWritesNothing: a decision that does not fit is refused with exit
// status 1 and a message naming what is wrong, and nothing is written.
func TestDecision_RefusedWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 2)
	a := idArg(sl.Advert)
	w.decide("offer", "verify", a, idArg(sl.Ranked[0].Application))
	tables := `SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM events) + (SELECT count(*) FROM offers)
		+ (SELECT count(*) FROM lets) + (SELECT count(*) FROM nominations)`
	before := w.count(tables)
	for name, args := range map[string][]string{
		"offer to a candidate not verified": {"offer", "make", a, idArg(sl.Ranked[1].Application)},
		"accept without an offer":           {"offer", "accept", a, idArg(sl.Ranked[0].Application)},
		"verify out of turn":                {"offer", "verify", a, idArg(sl.Ranked[1].Application)},
		"nominate on a council advert":      {"nominate", "send", a},
		"at before the last decision":       {"offer", "make", a, idArg(sl.Ranked[0].Application), "--at", "2020-01-01"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := w.cbl(args...)
			require.Equal(t, 1, code, errOut)
			require.Empty(t, out)
			require.Contains(t, errOut, "nothing recorded")
			require.Equal(t, before, w.count(tables))
		})
	}
	// An unknown skip code is a usage error (S7.5 lists the codes), refused before the
	// record is read.
	code, _, errOut := w.cbl("offer", "verify", a, idArg(sl.Ranked[0].Application), "--skip", "too_tall")
	require.Equal(t, 2, code, errOut)
	require.Contains(t, errOut, `"too_tall" is not a skip reason code (S7.5); valid: `)
	require.Equal(t, before, w.count(tables))

	code, _, errOut = w.cbl("offer", "make", a, idArg(sl.Ranked[1].Application))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, fmt.Sprintf("offer advert %d application %d refused: application: %d has not passed verification",
		sl.Advert, sl.Ranked[1].Application, sl.Ranked[1].Application))
	code, _, errOut = w.cbl("offer", "refuse", a, idArg(sl.Ranked[0].Application), "--kind", "maybe")
	require.Equal(t, 2, code, errOut)
}

// TestS8_11_WithdrawOfferThenAdvert: an offer withdrawn with a code skips the applicant;
// property_withdrawn then withdraws the advert.
func TestS8_11_WithdrawOfferThenAdvert(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 2)
	a, first := idArg(sl.Advert), idArg(sl.Ranked[0].Application)
	w.decide("offer", "verify", a, first)
	w.decide("offer", "make", a, first)
	code, _, errOut := w.cbl("offer", "withdraw", a, "--code", "property_withdrawn")
	require.Equal(t, 1, code, "an open offer must be withdrawn first")
	require.Contains(t, errOut, "has an open offer to "+first)
	w.decide("offer", "withdraw", a, first, "--code", "undisclosed_change", "--note", "moved in a partner")
	w.decide("offer", "withdraw", a, "--code", "property_withdrawn", "--note", "fire damage")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM offers WHERE advert = $1 AND outcome = 'withdrawn'`, sl.Advert))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'advert_withdrawn' AND advert = $1`, sl.Advert))
	require.Empty(t, w.waits(sl.Advert))
	code, _, errOut = w.cbl("offer", "withdraw", a, first)
	require.Equal(t, 2, code, errOut)
}

func TestDecisionCommands_UsageErrors(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"unknown offer subcommand": {"offer", "frob"},
		"unknown nominate command": {"nominate", "x"},
		"verify needs APP":         {"offer", "verify", "4"},
		"ADVERT not a number":      {"offer", "make", "four", "1"},
		"bad --at":                 {"offer", "make", "4", "1", "--at", "tomorrow"},
		"reject needs --code":      {"nominate", "reject", "4", "1"},
		"withdraw needs --code":    {"offer", "withdraw", "4"},
		"explain needs APP":        {"explain"},
		"feedback one CYCLE":       {"feedback", "1", "2"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"--dsn", "postgres://nobody@127.0.0.1:1/none?sslmode=disable"}, args...)...)
			require.Equal(t, 2, code, errOut)
			require.Empty(t, out)
			require.Contains(t, errOut, "--help' for usage")
		})
	}
}

// TestS7_5_BadCodeListsValidCodes: a reason code that is not one of S7.5's is refused
// before anything is recorded (no database is needed), and the error lists the codes.
func TestS7_5_BadCodeListsValidCodes(t *testing.T) {
	for _, args := range [][]string{
		{"offer", "verify", "7001", "1001", "--skip", "rude"},
		{"offer", "withdraw", "7001", "1001", "--code", "rude"},
		{"nominate", "reject", "7001", "1001", "--code", "rude"},
	} {
		code, _, errOut := run(t, args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Contains(t, errOut, `"rude" is not a skip reason code (S7.5); valid: unsuitable_property, bedroom_mismatch,`)
		require.Contains(t, errOut, "officer_discretion")
	}
}
