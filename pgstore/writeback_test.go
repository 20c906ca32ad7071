package pgstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

// registerRows is the register state of applications apps that decisions change, as text.
func registerRows(t *testing.T, db interface {
	Select(dest any, query string, args ...any) error
}, apps ...int64) []string {
	t.Helper()
	var rows []string
	require.NoError(t, db.Select(&rows, `SELECT concat_ws(' ', id, status, status_reason, status_until) FROM applications
		WHERE id = ANY($1) UNION ALL
		SELECT concat_ws(' ', application, seq, advert, refused_on, kind, counted, final, recorded_by) FROM refusals
		WHERE application = ANY($1) UNION ALL
		SELECT concat_ws(' ', application, seq, band, from_date, to_date, effective, reason) FROM band_history
		WHERE application = ANY($1) UNION ALL
		SELECT concat_ws(' ', application, seq, kind, criterion, made_on) FROM overrides
		WHERE application = ANY($1) ORDER BY 1`, pq.Array(apps)))
	return rows
}

// TestDecide_WritesBackOnlyWhatTheDecisionChanged: a refusal writes the refusal, a let
// the tenant's status; verifications and offers write nothing to the register. The
// audit replay starts from the pre-decision register and gives what was kept.
func TestDecide_WritesBackOnlyWhatTheDecisionChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	initial := registerRows(t, db, apps[0], apps[1])
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	require.Equal(t, initial, registerRows(t, db, apps[0], apps[1]), "verifying and offering change no register row")
	for i, d := range []allocation.Decision{
		{Kind: allocation.Refuse, Application: apps[0], Refusal: "no_reply", Counted: true},
		{Kind: allocation.VerifyPass, Application: apps[1]},
		{Kind: allocation.MakeOffer, Application: apps[1]},
		{Kind: allocation.Accept, Application: apps[1]},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i+2)*time.Hour), d)
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM refusals WHERE application = $1 AND advert = $2
		AND kind = 'no_reply' AND counted AND refused_on = '2025-04-09' AND recorded_by = 'kp'`, apps[0], advert))
	require.Equal(t, 1, n)
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM applications WHERE id = $1 AND status = 'closed'
		AND status_reason LIKE 'rehoused: advert %'`, apps[1]))
	require.Equal(t, 1, n)
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM register_base`))
	require.Equal(t, 2, n)

	verified(t, db, 6)
}

// verified: replaying the whole record of n decisions gives what Decide kept.
func verified(t *testing.T, db *sqlx.DB, n int) {
	t.Helper()
	audit, err := pgstore.Verify(context.Background(), db)
	require.NoError(t, err)
	require.Equal(t, pgstore.Audit{Decisions: n}, *audit)
}

// TestRebuild_RestoresTheRegister: a register that lost the decisions' changes (say,
// decisions recorded before they were written back) is put back in the state the
// record implies, with an events row per change; a second rebuild changes nothing.
func TestRebuild_RestoresTheRegister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	initial := registerRows(t, db, apps[0], apps[1])
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
		{Kind: allocation.Refuse, Application: apps[0], Refusal: "refused", Counted: true},
		{Kind: allocation.VerifyPass, Application: apps[1]},
		{Kind: allocation.MakeOffer, Application: apps[1]},
		{Kind: allocation.Accept, Application: apps[1]},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	want := registerRows(t, db, apps[0], apps[1])
	require.NotEqual(t, initial, want)

	// Undo the write-back by hand: the register as it was before any decision.
	_, err := db.Exec(`DELETE FROM register_base`)
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM refusals WHERE application = $1 AND advert = $2`, apps[0], advert)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE applications SET status = 'active', status_reason = '', status_until = NULL WHERE id = $1`, apps[1])
	require.NoError(t, err)
	require.Equal(t, initial, registerRows(t, db, apps[0], apps[1]))

	_, err = pgstore.Rebuild(ctx, db)
	require.NoError(t, err)
	require.Equal(t, want, registerRows(t, db, apps[0], apps[1]))
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM events WHERE actor = 'rebuild' AND kind LIKE 'register_%'`))
	require.Equal(t, 2, n, "the refusal and the status")
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM register_base`))
	require.Equal(t, 2, n)

	_, err = pgstore.Rebuild(ctx, db)
	require.NoError(t, err)
	require.Equal(t, want, registerRows(t, db, apps[0], apps[1]))
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM events WHERE actor = 'rebuild'`))
	require.Equal(t, 2, n, "a second rebuild changes nothing")
}

// baseRows is register_base as text, by application.
func baseRows(t *testing.T, db interface {
	Select(dest any, query string, args ...any) error
}) []string {
	t.Helper()
	var rows []string
	require.NoError(t, db.Select(&rows, `SELECT concat_ws(' ', application, decision, state::text) FROM register_base
		ORDER BY application`))
	return rows
}

// TestExport_AfterDecisions_ReplaceKeepsWhereTheRecordStarts: a register exported after
// decisions that wrote back (a counted refusal, a let) and imported with replace under
// the same record holds the same register and the same pre-decision state
// (register_base), and exports the same again.
func TestExport_AfterDecisions_ReplaceKeepsWhereTheRecordStarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
		{Kind: allocation.Refuse, Application: apps[0], Refusal: "refused", Counted: true},
		{Kind: allocation.VerifyPass, Application: apps[1]},
		{Kind: allocation.MakeOffer, Application: apps[1]},
		{Kind: allocation.Accept, Application: apps[1]},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	bases := baseRows(t, db)
	require.Len(t, bases, 2)
	s1, err := pgstore.Export(ctx, db)
	require.NoError(t, err)

	require.Len(t, s1.Bases, 2)

	require.NoError(t, pgstore.ImportWith(ctx, db, s1, pgstore.ImportOptions{Replace: true}))
	require.Equal(t, bases, baseRows(t, db), "the pre-decision state is imported with the register")
	s2, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	require.Equal(t, s1, s2)

	// A fresh database records no decisions: the register as exported is where its record
	// starts, so the bases are not loaded and nothing is replayed over it.
	fresh := pgtest.DB(t)
	require.NoError(t, pgstore.ImportWith(ctx, fresh, s1, pgstore.ImportOptions{Note: func(string) {}}))
	require.Empty(t, baseRows(t, fresh))
	s3, err := pgstore.Export(ctx, fresh)
	require.NoError(t, err)
	want := *s1
	want.Bases = nil
	require.Equal(t, &want, s3)
	st, err := pgstore.LoadState(ctx, fresh)
	require.NoError(t, err)
	require.Empty(t, st.Decisions)
	require.Equal(t, s3.Applications, st.Input.Applications)
}

// TestS8_4_CountedRefusalsCountOnceAfterReplace: two counted refusals (one each by
// two households), exported, imported with replace under the same record and the cycle
// closed again and the kept state rebuilt: the replay starts from the imported
// pre-decision state, so each refusal counts once and neither household is closed — the
// state is what it was before.
func TestS8_4_CountedRefusalsCountOnceAfterReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	for i, d := range []allocation.Decision{
		{Kind: allocation.VerifyPass, Application: apps[0]},
		{Kind: allocation.MakeOffer, Application: apps[0]},
		{Kind: allocation.Refuse, Application: apps[0], Refusal: "refused", Counted: true},
		{Kind: allocation.VerifyPass, Application: apps[1]},
		{Kind: allocation.MakeOffer, Application: apps[1]},
		{Kind: allocation.Refuse, Application: apps[1], Refusal: "refused", Counted: true},
	} {
		d.Actor, d.Advert = "kp", advert
		_, err := pgstore.Decide(ctx, db, at.Add(time.Duration(i)*time.Hour), d)
		require.NoError(t, err)
	}
	want, err := pgstore.LoadState(ctx, db)
	require.NoError(t, err)
	rows := registerRows(t, db, apps[0], apps[1])
	s, err := pgstore.Export(ctx, db)
	require.NoError(t, err)

	require.NoError(t, pgstore.ImportWith(ctx, db, s, pgstore.ImportOptions{Replace: true}))
	storetest.CloseCycle(t, db, s.Cycles[0].ID) // the replace dropped the shortlists
	_, err = pgstore.LoadState(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrStale, "the kept state went with the register")
	_, err = pgstore.Rebuild(ctx, db)
	require.NoError(t, err)
	require.Equal(t, rows, registerRows(t, db, apps[0], apps[1]), "the record and the register agree")
	for _, id := range apps[:2] {
		a, err := pgstore.LoadApplication(ctx, db, id)
		require.NoError(t, err)
		require.Len(t, a.Refusals, 1, "application %d: each refusal counts once", a.ID)
		require.Equal(t, "active", string(a.Status), "application %d", a.ID)
	}
	got, err := pgstore.LoadState(ctx, db)
	require.NoError(t, err)
	require.Equal(t, want.Result.Offers, got.Result.Offers)
	require.Equal(t, want.Input.Walks, got.Input.Walks)
	verified(t, db, 6)
}

// TestS3_6_ReassessmentSurvivesTheNextDecision: an application a decision wrote back
// (a counted refusal) is re-banded by cbl assess; the next decision on it (a band review)
// keeps the reassessment's spell, as must the audit replay and a rebuilt register.
func TestS3_6_ReassessmentSurvivesTheNextDecision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, advert, apps := week(t)
	app := apps[0]
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	decide := func(d allocation.Decision) {
		t.Helper()
		d.Actor, d.Application = "kp", app
		at = at.Add(time.Hour)
		_, err := pgstore.Decide(ctx, db, at, d)
		require.NoError(t, err)
	}
	decide(allocation.Decision{Kind: allocation.VerifyPass, Advert: advert})
	decide(allocation.Decision{Kind: allocation.MakeOffer, Advert: advert})
	decide(allocation.Decision{Kind: allocation.Refuse, Advert: advert, Refusal: "no_reply", Counted: true})
	var based int
	require.NoError(t, db.Get(&based, `SELECT count(*) FROM register_base WHERE application = $1`, app))
	require.Equal(t, 1, based, "the refusal wrote the application back")

	// Its home is found in severe disrepair: Band A on reassessment.
	var band string
	require.NoError(t, db.Get(&band, `SELECT band FROM band_history WHERE application = $1 AND to_date IS NULL`, app))
	require.NotEqual(t, "A", band, "the test needs an application that is not in Band A yet")
	_, err := db.Exec(`UPDATE applications SET disrepair = true WHERE id = $1`, app)
	require.NoError(t, err)
	day := register.MustDate("2025-04-10")
	p, err := policy.Builtins().At("nn-2021", day)
	require.NoError(t, err)
	changes, err := pgstore.Reassess(ctx, db, p, day, "assessor", false)
	require.NoError(t, err)
	i := slices.IndexFunc(changes, func(c banding.Reband) bool { return c.Application == app })
	require.GreaterOrEqual(t, i, 0, "application %d is re-banded", app)
	reassessed := changes[i].History
	require.Equal(t, register.BandA, changes[i].New.Band)
	spell := reassessed[len(reassessed)-1]
	require.Equal(t, day, spell.From)
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM decisions WHERE kind = 'reband' AND application = $1
		AND payload->>'band' = 'A' AND payload->>'on' = '2025-04-10'`, app))
	require.Equal(t, 1, n, "the reassessment of an application the record changed is in the record")
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM decisions WHERE kind = 'reband'`))
	require.Equal(t, 1, n, "only that one: the others are read from the register as it stands")

	hasSpell := func(h []register.BandSpell) bool {
		return slices.ContainsFunc(h, func(s register.BandSpell) bool {
			return s.Band == spell.Band && s.From == spell.From && s.Effective == spell.Effective && s.Reason == spell.Reason
		})
	}
	require.True(t, hasSpell(historyOf(t, db, app)), "the register holds the reassessment")
	verified(t, db, 4)

	// The applicant asks for a review of the band; the officer sets Band B.
	at = time.Date(2025, 4, 11, 9, 0, 0, 0, time.UTC)
	decide(allocation.Decision{Kind: allocation.RequestReview, Subject: allocation.SubjectBand, Of: day, Reason: "disrepair fixed"})
	decide(allocation.Decision{Kind: allocation.DecideReview, Outcome: allocation.Changed, Band: register.BandB, Reason: "repairs done"})

	var hist []register.BandSpell
	rows, err := db.Query(`SELECT band, from_date::text, effective::text, reason FROM band_history WHERE application = $1 ORDER BY seq`, app)
	require.NoError(t, err)
	for rows.Next() {
		var b, from, eff, reason string
		require.NoError(t, rows.Scan(&b, &from, &eff, &reason))
		bb, err := register.ParseBand(b)
		require.NoError(t, err)
		hist = append(hist, register.BandSpell{Band: bb, From: register.MustDate(from), Effective: register.MustDate(eff), Reason: reason})
	}
	require.NoError(t, rows.Err())
	require.True(t, hasSpell(hist), "band_history keeps the reassessment after the review: %v", hist)
	require.Equal(t, register.BandB, hist[len(hist)-1].Band)

	verified(t, db, 6)
	want := registerRows(t, db, app)
	_, err = pgstore.Rebuild(ctx, db)
	require.NoError(t, err)
	require.Equal(t, want, registerRows(t, db, app), "replaying the record over the register changes nothing")
	verified(t, db, 6)
}

// historyOf is application id's band history as the register holds it.
func historyOf(t *testing.T, db *sqlx.DB, id int64) []register.BandSpell {
	t.Helper()
	a, err := pgstore.LoadApplication(context.Background(), db, id)
	require.NoError(t, err)
	return a.History
}

// TestReassess_RecordedRebandNotBeforeTheLastDecision: a reassessment that would re-band
// an application the record changed cannot be dated before the record's last decision
// (its replay would go back in time); nothing is written. A dry run records nothing.
func TestReassess_RecordedRebandNotBeforeTheLastDecision(t *testing.T) {
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
	_, err := db.Exec(`UPDATE applications SET immigration_ineligible = true WHERE id = $1`, apps[0])
	require.NoError(t, err)
	want := registerRows(t, db, apps[0])
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)

	_, err = pgstore.Reassess(ctx, db, p, register.MustDate("2025-04-08"), "assessor", false)
	require.ErrorContains(t, err, "is before the last decision on application")
	require.Equal(t, want, registerRows(t, db, apps[0]))

	dry, err := pgstore.Reassess(ctx, db, p, register.MustDate("2025-04-09"), "assessor", true)
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(dry, func(c banding.Reband) bool {
		return c.Application == apps[0] && c.New.Band == register.NoBand
	}), "no longer qualifying")
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM decisions`))
	require.Equal(t, 3, n, "a dry run records nothing")

	done, err := pgstore.Reassess(ctx, db, p, register.MustDate("2025-04-09"), "assessor", false)
	require.NoError(t, err)
	require.Equal(t, dry, done)
	var at4 time.Time
	require.NoError(t, db.Get(&at4, `SELECT at FROM decisions WHERE seq = 4 AND kind = 'reband'`))
	require.Equal(t, at.Add(2*time.Hour), at4.UTC(), "dated on its day, not before the last decision")
}
