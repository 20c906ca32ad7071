package allocation_test

import (
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

func TestS9_4_ReviewChangesBandAndIsAudited(t *testing.T) {
	in, ds, _ := loadScenario(t, "review_restores_effective_date")
	ds = append(slices.Clone(ds),
		allocation.Decision{Kind: allocation.RequestReview, On: d("2025-06-16"), Actor: "applicant", Application: 3,
			Subject: allocation.SubjectBand, Of: d("2025-06-02"), Reason: "medical evidence not considered"},
		allocation.Decision{Kind: allocation.DecideReview, On: d("2025-06-30"), Actor: "reviews.officer", Application: 3,
			Outcome: allocation.Changed, Band: register.BandA, Reason: "consultant's letter shows urgent need"})
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	a := app(t, in, res, 3)
	cur, _ := banding.Current(a.History)
	require.Equal(t, register.BandA, cur.Band)
	require.Equal(t, d("2025-06-30"), cur.Effective, "moving up: the date of the move")
	require.Equal(t, register.OverrideSetBand, a.Overrides[0].Kind, "survives re-assessment")
	require.Equal(t, "reviews.officer", a.Overrides[0].By)
	last := res.Events[len(res.Events)-1]
	require.Equal(t, "band_changed", last.Kind)
	require.Equal(t, "band B effective 2023-08-08 -> band A effective 2025-06-30", last.Detail)
	require.Equal(t, "review: consultant's letter shows urgent need", last.Reason)
}

func TestS9_3_BandAReviewDateWhenPolicySetsOne(t *testing.T) {
	in, ds, _ := loadScenario(t, "register_upkeep")
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	kinds := func(q []allocation.Item) (ks []string) {
		for _, it := range q {
			ks = append(ks, it.Kind)
		}
		return ks
	}
	require.NotContains(t, kinds(allocation.WorkQueue(in, res, d("2025-08-21"), allocation.EnglandWales())),
		allocation.QueueBandAReview, "nn-2021: Band A review dates are off")
	p := *in.Policy
	p.Upkeep.BandAReviewWeeks = 4
	in.Policy = &p
	q := allocation.WorkQueue(in, res, d("2025-08-21"), allocation.EnglandWales())
	i := slices.IndexFunc(q, func(it allocation.Item) bool { return it.Kind == allocation.QueueBandAReview })
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, int64(5), q[i].Application)
	require.Equal(t, d("2024-11-29"), q[i].Due, "Band A from 2024-11-01 + 4 weeks")
}

func TestRun_BadInput(t *testing.T) {
	in, _, _ := loadScenario(t, "cascade_verification_skip")
	for _, tc := range []struct {
		name   string
		change func(in *allocation.Input)
		want   string
	}{
		{"no policy", func(in *allocation.Input) { in.Policy = nil }, "allocation: input has no policy"},
		{"re-rank at offer", func(in *allocation.Input) {
			p := *in.Policy
			p.Shortlist.RankAt = "offer"
			in.Policy = &p
		}, `allocation: policy nn-2021@1: shortlist.rank_at "offer": only "close" is supported`},
		{"unknown landlord", func(in *allocation.Input) {
			in.Adverts = slices.Clone(in.Adverts)
			in.Adverts[0].Landlord = "acme"
		}, `advert 10: landlord "acme": not among the landlords`},
		{"duplicate application", func(in *allocation.Input) {
			in.Applications = append(slices.Clone(in.Applications), in.Applications[0])
		}, "applications[5]: id 1 appears twice"},
		{"shortlist for no advert", func(in *allocation.Input) {
			in.Shortlists = append(slices.Clone(in.Shortlists), in.Shortlists[0])
			in.Shortlists[1].Advert = 77
		}, "shortlists[1]: advert 77: not among the adverts"},
		{"ranked application not in the register", func(in *allocation.Input) {
			in.Applications = slices.Clone(in.Applications[1:])
		}, "shortlist of advert 10: ranked[0]: application 1: not in the register"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in2 := *in
			tc.change(&in2)
			_, err := allocation.Run(&in2, nil)
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestS9_8_ClosureForRefusalsEndsInTheWorkQueue(t *testing.T) {
	in, res, _ := runScenario(t, "refusals_11_months_close")
	has := func(asOf string) bool {
		for _, it := range allocation.WorkQueue(in, res, d(asOf), allocation.EnglandWales()) {
			if it.Kind == allocation.QueueClosureEnded && it.Application == 1 {
				return true
			}
		}
		return false
	}
	require.False(t, has("2026-06-13"))
	require.True(t, has("2026-06-14"), "closed for 12 months from 2025-06-14")
}

func TestS8_11_WithdrawnOfferAndWithdrawnProperty(t *testing.T) {
	in, ds, _ := loadScenario(t, "cascade_verification_skip")
	ds = slices.Clone(ds[:4]) // ... verify_pass 3, offer to 3
	withdrawOffer := allocation.Decision{Kind: allocation.Withdraw, On: d("2025-06-10"), Actor: "officer.lee", Advert: 10,
		Application: 3, Code: "current_home_failed_inspection", Reason: "damage found at the tenancy check"}
	res, err := allocation.Run(in, append(ds, withdrawOffer))
	require.NoError(t, err)
	require.Equal(t, allocation.OfferWithdrawn, res.Offers[0].Outcome)
	require.Equal(t, []allocation.Wait{{Advert: 10, For: allocation.WaitVerify, Applications: []int64{4}, Since: d("2025-06-10")}}, res.Pending)
	require.Empty(t, app(t, in, res, 3).Refusals, "a withdrawn offer is not a refusal")

	withdrawHome := allocation.Decision{Kind: allocation.Withdraw, On: d("2025-06-11"), Actor: "officer.lee", Advert: 10,
		Code: "property_withdrawn", Reason: "fire damage; home taken off the list"}
	res, err = allocation.Run(in, append(ds, withdrawOffer, withdrawHome))
	require.NoError(t, err)
	require.Empty(t, res.Pending)
	require.Equal(t, allocation.AdvertWithdrawn, res.Adverts[0].Status)

	_, err = allocation.Run(in, append(ds, withdrawHome))
	require.ErrorContains(t, err, "10 has an open offer to 3: withdraw it first")
}
