package pgstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// week imports a small synthetic register, closes its first cycle and returns the
// database and a council advert with at least three ranked bids.
func week(t *testing.T) (*sqlx.DB, int64, []int64) {
	t.Helper()
	s := fixtures.Small(t, 1)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(context.Background(), db, s))
	council := map[string]bool{}
	for _, l := range s.Landlords {
		council[l.ID] = l.Council
	}
	landlord := map[int64]string{}
	for _, a := range s.Adverts {
		landlord[a.ID] = a.Landlord
	}
	for _, sl := range storetest.CloseCycle(t, db, s.Cycles[0].ID) {
		if council[landlord[sl.Advert]] && len(sl.Ranked) >= 3 {
			var apps []int64
			for _, e := range sl.Ranked {
				apps = append(apps, e.Application)
			}
			return db, sl.Advert, apps
		}
	}
	t.Fatal("no council advert with three ranked bids")
	return nil, 0, nil
}

func TestDecide_OfferRecordedAndReplayed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	decide := func(d allocation.Decision) *pgstore.Decided {
		t.Helper()
		d.Actor, d.Advert = "officer", advert
		at = at.Add(time.Hour)
		got, err := pgstore.Decide(ctx, db, at, d)
		require.NoError(t, err)
		return got
	}
	decide(allocation.Decision{Kind: allocation.VerifyPass, Application: apps[0]})
	got := decide(allocation.Decision{Kind: allocation.MakeOffer, Application: apps[0]})
	require.Equal(t, int64(2), got.Seq)
	require.Equal(t, "offered", got.Events[0].Kind)

	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM offers WHERE outcome = 'pending' AND advert = $1`, advert))
	require.Equal(t, 1, n)

	st, err := pgstore.LoadState(ctx, db)
	require.NoError(t, err)
	require.Len(t, st.Decisions, 2)
	require.Len(t, st.Result.Offers, 1)
}

func TestDecide_RefusedDecisionWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	_, err := pgstore.Decide(ctx, db, at.AddDate(0, 0, 1), allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[0]})
	require.NoError(t, err)
	at = at.AddDate(0, 0, 1)
	count := func() (n int) {
		require.NoError(t, db.Get(&n, `SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM events)
			+ (SELECT count(*) FROM offers)`))
		return n
	}
	before := count()
	for name, c := range map[string]struct {
		at   time.Time
		d    allocation.Decision
		want string
	}{
		"not verified":         {at.Add(time.Hour), allocation.Decision{Kind: allocation.MakeOffer, Application: apps[1]}, "has not passed verification"},
		"before the last":      {at.AddDate(0, 0, -1), allocation.Decision{Kind: allocation.MakeOffer, Application: apps[0]}, "is before the last decision on advert"},
		"before advert closed": {at.AddDate(0, 0, -30), allocation.Decision{Kind: allocation.MakeOffer, Application: apps[0]}, "is before advert"},
		"no actor":             {at.Add(time.Hour), allocation.Decision{Kind: allocation.MakeOffer, Application: apps[0], Actor: "-"}, "actor: missing"},
		"no shortlist":         {at.Add(time.Hour), allocation.Decision{Kind: allocation.VerifyPass, Advert: 424242, Application: apps[0]}, "424242: not among the cycle's adverts"},
	} {
		t.Run(name, func(t *testing.T) {
			if c.d.Advert == 0 {
				c.d.Advert = advert
			}
			if c.d.Actor == "" {
				c.d.Actor = "kp"
			} else {
				c.d.Actor = ""
			}
			_, err := pgstore.Decide(ctx, db, c.at, c.d)
			var re *pgstore.RejectedError
			require.ErrorAs(t, err, &re)
			require.ErrorIs(t, err, allocation.ErrDecision)
			require.ErrorContains(t, err, c.want)
			require.ErrorContains(t, err, "nothing recorded")
			require.Equal(t, before, count())
		})
	}
}

func TestDecisions_AppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	_, err := pgstore.Decide(ctx, db, time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[0]})
	require.NoError(t, err)
	for _, q := range []string{`UPDATE decisions SET actor = 'someone else'`, `DELETE FROM decisions`, `TRUNCATE decisions`} {
		_, err := db.Exec(q)
		require.ErrorContains(t, err, "append-only", q)
	}
}

// TestDecide_EventsAndStateMatchReplay: the events written are the replay's, each at the
// moment of the decision that caused it, and LoadState gives what Decide returned.
func TestDecide_EventsAndStateMatchReplay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	var made []allocation.Event
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifySkip, Application: apps[0], Code: "no_contact", Reason: "three calls, no answer"},
		{Kind: allocation.VerifyPass, Application: apps[1]},
		{Kind: allocation.MakeOffer, Application: apps[1]},
		{Kind: allocation.Accept, Application: apps[1]},
	} {
		d.Actor, d.Advert = "kp", advert
		got, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
		made = append(made, got.Events...)
	}
	audit, err := pgstore.Verify(ctx, db)
	require.NoError(t, err)
	require.Equal(t, pgstore.Audit{Decisions: 4}, *audit, "what Decide kept is what replaying the record gives")

	events, err := pgstore.Events(ctx, db, 0)
	require.NoError(t, err)
	var fromDecisions, written []pgstore.Event
	for _, e := range events {
		switch {
		case strings.HasPrefix(e.Kind, "register_"):
			written = append(written, e)
		case e.Kind != "import":
			fromDecisions = append(fromDecisions, e)
		}
	}
	require.Len(t, written, 1, "the let writes the tenant's status back to the register")
	require.Equal(t, "register_status", written[0].Kind)
	require.Equal(t, apps[1], written[0].Application)
	require.Len(t, fromDecisions, len(made))
	for i, e := range made {
		require.Equal(t, e.Kind, fromDecisions[i].Kind)
		require.Equal(t, e.Application, fromDecisions[i].Application)
	}
	require.Equal(t, at.Add(3*time.Hour), fromDecisions[len(fromDecisions)-1].At, "the let, at the acceptance")
	var letOn string
	require.NoError(t, db.Get(&letOn, `SELECT let_on::text FROM lets WHERE advert = $1`, advert))
	require.Equal(t, "2025-04-09", letOn)
}

// TestDecide_ConcurrentWritersSerialised: two officers verifying the same candidate at
// once — one is recorded, the other refused, never both.
func TestDecide_ConcurrentWritersSerialised(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	errs := make(chan error, 2)
	for _, who := range []string{"kp", "jb"} {
		go func() {
			_, err := pgstore.Decide(ctx, db, at, allocation.Decision{Kind: allocation.VerifyPass, Actor: who,
				Advert: advert, Application: apps[0]})
			errs <- err
		}()
	}
	var failed int
	for range 2 {
		if err := <-errs; err != nil {
			require.ErrorIs(t, err, allocation.ErrDecision)
			failed++
		}
	}
	require.Equal(t, 1, failed)
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM decisions`))
	require.Equal(t, 1, n)
}

// TestLoadState_RecordNoLongerFits: after the register is replaced under the record,
// decisions and reports are refused until the kept state is rebuilt, and the rebuild
// says which recorded decision no longer applies.
func TestLoadState_RecordNoLongerFits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	_, err := pgstore.Decide(ctx, db, time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[0]})
	require.NoError(t, err)
	s, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	require.NoError(t, pgstore.ImportWith(ctx, db, s, pgstore.ImportOptions{Replace: true})) // shortlists are dropped
	_, err = pgstore.LoadState(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrStale)
	_, err = pgstore.Decide(ctx, db, time.Date(2025, 4, 9, 10, 0, 0, 0, time.UTC),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[1]})
	require.ErrorIs(t, err, pgstore.ErrStale)
	_, err = pgstore.Rebuild(ctx, db)
	require.ErrorContains(t, err, "decision 1 (verify_pass at 2025-04-09T09:00:00Z by kp) no longer applies")
}

// TestRebuild_SameRowsAsDecide: rebuilding the derived tables from the record gives the
// rows Decide wrote one decision at a time, timestamps included.
func TestRebuild_SameRowsAsDecide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
		{Kind: allocation.Refuse, Application: apps[0], Refusal: "no_reply", Counted: true},
		{Kind: allocation.VerifyPass, Application: apps[1]},
		{Kind: allocation.MakeOffer, Application: apps[1]},
		{Kind: allocation.Accept, Application: apps[1]},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	derived := func() []string {
		var rows []string
		require.NoError(t, db.Select(&rows, `SELECT row_to_json(o)::text FROM (SELECT advert, application, made_at, outcome,
			resolved_at, refusal_kind, counted, final, recorded_by, position, landlord FROM offers ORDER BY advert, application) o
			UNION ALL SELECT row_to_json(l)::text FROM lets l
			UNION ALL SELECT row_to_json(w)::text FROM walks w
			UNION ALL SELECT row_to_json(e)::text FROM walk_entries e
			UNION ALL SELECT row_to_json(h)::text FROM household_clocks h ORDER BY 1`))
		return rows
	}
	want := derived()
	require.Len(t, want, 3+1+2+2)
	_, err := db.Exec(`DELETE FROM offers`)
	require.ErrorContains(t, err, "offers is kept by cbl from the record of decisions: DELETE refused")
	// Lost as only cbl could lose them (a transaction that says it is cbl's).
	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`SET LOCAL cbl.writer = 'on'; DELETE FROM offers; DELETE FROM lets; DELETE FROM walks; DELETE FROM household_clocks`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	_, err = pgstore.Rebuild(ctx, db)
	require.NoError(t, err)
	require.Equal(t, want, derived())
}

// TestHandEdit_KeptStateRefused: the state kept from the record (walks, offers,
// nominations, lets, reviews …) cannot be edited by hand: the database refuses it, so the
// next decision never continues from a walk the record does not give.
func TestHandEdit_KeptStateRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	_, err := pgstore.Decide(ctx, db, time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[0]})
	require.NoError(t, err)
	for _, q := range []string{
		`UPDATE walks SET status = 'withdrawn'`,
		`DELETE FROM walk_entries`,
		`INSERT INTO household_clocks (application, last) VALUES (1, '2025-01-01')`,
		`UPDATE allocation_state SET stale = false`,
		`TRUNCATE lets`,
	} {
		_, err := db.Exec(q)
		require.ErrorContains(t, err, "is kept by cbl from the record of decisions", q)
	}
	audit, err := pgstore.Verify(ctx, db)
	require.NoError(t, err)
	require.Empty(t, audit.Difference)
}

// TestHandEdit_RegisterRowsStandAndVerifyNamesThem: the register tables stay open to hand
// edits and decisions read them as they stand, so an edit to a row decisions changed (a
// refusal row deleted by hand) is not lost at the next decision; the audit names it as
// not what the record gives, and --rebuild would put the record's state back.
func TestHandEdit_RegisterRowsStandAndVerifyNamesThem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
		{Kind: allocation.Refuse, Application: apps[0], Refusal: "refused", Counted: true},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	_, err := db.Exec(`DELETE FROM refusals WHERE application = $1`, apps[0])
	require.NoError(t, err)
	_, err = pgstore.Decide(ctx, db, at.Add(4*time.Hour), allocation.Decision{Kind: allocation.RequestReview, Actor: "kp",
		Application: apps[0], Subject: allocation.SubjectBand, Of: register.MustDate("2025-04-01"), Reason: "asked"})
	require.NoError(t, err)
	_, err = pgstore.Decide(ctx, db, at.Add(5*time.Hour), allocation.Decision{Kind: allocation.DecideReview, Actor: "kp",
		Application: apps[0], Outcome: allocation.Changed, Band: register.BandB, Reason: "reviewed"})
	require.NoError(t, err)
	a, err := pgstore.LoadApplication(ctx, db, apps[0])
	require.NoError(t, err)
	require.Empty(t, a.Refusals, "the next decision kept the hand edit")
	require.Equal(t, register.BandB, a.History[len(a.History)-1].Band)

	audit, err := pgstore.Verify(ctx, db)
	require.NoError(t, err)
	require.Contains(t, audit.Difference, fmt.Sprintf("application %d: the register holds", apps[0]))
	_, err = pgstore.Rebuild(ctx, db)
	require.NoError(t, err)
	a, err = pgstore.LoadApplication(ctx, db, apps[0])
	require.NoError(t, err)
	require.Len(t, a.Refusals, 1, "the rebuild puts back what the record gives")
}

// TestDecide_NotInTheFuture: a decision dated after now (plus the clocks' tolerance,
// register.ClockSkew) is refused with the range allowed, and nothing is written — one
// mistyped year would otherwise date every later decision on that advert before it.
func TestDecide_NotInTheFuture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	_, err := pgstore.Decide(ctx, db, time.Date(2205, 4, 10, 10, 0, 0, 0, time.UTC),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[0]})
	var re *pgstore.RejectedError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "at", re.Field)
	require.ErrorContains(t, err, "2205-04-10T10:00:00Z: want a time from 1900-01-01")
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM decisions`))
	require.Zero(t, n)
	_, err = pgstore.Decide(ctx, db, time.Now().Add(time.Minute),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: advert, Application: apps[0]})
	require.NoError(t, err, "a minute ahead is within the clocks' tolerance")
}

// TestDecide_VoidRewritesWhatWasKept: an offer made to the wrong household is voided by a
// decision of its own. The record keeps both; the offer is gone from what was kept, the
// walk is back at the verified candidate, the void is an event, and the audit finds the
// kept state equal to the record without the voided decision. A void of a decision a
// later one depended on is refused, naming why, with nothing written.
func TestDecide_VoidRewritesWhatWasKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	count := func(q string) (n int) {
		require.NoError(t, db.Get(&n, q))
		return n
	}
	// The verification cannot go while the offer rests on it.
	_, err := pgstore.Decide(ctx, db, at.Add(3*time.Hour), allocation.Decision{Kind: allocation.Void, Actor: "kp", Voids: 1, Reason: "wrong advert"})
	var re *pgstore.RejectedError
	require.ErrorAs(t, err, &re)
	require.ErrorContains(t, err, "the record without decision 1 does not replay")
	require.Equal(t, 2, count(`SELECT count(*) FROM decisions`))

	got, err := pgstore.Decide(ctx, db, at.Add(3*time.Hour), allocation.Decision{Kind: allocation.Void, Actor: "kp", Voids: 2, Reason: "offered to the wrong household"})
	require.NoError(t, err)
	require.Equal(t, int64(3), got.Seq)
	require.Equal(t, 3, count(`SELECT count(*) FROM decisions`), "the record keeps both")
	require.Zero(t, count(`SELECT count(*) FROM offers`), "the voided offer is not kept")
	require.Equal(t, 1, count(`SELECT count(*) FROM events WHERE kind = 'decision_voided' AND actor = 'kp'`))
	st := &pgstore.Store{DB: db}
	waits, err := st.Waiting(ctx, advert)
	require.NoError(t, err)
	require.Equal(t, allocation.WaitOffer, waits[0].For, "back to the verified candidate")
	require.Equal(t, []int64{apps[0]}, waits[0].Applications)
	audit, err := pgstore.Verify(ctx, db)
	require.NoError(t, err)
	require.Equal(t, pgstore.Audit{Decisions: 3}, *audit)

	for voids, want := range map[int64]string{2: "decision 2 is voided already", 3: "decision 3 is itself a void", 9: "no decision 9 is recorded"} {
		_, err = pgstore.Decide(ctx, db, at.Add(4*time.Hour), allocation.Decision{Kind: allocation.Void, Actor: "kp", Voids: voids, Reason: "x"})
		require.ErrorContains(t, err, want)
	}
	_, err = pgstore.Decide(ctx, db, at.Add(4*time.Hour), allocation.Decision{Kind: allocation.Void, Actor: "kp", Voids: 1, Reason: "  "})
	require.ErrorContains(t, err, "reason: missing")
	// The record goes on: the candidate is offered again, rightly.
	_, err = pgstore.Decide(ctx, db, at.Add(5*time.Hour), allocation.Decision{Kind: allocation.MakeOffer, Actor: "kp", Advert: advert, Application: apps[0]})
	require.NoError(t, err)
	audit, err = pgstore.Verify(ctx, db)
	require.NoError(t, err)
	require.Equal(t, pgstore.Audit{Decisions: 4}, *audit)
}
