package allocation_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/stretchr/testify/require"
)

// app returns application id as it stands after res: changed in res, or as input.
func app(t *testing.T, in *allocation.Input, res *allocation.Result, id int64) *register.Application {
	t.Helper()
	for i := range res.Applications {
		if res.Applications[i].ID == id {
			return &res.Applications[i]
		}
	}
	for i := range in.Applications {
		if in.Applications[i].ID == id {
			return &in.Applications[i]
		}
	}
	t.Fatalf("application %d not in the register", id)
	return nil
}

func events(res *allocation.Result, kind string) []allocation.Event {
	var out []allocation.Event
	for _, e := range res.Events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func waits(res *allocation.Result, advert int64) []allocation.Wait {
	var out []allocation.Wait
	for _, w := range res.Pending {
		if w.Advert == advert {
			out = append(out, w)
		}
	}
	return out
}

func d(s string) register.Date { return register.MustDate(s) }

func TestS8_1_OfferCascadesPastVerificationSkips(t *testing.T) {
	in, res, _ := runScenario(t, "cascade_verification_skip")
	require.Len(t, res.Lets, 1)
	let := res.Lets[0]
	require.Equal(t, int64(3), let.Application, "positions 1 and 2 failed verification")
	require.Equal(t, 3, let.Position)
	require.Equal(t, 5, let.BidsReceived)
	require.Equal(t, 4, let.EligibleBids)
	require.Equal(t, []allocation.SkipCount{{Code: "bedroom_mismatch", Count: 1}, {Code: "arrears", Count: 1},
		{Code: "no_contact", Count: 1}}, let.Skips)
	require.Equal(t, register.BandB, let.Band)
	require.Equal(t, int(d("2025-06-09")-d("2023-03-01")), let.DaysEffectiveToOffer)
	require.Equal(t, 0, let.OffersBeforeAcceptance)
	require.Equal(t, register.StatusClosed, app(t, in, res, 3).Status)
	require.Empty(t, res.Pending)
}

func TestS8_2_UnderOfferSkippedElsewhereUntilResolved(t *testing.T) {
	in, ds, _ := loadScenario(t, "under_offer_two_adverts")
	w, err := allocation.Start(in)
	require.NoError(t, err)
	require.Equal(t, []int64{10, 11, 12}, w.Adverts(), "closing time, then advert id")
	// Before any offer, application 1 heads both adverts 10 and 11.
	require.Equal(t, []int64{1}, w.Waiting(11)[0].Applications)
	_, err = w.Apply(ds[0])
	require.NoError(t, err)
	_, err = w.Apply(ds[1])
	require.NoError(t, err) // offer advert 10 to 1
	require.Equal(t, []int64{4}, w.Waiting(11)[0].Applications, "1 is under offer on advert 10")
	require.Equal(t, []int64{3}, w.Waiting(12)[0].Applications, "advert 12 has not reached 1 yet")

	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	skips := events(res, "skipped")
	require.Equal(t, allocation.Event{Seq: 3, At: d("2025-06-05"), Actor: allocation.Engine, Kind: "skipped",
		Application: 1, Advert: 11, Reason: shortlist.UnderOfferElsewhere, Detail: "under offer on advert 10"}, skips[0])
	// The refusal on advert 10 put 1 back: advert 12 reached it after, and let to it.
	require.Equal(t, int64(1), res.Lets[0].Application)
	require.Equal(t, int64(12), res.Lets[0].Advert)
	require.Equal(t, []allocation.Wait{{Advert: 10, For: allocation.WaitVerify, Applications: []int64{2}, Since: d("2025-06-09")}}, waits(res, 10))
	require.Equal(t, allocation.WaitReply, waits(res, 11)[0].For)
}

func TestS8_4_TwoCountedRefusalsWithin12MonthsClose(t *testing.T) {
	in, res, _ := runScenario(t, "refusals_11_months_close")
	a := app(t, in, res, 1)
	require.Equal(t, register.StatusClosed, a.Status)
	require.Equal(t, d("2026-06-14"), a.StatusUntil, "closed for 12 months")
	require.Equal(t, []allocation.Sanction{{Application: 1, Kind: allocation.SanctionClosed, On: d("2025-06-14"),
		Until: d("2026-06-14"), Reason: "2 counted refusals within 12 months", Adverts: []int64{7, 10}}}, res.Sanctions)
	// On advert 12 the walk later reaches 1 and skips it: no longer active.
	last := res.Events[len(res.Events)-1]
	require.Equal(t, shortlist.NotActive, last.Reason)
	require.Equal(t, int64(12), last.Advert)
}

func TestS8_4_TwoCountedRefusals13MonthsApartDoNotClose(t *testing.T) {
	in, res, _ := runScenario(t, "refusals_13_months_no_closure")
	require.Equal(t, register.StatusActive, app(t, in, res, 1).Status)
	require.Empty(t, res.Sanctions)
	require.Equal(t, []int64{1}, waits(res, 12)[0].Applications)
}

func TestS8_4_UncountedRefusalDoesNotCount(t *testing.T) {
	in, res, _ := runScenario(t, "uncounted_refusal")
	a := app(t, in, res, 1)
	require.Equal(t, register.StatusActive, a.Status, "one counted and one uncounted refusal in 12 months")
	require.False(t, a.Refusals[1].Counted)
	// No reply counts as a refusal under nn-2021: application 2 reaches two.
	b := app(t, in, res, 2)
	require.Equal(t, register.StatusClosed, b.Status)
	require.Equal(t, register.RefusedNoReply, b.Refusals[1].Kind)
}

func TestS8_5_NoReplyCountsOnlyWhenPolicySays(t *testing.T) {
	in, ds, _ := loadScenario(t, "uncounted_refusal")
	p := *in.Policy
	p.Refusals.NoReplyCounts = false
	in.Policy = &p
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	b := app(t, in, res, 2)
	require.Equal(t, register.StatusActive, b.Status)
	require.False(t, b.Refusals[1].Counted)
	require.Equal(t, "not counted: policy: no reply does not count as a refusal", events(res, "no_reply")[0].Detail)
}

func TestS8_6_RefusedFinalOfferDischargesHomelessDuty(t *testing.T) {
	in, res, _ := runScenario(t, "homeless_duty_discharge")
	before, err := banding.Assess(&in.Applications[0], in.Policy, d("2025-06-10"))
	require.NoError(t, err)
	require.Equal(t, register.BandA, before.Band)
	require.True(t, slices.ContainsFunc(before.Criteria, func(m banding.Met) bool { return m.ID == "homeless_main_duty" }))

	a := app(t, in, res, 1)
	after, err := banding.Assess(a, in.Policy, d("2025-06-10"))
	require.NoError(t, err)
	require.Equal(t, register.BandC, after.Band, "left with overcrowding by one bedroom")
	require.False(t, slices.ContainsFunc(after.Criteria, func(m banding.Met) bool { return m.ID == "homeless_main_duty" }))
	cur, _ := banding.Current(a.History)
	require.Equal(t, register.BandC, cur.Band)
	require.Equal(t, d("2024-03-10"), cur.Effective, "moving down restores the date last held in Band C (S3.3)")
	require.Equal(t, allocation.SanctionDischarge, res.Sanctions[0].Kind)
	require.Equal(t, register.StatusActive, a.Status, "one counted refusal does not close")
}

func TestS8_7_NominationRejectThenRequestMore(t *testing.T) {
	in, ds, _ := loadScenario(t, "nomination_reject_request_more")
	at := func(n int) []allocation.Wait {
		res, err := allocation.Run(in, ds[:n])
		require.NoError(t, err)
		return res.Pending
	}
	require.Equal(t, allocation.WaitVerify, at(0)[0].For)
	require.Equal(t, []allocation.Wait{{Advert: 20, For: allocation.WaitNominate, Applications: []int64{1, 3, 4},
		Since: d("2025-06-06")}}, at(4), "the top 3 verified (2 skipped)")
	require.Equal(t, allocation.WaitLandlord, at(5)[0].For)
	require.Equal(t, allocation.WaitRequestMore, at(8)[0].For, "all three rejected")
	require.Equal(t, []int64{5}, at(9)[0].Applications, "the next batch starts at position 5")

	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	require.Equal(t, allocation.RouteNomination, res.Lets[0].Route)
	require.Equal(t, int64(5), res.Lets[0].Application)
	var rounds []int
	for _, n := range res.Nominations {
		rounds = append(rounds, n.Round)
	}
	require.Equal(t, []int{1, 1, 1, 2, 2, 2}, rounds)
	require.Equal(t, "arrears", res.Nominations[0].Code)
	ll := allocation.Landlords(in, res)
	require.Equal(t, allocation.LandlordLets{Landlord: "greatwell", SharePercent: 75, Lets: 1, Nominated: 1,
		AchievedBasisPoints: 10000}, ll[1])
}

func TestS8_9_DirectLetOutsideTheShortlist(t *testing.T) {
	in, ds, _ := loadScenario(t, "direct_let")
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	let := res.Lets[0]
	require.Equal(t, allocation.RouteDirect, let.Route)
	require.Equal(t, int64(9), let.Application)
	require.Equal(t, "head.of.housing", let.Authoriser)
	require.Equal(t, allocation.AdaptedProperty, let.Category)
	require.Equal(t, 0, let.Position, "not on the shortlist")
	require.Equal(t, register.StatusClosed, app(t, in, res, 9).Status)

	bad := ds[len(ds)-1]
	bad.Authoriser = ""
	_, err = allocation.Run(in, append(slices.Clone(ds[:len(ds)-1]), bad))
	var de *allocation.DecisionError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "authoriser", de.Field)
	require.Equal(t, 2, de.Index)
}

// rank orders entries by (band, effective date, registration date, id), numbering
// positions from 1, with each entry's band and effective date as the applications hold
// them now: a local stand-in for the shortlist package's ordering.
func rank(t *testing.T, in *allocation.Input, entries []shortlist.Entry, res *allocation.Result) []shortlist.Entry {
	out := slices.Clone(entries)
	for i := range out {
		cur, _ := banding.Current(app(t, in, res, out[i].Application).History)
		out[i].Band, out[i].Effective = cur.Band, cur.Effective
	}
	slices.SortFunc(out, func(a, b shortlist.Entry) int {
		return cmp.Or(cmp.Compare(a.Band, b.Band), cmp.Compare(a.Effective, b.Effective),
			cmp.Compare(a.Registered, b.Registered), cmp.Compare(a.Application, b.Application))
	})
	for i := range out {
		out[i].Position = i + 1
	}
	return out
}

func explain(e shortlist.Entry, n int) string {
	return fmt.Sprintf("application %d: position %d of %d: Band %s, effective %s, registered %s",
		e.Application, e.Position, n, e.Band, e.Effective, e.Registered)
}

func TestS9_4_ReviewRestoresEarlierEffectiveDate(t *testing.T) {
	in, res, _ := runScenario(t, "review_restores_effective_date")
	cur, _ := banding.Current(app(t, in, res, 2).History)
	require.Equal(t, d("2020-09-14"), cur.Effective)
	require.Equal(t, register.BandB, cur.Band)
	require.Equal(t, allocation.Changed, res.Reviews[0].Outcome)
	require.Len(t, events(res, "band_changed"), 1)

	past := in.Shortlists[0].Ranked // advert 10 as ranked at close
	require.Equal(t, "application 2: position 3 of 3: Band B, effective 2025-05-20, registered 2020-09-14",
		explain(past[2], len(past)))
	now := rank(t, in, past, res)
	require.Equal(t, int64(2), now[0].Application)
	require.Equal(t, "application 2: position 1 of 3: Band B, effective 2020-09-14, registered 2020-09-14",
		explain(now[0], len(now)))
}

func TestS9_4_ReviewRequestedOutOfTime(t *testing.T) {
	in, ds, _ := loadScenario(t, "review_restores_effective_date")
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	require.Equal(t, allocation.OutOfTime, res.Reviews[1].Outcome, "146 days after the decision; the limit is 21")
	require.Empty(t, app(t, in, res, 3).Overrides)
	// An out-of-time request opens nothing to decide.
	decide := allocation.Decision{Kind: allocation.DecideReview, On: d("2025-06-20"), Actor: "reviews.officer",
		Application: 3, Outcome: allocation.Changed, Band: register.BandA, Reason: "x"}
	_, err = allocation.Run(in, append(slices.Clone(ds), decide))
	require.ErrorContains(t, err, "has no open review")
}

func TestS9_4_ReviewOverturnsSkip(t *testing.T) {
	_, res, _ := runScenario(t, "review_restores_effective_date")
	require.Equal(t, []allocation.Wait{{Advert: 11, For: allocation.WaitVerify, Applications: []int64{1},
		Since: d("2025-06-16")}}, waits(res, 11), "back on the walk at its rank")
	require.Len(t, events(res, "skip_overturned"), 1)
}

// A review may find a refusal should not have counted (S9.4, S8.4): application 2's
// no reply, counted, closed it; the review changes it to uncounted, and the closure
// stands until an officer reinstates the application. The input is not written.
func TestS9_4_ReviewMakesRefusalUncounted(t *testing.T) {
	in, ds, _ := loadScenario(t, "uncounted_refusal")
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	b := app(t, in, res, 2)
	require.True(t, b.Refusals[1].Counted)
	require.Equal(t, register.StatusClosed, b.Status)
	refused := b.Refusals[1]
	req := allocation.Decision{Kind: allocation.RequestReview, On: refused.On, Actor: "reviews.officer", Application: 2,
		Subject: allocation.SubjectRefusal, Advert: refused.Advert, Of: refused.On, Reason: "the letter went to the old address"}
	dec := allocation.Decision{Kind: allocation.DecideReview, On: refused.On.AddDays(5), Actor: "reviews.officer", Application: 2,
		Outcome: allocation.Changed, Reason: "the offer was never received"}
	res, err = allocation.Run(in, append(slices.Clone(ds), req, dec))
	require.NoError(t, err)
	b = app(t, in, res, 2)
	require.False(t, b.Refusals[1].Counted)
	require.Equal(t, register.StatusClosed, b.Status, "reinstating is the officer's decision")
	require.Len(t, events(res, "refusal_uncounted"), 1)
	again, err := allocation.Run(in, ds)
	require.NoError(t, err)
	require.True(t, app(t, in, again, 2).Refusals[1].Counted, "the input is not written")
	// Only a counted refusal can be reviewed so: application 1's was not counted.
	a := app(t, in, res, 1)
	bad := req
	bad.Application, bad.Advert = 1, a.Refusals[1].Advert
	_, err = allocation.Run(in, append(slices.Clone(ds), bad))
	require.ErrorContains(t, err, "has no counted refusal of it")
}

func TestS9_1_RenewalLapsesAndNoBidReview(t *testing.T) {
	in, res, _ := runScenario(t, "register_upkeep")
	require.Equal(t, register.StatusActive, app(t, in, res, 1).Status, "renewed in time")
	require.Equal(t, "renewal_lapsed", app(t, in, res, 2).StatusReason)
	require.Equal(t, "renewal_lapsed", app(t, in, res, 3).StatusReason, "renewed in 2024, not in 2025")
	var flagged []int64
	for _, e := range events(res, "no_bid_review") {
		flagged = append(flagged, e.Application)
	}
	require.Equal(t, []int64{1, 3}, flagged, "each flagged once, across two upkeep runs")
}

func TestS9_7_WorkQueue(t *testing.T) {
	in, res, _ := runScenario(t, "register_upkeep")
	q := allocation.WorkQueue(in, res, d("2025-08-21"), allocation.EnglandWales())
	got := map[string][]int64{}
	for _, it := range q {
		got[it.Kind] = append(got[it.Kind], it.Application)
	}
	require.Equal(t, map[string][]int64{
		allocation.QueueNoBid:        {1},
		allocation.QueueMedical:      {5},
		allocation.QueueNoOffer:      {5},
		allocation.QueueVerification: {4},
		allocation.QueueReview:       {3},
	}, got)
	// Registered Monday 2 June 2025: 10 working days is Monday 16 June.
	for _, it := range q {
		if it.Kind == allocation.QueueVerification {
			require.Equal(t, d("2025-06-16"), it.Due)
		}
	}
	// The day before the verification clock runs out, it is not in the queue.
	for _, it := range allocation.WorkQueue(in, res, d("2025-06-16"), allocation.EnglandWales()) {
		require.NotEqual(t, allocation.QueueVerification, it.Kind)
	}
}

// TestS3_6_ReassessmentRecordedAsReband: a reassessment recorded in the decisions
// (reband) moves the band on its day with the effective date it gives, and the replay
// keeps the spell; NoBand closes the open spell; the band and date are required.
func TestS3_6_ReassessmentRecordedAsReband(t *testing.T) {
	in, ds, _ := loadScenario(t, "review_restores_effective_date")
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	old, ok := banding.Current(app(t, in, res, 3).History)
	require.True(t, ok)
	require.NotEqual(t, register.BandA, old.Band)

	reband := allocation.Decision{Kind: allocation.Reband, On: d("2025-06-20"), Actor: "assessor", Application: 3,
		Band: register.BandA, Effective: d("2025-06-20"), Reason: "reassessment under nn-2021@1"}
	res, err = allocation.Run(in, append(slices.Clone(ds), reband))
	require.NoError(t, err)
	h := app(t, in, res, 3).History
	require.Equal(t, register.BandSpell{Band: register.BandA, From: d("2025-06-20"), Effective: d("2025-06-20"),
		Reason: "reassessment under nn-2021@1", By: "assessor"}, h[len(h)-1])
	require.Equal(t, d("2025-06-20"), h[len(h)-2].To)
	require.Len(t, events(res, "band_changed"), 2, "the review's and the reassessment's")

	none := reband
	none.Band, none.Effective = register.NoBand, 0
	res, err = allocation.Run(in, append(slices.Clone(ds), none))
	require.NoError(t, err)
	_, holding := banding.Current(app(t, in, res, 3).History)
	require.False(t, holding, "no longer qualifying: no open spell")

	noDate := reband
	noDate.Effective = 0
	_, err = allocation.Run(in, append(slices.Clone(ds), noDate))
	require.ErrorContains(t, err, "effective: missing")
	noReason := reband
	noReason.Reason = ""
	_, err = allocation.Run(in, append(slices.Clone(ds), noReason))
	require.ErrorContains(t, err, "reason: missing")
}
