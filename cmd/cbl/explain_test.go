package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/letters"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

func TestExplain_BandAsJSON(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 3)
	app := sl.Ranked[0]
	close := w.snap.Cycles[0].Closes.Format("2006-01-02")
	code, out, errOut := w.cbl("explain", idArg(app.Application), "--as-of", close)
	require.Equal(t, 0, code, errOut)
	var e banding.Explanation
	require.NoError(t, json.Unmarshal([]byte(out), &e))
	require.Equal(t, app.Application, e.Application)
	require.Equal(t, app.Band, e.Band, "the band the shortlist ranked it in")
	require.NotEmpty(t, e.Criteria)

	// The same from the snapshot, without the database.
	code, fromDir, errOut := run(t, "--dsn", "postgres://nobody@127.0.0.1:1/none?sslmode=disable", "explain",
		idArg(app.Application), "--as-of", close, "--register", w.dir)
	require.Equal(t, 0, code, errOut)
	require.JSONEq(t, out, fromDir)

	code, _, errOut = w.cbl("explain", "999999999")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "application 999999999: not in the register")
}

func TestExplain_BidTraceFromStoredShortlist(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 3)
	app := sl.Ranked[2]
	code, out, errOut := w.cbl("explain", idArg(app.Application), "--advert", idArg(sl.Advert))
	require.Equal(t, 0, code, errOut)
	var got struct {
		Position int            `json:"position"`
		Of       int            `json:"of"`
		Ahead    map[string]int `json:"ahead"`
		Trace    struct {
			Outcome  string `json:"outcome"`
			Position int    `json:"position"`
			Checks   []any  `json:"checks"`
		} `json:"trace"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, 3, got.Position)
	require.Equal(t, len(sl.Ranked), got.Of)
	n := 0
	for _, v := range got.Ahead {
		n += v
	}
	require.Equal(t, 2, n, "two ranked ahead")
	require.Equal(t, "ranked", got.Trace.Outcome)
	require.Equal(t, 3, got.Trace.Position)
	require.NotEmpty(t, got.Trace.Checks)

	code, _, errOut = w.cbl("explain", idArg(app.Application), "--advert", "424242")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "advert 424242: no stored shortlist")
}

// TestExplain_LetterMentionsBandAndPosition: the applicant's letter says, in words,
// their band and their place on the shortlist.
func TestExplain_LetterMentionsBandAndPosition(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 3)
	app := sl.Ranked[1]
	close := w.snap.Cycles[0].Closes.Format("2006-01-02")
	code, out, errOut := w.cbl("explain", idArg(app.Application), "--advert", idArg(sl.Advert), "--letter", "--as-of", close)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("You are in Band %s.", app.Band))
	require.Contains(t, out, fmt.Sprintf("property reference %d", sl.Advert))
	require.Contains(t, out, fmt.Sprintf("When bidding closed, you were 2nd of %d bids we could consider.", len(sl.Ranked)))
	require.Contains(t, out, "Ahead of you were 1 in Band ")
	require.False(t, strings.HasPrefix(strings.TrimSpace(out), "{"), "a letter, not JSON")
}

func TestQueue_ListsOverdueWork(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	code, out, errOut := w.cbl("-o", "json", "queue", "--as-of", "2025-06-02")
	require.Equal(t, 0, code, errOut)
	var items []struct {
		Kind        string `json:"kind"`
		Application int64  `json:"application"`
		DaysOverdue int    `json:"days_overdue"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &items), "typed JSON: numbers")
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Kind]++
		if it.Kind == "verification_overdue" {
			require.Positive(t, it.DaysOverdue, it)
		}
	}
	require.Positive(t, kinds["verification_overdue"], "pending applications not answered within 10 working days: %v", kinds)
	require.Contains(t, errOut, "item(s) due as of 2025-06-02")

	code, _, errOut = w.cbl("queue", "--as-of", "June")
	require.Equal(t, 2, code, errOut)
}

// TestS7_5_ExplainSkippedBid: a bid skipped at close is explained with its reason code,
// the check and clause that failed, and in the letter in words.
func TestS7_5_ExplainSkippedBid(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	var skipped *struct{ advert, app int64 }
	for _, a := range w.snap.Adverts {
		if sl := w.shortlists[a.ID]; len(sl.Skipped) > 0 {
			skipped = &struct{ advert, app int64 }{a.ID, sl.Skipped[0].Application}
			break
		}
	}
	require.NotNil(t, skipped, "no bid was skipped at close")
	sk := w.shortlists[skipped.advert].Skipped[0]
	code, out, errOut := w.cbl("explain", idArg(skipped.app), "--advert", idArg(skipped.advert))
	require.Equal(t, 0, code, errOut)
	var got bidExplanation
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Zero(t, got.Position)
	require.Equal(t, sk.Skip, got.Skip)
	require.Equal(t, sk.Check, got.Check)
	require.Equal(t, sk.Clause, got.Clause)
	require.Contains(t, string(got.Trace), `"outcome": "skipped"`)

	code, out, errOut = w.cbl("explain", idArg(skipped.app), "--advert", idArg(skipped.advert), "--letter")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "We could not consider your bid for the ")
	require.Contains(t, out, fmt.Sprintf("(property reference %d).", skipped.advert))
	require.NotContains(t, out, sk.Skip, "the reason in words, not its code")
	require.NotContains(t, out, "Your bid did not meet the rules for this home.", "a concrete reason")
}

// explainedAs is what explain prints for application a under p as of day: the JSON, or
// with letter the letter (with the bid's position pos).
func explainedAs(t *testing.T, a *register.Application, p *policy.Policy, day string, letter bool, pos *letters.Position) string {
	t.Helper()
	var out bytes.Buffer
	app := &App{Stdout: &out}
	require.NoError(t, app.explainBand(a, a.ID, p, day, "", letter, pos))
	return out.String()
}

// TestS8_6_ExplainReadsTheApplicationAsTheDecisionsLeftIt: explain reads one
// application from the register tables (decisions are written back) instead of
// replaying the record; for every application, after a refused final offer under a
// homeless duty and a let, it reads and explains exactly what the register holds, which
// the audit replay of the record (pgstore.Verify) proves is what the record gives.
func TestS8_6_ExplainReadsTheApplicationAsTheDecisionsLeftIt(t *testing.T) {
	t.Parallel()
	w := newWeeks(t, 2)
	ctx := context.Background()
	p, err := pgstore.CyclePolicy(w.snap.Cycles[0])
	require.NoError(t, err)
	day := register.DateOf(w.clock)

	// A household whose band rests on a homeless-duty criterion the policy withdraws
	// when a final offer is refused, ranked on a council advert.
	var x int64
	for _, a := range w.snap.Applications {
		as, err := banding.Assess(&a, p, day)
		require.NoError(t, err)
		discharged := slices.ContainsFunc(as.Criteria, func(m banding.Met) bool {
			return slices.Contains(p.Refusals.DischargeCriteria, m.ID)
		})
		if discharged && len(w.rankedOn(a.ID)) > 0 && (x == 0 || a.ID < x) {
			x = a.ID
		}
	}
	require.NotZero(t, x, "no household under a homeless duty ranked on a council advert")
	refused := w.rankedOn(x)[0]
	// Another council advert, let to the first it ranked.
	var let, y int64
	for _, a := range w.snap.Adverts {
		if sl := w.shortlists[a.ID]; w.council[a.ID] && a.ID != refused && len(sl.Ranked) > 0 && sl.Ranked[0].Application != x {
			let, y = a.ID, sl.Ranked[0].Application
			break
		}
	}
	require.NotZero(t, y, "no second council advert")

	w.offerTo(refused, x)
	w.decide("offer", "refuse", idArg(refused), idArg(x), "--counted", "--final")
	w.offerTo(let, y)
	w.decide("offer", "accept", idArg(let), idArg(y))
	asOf := register.DateOf(w.clock).String()

	st, err := pgstore.LoadState(ctx, w.db)
	require.NoError(t, err)
	got, err := pgstore.AllocationPolicy(ctx, w.db)
	require.NoError(t, err)
	require.Equal(t, st.Input.Policy.Name(), got.Name())
	p = st.Input.Policy

	audit, err := pgstore.Verify(ctx, w.db)
	require.NoError(t, err)
	require.Empty(t, audit.Difference)
	changed := map[int64]bool{x: true, y: true}
	for i := range st.Input.Applications {
		id := st.Input.Applications[i].ID
		want := findApplication(st.Input.Applications, nil, id)
		a, err := pgstore.LoadApplication(ctx, w.db, id)
		require.NoError(t, err)
		require.Equal(t, *want, *a, "application %d", id)
		for _, letter := range []bool{false, true} {
			require.Equal(t, explainedAs(t, want, p, asOf, letter, nil), explainedAs(t, a, got, asOf, letter, nil),
				"application %d (letter %v)", id, letter)
		}
	}

	// The decisions changed what explain says: x lost its homeless criteria, y is closed.
	before := findApplication(w.snap.Applications, nil, x) // as imported
	code, out, errOut := w.cbl("explain", idArg(x), "--as-of", asOf)
	require.Equal(t, 0, code, errOut)
	require.NotEqual(t, explainedAs(t, before, p, asOf, false, nil), out, "the band before the refusal")
	a, err := pgstore.LoadApplication(ctx, w.db, y)
	require.NoError(t, err)
	require.Equal(t, register.StatusClosed, a.Status)

	// Through the command, with and without --letter and --advert, for the changed.
	for id := range changed {
		want := findApplication(st.Input.Applications, nil, id)
		require.NotEqual(t, *findApplication(w.snap.Applications, nil, id), *want, "the decisions changed %d", id)
		code, out, errOut := w.cbl("explain", idArg(id), "--as-of", asOf)
		require.Equal(t, 0, code, errOut)
		require.Equal(t, explainedAs(t, want, p, asOf, false, nil), out, "application %d", id)
		code, out, errOut = w.cbl("explain", idArg(id), "--as-of", asOf, "--letter")
		require.Equal(t, 0, code, errOut)
		require.Equal(t, explainedAs(t, want, p, asOf, true, nil), out, "application %d letter", id)
	}
	bp, err := pgstore.LoadBidPosition(ctx, w.db, refused, x)
	require.NoError(t, err)
	code, out, errOut = w.cbl("explain", idArg(x), "--as-of", asOf, "--advert", idArg(refused), "--letter")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, explainedAs(t, findApplication(st.Input.Applications, nil, x), p, asOf, true,
		&letters.Position{Advert: refused, Position: bp.Entry.Position, Of: bp.Of, Skip: bp.Entry.Skip, Ahead: bp.Ahead}), out)
}
