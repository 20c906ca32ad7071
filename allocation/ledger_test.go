package allocation_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/stretchr/testify/require"
)

// twoWeeks is a small register with adverts closing in two weeks, a week apart, so that
// walks of one week run while the next week's adverts have not closed.
func twoWeeks(seed uint64) *allocation.Input {
	in := cycleOf(seed, 60, 150, 6, 25)
	for i := range in.Adverts {
		if i%2 == 1 {
			in.Adverts[i].Closes = in.Adverts[i].Closes.Add(7 * 24 * time.Hour)
		}
	}
	for i := range in.Applications {
		if i%3 == 0 {
			in.Applications[i].Flags.HomelessDuty = register.DutyMain
		}
	}
	return in
}

// randomDecision makes a decision for the walk as it stands: mostly what an advert waits
// for, sometimes a withdrawal, direct let, review, renewal, re-banding or upkeep, and
// sometimes one dated back or not fitting at all, which both paths must refuse alike.
func randomDecision(rng *rand.Rand, w *allocation.Walk, in *allocation.Input, on register.Date, asked []int64) allocation.Decision {
	ids := w.Adverts()
	ad := ids[rng.IntN(len(ids))]
	var waiting []int64
	for _, id := range ids {
		if ws := w.Waiting(id); len(ws) > 0 && ws[0].For != allocation.WaitRelet {
			waiting = append(waiting, id)
		}
	}
	if len(waiting) > 0 && rng.IntN(10) > 0 {
		ad = waiting[rng.IntN(len(waiting))]
	}
	app := in.Applications[rng.IntN(len(in.Applications))].ID
	d := allocation.Decision{On: on, Actor: "officer", Advert: ad}
	if rng.IntN(20) == 0 {
		d.On -= register.Date(1 + rng.IntN(6))
	}
	switch u := rng.IntN(200); {
	case u < 1:
		return allocation.Decision{Kind: allocation.Upkeep, On: on, Actor: "scheduler"}
	case u < 6:
		return allocation.Decision{Kind: allocation.Renew, On: on, Actor: "officer", Application: app}
	case u < 7:
		return allocation.Decision{Kind: allocation.SetBand, On: on, Actor: "officer", Application: app,
			Band: register.Band(1 + rng.IntN(4)), Reason: "exceptional circumstances"}
	case u < 8:
		return allocation.Decision{Kind: allocation.SetEffective, On: on, Actor: "officer", Application: app,
			Effective: on - register.Date(rng.IntN(400)), Reason: "date of the first application"}
	case u < 9:
		return allocation.Decision{Kind: allocation.ClearOverride, On: on, Actor: "officer", Application: app,
			Subject: []string{allocation.SubjectBand, allocation.SubjectEffective}[rng.IntN(2)], Reason: "no longer applies"}
	case u < 10:
		st := []register.Status{register.StatusActive, register.StatusClosed}[rng.IntN(2)]
		return allocation.Decision{Kind: allocation.SetStatus, On: on, Actor: "officer", Application: app, Status: st, Reason: "officer"}
	case u < 8:
		return allocation.Decision{Kind: allocation.Reband, On: on, Actor: "officer", Application: app,
			Band: register.Band(1 + rng.IntN(4)), Effective: on - register.Date(rng.IntN(30)), Reason: "reassessed"}
	case u < 12:
		subj := []string{allocation.SubjectBand, allocation.SubjectEffective, allocation.SubjectSkip}[rng.IntN(3)]
		r := allocation.Decision{Kind: allocation.RequestReview, On: on, Actor: "officer", Application: app, Subject: subj,
			Of: on - register.Date(rng.IntN(30)), Reason: "asked"}
		if subj == allocation.SubjectSkip {
			r.Advert = ad
		}
		return r
	case u < 16:
		if len(asked) > 0 && rng.IntN(5) > 0 {
			app = asked[rng.IntN(len(asked))]
		}
		r := allocation.Decision{Kind: allocation.DecideReview, On: on, Actor: "reviewer", Application: app,
			Outcome: allocation.Upheld, Reason: "reviewed"}
		if rng.IntN(2) == 0 {
			r.Outcome, r.Band, r.Effective = allocation.Changed, register.Band(1+rng.IntN(3)), on-register.Date(rng.IntN(90))
		}
		return r
	case u < 19:
		return allocation.Decision{Kind: allocation.DirectLet, On: on, Actor: "officer", Advert: ad, Application: app,
			Category: allocation.ManagementMove, Authoriser: "head of housing", Reason: "management move"}
	case u < 21:
		d.Kind, d.Code, d.Reason = allocation.Withdraw, shortlist.PropertyWithdrawn, "fire damage"
		return d
	}
	ws := w.Waiting(ad)
	if len(ws) == 0 {
		d.Kind, d.Application = allocation.VerifyPass, app // does not fit: refused alike
		return d
	}
	wt := ws[0]
	if len(wt.Applications) > 0 {
		d.Application = wt.Applications[rng.IntN(len(wt.Applications))]
	}
	switch wt.For {
	case allocation.WaitVerify:
		d.Kind = allocation.VerifyPass
		if rng.IntN(8) == 0 {
			d.Kind, d.Code = allocation.VerifySkip, verifySkips[rng.IntN(len(verifySkips))]
		}
	case allocation.WaitOffer:
		d.Kind = allocation.MakeOffer
		if rng.IntN(10) == 0 {
			d.Kind, d.Code = allocation.VerifySkip, shortlist.NoContact
		}
	case allocation.WaitNominate:
		d.Kind, d.Application = allocation.Nominate, 0
	case allocation.WaitLandlord:
		d.Kind, d.Actor = allocation.LandlordAccept, "landlord"
		if rng.IntN(4) == 0 {
			d.Kind, d.Code = allocation.LandlordReject, shortlist.LandlordPolicy
		}
	case allocation.WaitReply:
		d.Kind, d.Actor = allocation.Accept, "applicant"
		switch v := rng.IntN(100); {
		case v < 35:
			d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, "officer", register.RefusedOffer, rng.IntN(3) > 0
			d.Final = rng.IntN(3) == 0
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

// TestLedger_StepsEqualTheFullReplay drives long random decision sequences through two
// paths: the whole record applied to the whole register (Run, the audit), and each
// decision applied to just the slice of the ledger it reads, its step recorded
// (Ledger.Decide, what a store does). After every decision both give the same step, or
// refuse it with the same reason.
func TestLedger_StepsEqualTheFullReplay(t *testing.T) {
	t.Parallel()
	sanctions := 0
	for seed := range uint64(6) {
		in := twoWeeks(seed + 1)
		rng := rand.New(rand.NewPCG(seed, 99))
		full, err := allocation.Start(in)
		require.NoError(t, err)
		ledger := allocation.NewLedger(in)
		var applied []allocation.Decision
		on := register.MustDate("2025-06-04")
		refused := 0
		var asked []int64
		for i := 0; i < 1000; i++ {
			if rng.IntN(6) == 0 {
				on++
			}
			d := randomDecision(rng, full, in, on, asked)
			got, err := ledger.Decide(d)
			if err != nil {
				// The whole record must refuse it too, for the same reason.
				var de *allocation.DecisionError
				require.True(t, errors.As(err, &de), "seed %d decision %d %+v: %v", seed, i, d, err)
				refused++
				if refused > 40 && refused%10 != 0 {
					continue // a replay per refusal costs the whole record: check a sample
				}
				_, ferr := allocation.Run(in, append(applied, d))
				var fe *allocation.DecisionError
				require.True(t, errors.As(ferr, &fe), "seed %d decision %d %+v: the ledger refused (%v), the replay did not", seed, i, d, err)
				require.Equal(t, fe.Field+": "+fe.Msg, de.Field+": "+de.Msg, "seed %d decision %d", seed, i)
				continue
			}
			want, err := full.Apply(d)
			require.NoError(t, err, "seed %d decision %d %+v: the ledger applied it", seed, i, d)
			require.JSONEq(t, js(t, want), js(t, got), "seed %d decision %d %+v", seed, i, d)
			applied = append(applied, d)
			if d.Kind == allocation.RequestReview {
				asked = append(asked, d.Application)
			}
		}
		res := full.Result()
		kinds := map[string]int{}
		for _, d := range applied {
			kinds[string(d.Kind)]++
		}
		t.Logf("seed %d: %v; %d lets, %d sanctions, %d refused", seed, kinds, len(res.Lets), len(res.Sanctions), refused)
		require.Greater(t, len(res.Lets), 5, "seed %d: the sequence lets homes", seed)
		sanctions += len(res.Sanctions)
		require.Greater(t, refused, 20, "seed %d: and refuses decisions that do not fit", seed)
		require.Equal(t, len(res.Lets), len(ledger.Lets()))
	}
	require.Greater(t, sanctions, 3, "the sequences close and discharge households for refusals")
}

func js(t *testing.T, v any) string {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}
