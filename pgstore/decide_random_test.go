package pgstore_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestDecide_RandomSequencesEqualTheFullReplay drives a long random sequence of decisions
// — verifications and skips, offers, acceptances, refusals counted and not, final offers,
// withdrawals, nominations and landlords' answers, direct lets, reviews asked for and
// decided, renewals, some dated back and some that do not fit — through pgstore.Decide
// (each reading only what it touches from the tables) and through a walk of the whole
// register in memory, on two closed weeks of a generated register. After every decision
// both accept it or both refuse it, and pgstore.Verify (the whole record replayed) finds
// the kept state equal to the record.
func TestDecide_RandomSequencesEqualTheFullReplay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Small(t, 2)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	for _, c := range s.Cycles {
		_, err := pgstore.CloseCycle(ctx, db, c.ID, pgstore.CloseOptions{Actor: "t"})
		require.NoError(t, err)
	}
	st, err := pgstore.LoadState(ctx, db)
	require.NoError(t, err)
	full, err := allocation.Start(st.Input)
	require.NoError(t, err)
	ids := full.Adverts()
	apps := st.Input.Applications
	rng := rand.New(rand.NewPCG(3, 5))
	at := s.Cycles[len(s.Cycles)-1].Closes.Add(11 * time.Hour)
	var asked []int64
	recorded, refused := 0, 0
	for i := 0; i < 160; i++ {
		at = at.Add(time.Duration(rng.IntN(6)) * time.Hour)
		when := at
		if rng.IntN(15) == 0 {
			when = at.Add(-time.Duration(24+rng.IntN(72)) * time.Hour) // back-dated
		}
		d := randomStoreDecision(rng, full, ids, apps, asked, register.DateOf(when))
		_, err := pgstore.Decide(ctx, db, when, d)
		d.On, d.At = st.Input.Policy.Day(when), when
		if err != nil {
			var re *pgstore.RejectedError
			require.True(t, errors.As(err, &re), "decision %d %+v: %v", i, d, err)
			// The whole register in memory refuses it too (checked on a copy: a walk
			// must not be used after a refusal).
			copyWalk, cerr := allocation.Start(st.Input)
			require.NoError(t, cerr)
			replayAll(t, copyWalk, st, ctx, db)
			_, ferr := copyWalk.Apply(d)
			require.Error(t, ferr, "decision %d %+v: the store refused it (%v), the full walk did not", i, d, err)
			refused++
			continue
		}
		_, ferr := full.Apply(d)
		require.NoError(t, ferr, "decision %d %+v: the store recorded it", i, d)
		recorded++
		if d.Kind == allocation.RequestReview {
			asked = append(asked, d.Application)
		}
		audit, err := pgstore.Verify(ctx, db)
		require.NoError(t, err)
		require.Equal(t, pgstore.Audit{Decisions: recorded}, *audit, "after decision %d %+v", i, d)
	}
	require.Greater(t, recorded, 60)
	require.Greater(t, refused, 10)
}

// replayAll applies to w the decisions db records, in order.
func replayAll(t *testing.T, w *allocation.Walk, st *pgstore.State, ctx context.Context, db *sqlx.DB) {
	t.Helper()
	recs, _, err := pgstore.LoadDecisions(ctx, db)
	require.NoError(t, err)
	for _, r := range recs {
		_, err := w.Apply(r.Decision)
		require.NoError(t, err)
	}
}

func randomStoreDecision(rng *rand.Rand, w *allocation.Walk, ids []int64, apps []register.Application, asked []int64, on register.Date) allocation.Decision {
	var waiting []int64
	for _, id := range ids {
		if ws := w.Waiting(id); len(ws) > 0 && ws[0].For != allocation.WaitRelet {
			waiting = append(waiting, id)
		}
	}
	ad := ids[rng.IntN(len(ids))]
	if len(waiting) > 0 && rng.IntN(8) > 0 {
		ad = waiting[rng.IntN(len(waiting))]
	}
	app := apps[rng.IntN(len(apps))].ID
	d := allocation.Decision{Actor: "officer", Advert: ad}
	switch u := rng.IntN(100); {
	case u < 3:
		return allocation.Decision{Kind: allocation.Renew, Actor: "officer", Application: app}
	case u < 7:
		subj := []string{allocation.SubjectBand, allocation.SubjectEffective, allocation.SubjectSkip}[rng.IntN(3)]
		r := allocation.Decision{Kind: allocation.RequestReview, Actor: "officer", Application: app, Subject: subj,
			Of: on - register.Date(rng.IntN(20)), Reason: "asked"}
		if subj == allocation.SubjectSkip {
			r.Advert = ad
		}
		return r
	case u < 11:
		if len(asked) > 0 {
			app = asked[rng.IntN(len(asked))]
		}
		r := allocation.Decision{Kind: allocation.DecideReview, Actor: "reviewer", Application: app, Outcome: allocation.Upheld, Reason: "reviewed"}
		if rng.IntN(2) == 0 {
			r.Outcome, r.Band, r.Effective = allocation.Changed, register.Band(1+rng.IntN(3)), on-register.Date(rng.IntN(90))
		}
		return r
	case u < 13:
		return allocation.Decision{Kind: allocation.DirectLet, Actor: "officer", Advert: ad, Application: app,
			Category: allocation.ManagementMove, Authoriser: "head of housing", Reason: "management move"}
	case u < 14:
		d.Kind, d.Code, d.Reason = allocation.Withdraw, shortlist.PropertyWithdrawn, "fire damage"
		return d
	}
	ws := w.Waiting(ad)
	if len(ws) == 0 {
		d.Kind, d.Application = allocation.VerifyPass, app
		return d
	}
	if len(ws[0].Applications) > 0 {
		d.Application = ws[0].Applications[rng.IntN(len(ws[0].Applications))]
	}
	switch ws[0].For {
	case allocation.WaitVerify:
		d.Kind = allocation.VerifyPass
		if rng.IntN(6) == 0 {
			d.Kind, d.Code = allocation.VerifySkip, shortlist.NoContact
		}
	case allocation.WaitOffer:
		d.Kind = allocation.MakeOffer
	case allocation.WaitNominate:
		d.Kind, d.Application = allocation.Nominate, 0
	case allocation.WaitLandlord:
		d.Kind, d.Actor = allocation.LandlordAccept, "landlord"
		if rng.IntN(3) == 0 {
			d.Kind, d.Code, d.Reason = allocation.LandlordReject, shortlist.LandlordPolicy, "policy"
		}
	case allocation.WaitReply:
		d.Kind, d.Actor = allocation.Accept, "applicant"
		switch v := rng.IntN(100); {
		case v < 35:
			d.Kind, d.Actor, d.Refusal, d.Counted, d.Final = allocation.Refuse, "officer", register.RefusedOffer, rng.IntN(3) > 0, rng.IntN(3) == 0
		case v < 45:
			d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, "officer", register.RefusedNoReply, true
		case v < 52:
			d.Kind, d.Code, d.Reason = allocation.Withdraw, shortlist.ChecksRevealIssues, "tenancy check failed"
		}
	case allocation.WaitRequestMore:
		d.Kind, d.Actor, d.Application = allocation.RequestMore, "landlord", 0
	default:
		d.Kind, d.Application = allocation.DirectLet, app
		d.Category, d.Authoriser, d.Reason = allocation.Decant, "head of housing", "decant"
	}
	return d
}
