package shortlist_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// ranked returns the application ids res ranks, in order.
func ranked(cl *bidding.Closing, res *shortlist.Result) []int64 {
	out := []int64{}
	for _, at := range res.Ranked {
		out = append(out, cl.Index.Profiles[at].ID)
	}
	return out
}

func rankOne(t *testing.T, env *bidtest.Env, ad bidding.Advert, apps []register.Application, bidders ...int64) (*bidding.Closing, *shortlist.Result) {
	t.Helper()
	ix := env.Index(apps...)
	cl := env.Closing(ix, []bidding.Advert{ad}, map[int64][]int64{ad.ID: bidders})
	return cl, shortlist.Rank(ix, cl.Listings[0], cl.Bids[0])
}

func TestS7_1_BandThenEffectiveDate(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(1, register.BandC, "2021-01-01", "2019-01-01"),
		bidtest.App(2, register.BandB, "2025-06-01", "2025-01-01"),
		bidtest.App(3, register.BandC, "2020-05-01", "2020-01-01"),
		bidtest.App(4, register.BandD, "2010-01-01", "2010-01-01"),
		bidtest.App(5, register.BandB, "2024-02-01", "2024-01-01"),
	}
	cl, res := rankOne(t, env, env.Advert(1), apps, 1, 2, 3, 4, 5)
	require.Equal(t, []int64{5, 2, 3, 1, 4}, ranked(cl, res))
}

func TestS7_1_TiesByRegistrationThenID(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(40, register.BandB, "2025-01-01", "2023-01-01"),
		bidtest.App(10, register.BandB, "2025-01-01", "2024-01-01"),
		bidtest.App(30, register.BandB, "2025-01-01", "2022-06-01"),
		bidtest.App(20, register.BandB, "2025-01-01", "2023-01-01"),
	}
	cl, res := rankOne(t, env, env.Advert(1), apps, 40, 10, 30, 20)
	require.Equal(t, []int64{30, 20, 40, 10}, ranked(cl, res),
		"same band and effective date: older registration first, then lower id")
}

func TestS7_3_BandAsAtClose(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	// Application 1 held band B at close and was moved to A the day after; ranking
	// uses the band as it stood at close.
	up := bidtest.App(1, register.BandB, "2025-01-01", "2024-01-01", func(a *register.Application) {
		next := env.CloseDate().AddDays(1)
		a.History[0].To = next
		a.History = append(a.History, register.BandSpell{Band: register.BandA, From: next, Effective: next, Reason: "medical"})
	})
	apps := []register.Application{up, bidtest.App(2, register.BandB, "2024-06-01", "2024-01-01")}
	cl, res := rankOne(t, env, env.Advert(1), apps, 1, 2)
	require.Equal(t, []int64{2, 1}, ranked(cl, res))
	require.Equal(t, register.BandB, bidtest.Profile(t, cl.Index, 1).Band)
}

func TestS6_4_AutobidOutranksBandB(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := []bidding.Advert{env.Advert(1), env.Advert(2, func(a *bidding.Advert) { a.Bedrooms = 3 })}
	b, err := bidding.NewBook(env.Rules, env.Cycle, ads)
	require.NoError(t, err)
	ix := env.Index(
		bidtest.App(1, register.BandB, "2015-01-01", "2015-01-01"),
		bidtest.App(2, register.BandB, "2016-01-01", "2016-01-01"),
		bidtest.App(3, register.BandA, "2026-11-01", "2026-10-01"), // autobid only
	)
	for _, id := range []int64{1, 2} {
		for i := range ads[:1] {
			_, err := b.Place(env.During(1), bidtest.Profile(t, ix, id), &ads[i], "applicant")
			require.NoError(t, err)
		}
	}
	cl, err := b.Close(ix)
	require.NoError(t, err)
	results, err := shortlist.RankCycle(t.Context(), cl, 1)
	require.NoError(t, err)
	require.Equal(t, []int64{3, 1, 2}, ranked(cl, &results[0]))
	require.Empty(t, results[1].Ranked, "no autobid on the three-bedroom advert the single is not eligible for")
	require.Empty(t, results[1].Skipped)
	sl := results[0].Shortlist(cl)
	require.True(t, sl.Ranked[0].Autobid)
	require.False(t, sl.Ranked[1].Autobid)
	require.Equal(t, 1, sl.Ranked[0].Position)
	require.Equal(t, register.BandA, sl.Ranked[0].Band)
}

func TestS7_2_OverlayMobilityOnAccessible(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(1, register.BandA, "2024-01-01", "2024-01-01"),
		bidtest.App(2, register.BandC, "2025-01-01", "2025-01-01", bidtest.Mobility(register.MobilityLevelAccess)),
		bidtest.App(3, register.BandB, "2025-01-01", "2025-01-01"),
	}
	cl, res := rankOne(t, env, env.Advert(1, func(a *bidding.Advert) { a.Access = bidding.AccessLevel }), apps, 1, 2, 3)
	require.Equal(t, []int64{2, 1, 3}, ranked(cl, res), "on an accessible home a mobility need ranks before band A")
	_, res = rankOne(t, env, env.Advert(1), apps, 1, 2, 3)
	require.Equal(t, []int64{1, 3, 2}, ranked(cl, res), "no overlay on a general-needs home")

	p := *env.Policy
	p.Shortlist.MobilityFirstOnAccessible = false
	rules, err := bidding.Compile(&p)
	require.NoError(t, err)
	ad := env.Advert(1, func(a *bidding.Advert) { a.Access = bidding.AccessLevel })
	l, err := rules.List(&ad)
	require.NoError(t, err)
	res = shortlist.Rank(cl.Index, l, cl.Bids[0])
	require.Equal(t, []int64{1, 3, 2}, ranked(cl, res), "the overlay is a policy switch")
}

func TestS7_2_OverlayLegalAgreementArea(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(1, register.BandA, "2024-01-01", "2024-01-01"),
		bidtest.App(2, register.BandD, "2025-01-01", "2025-01-01", bidtest.Connected("Brigstock")),
		bidtest.App(3, register.BandC, "2025-01-01", "2025-01-01", bidtest.Connected("Stanion")),
		bidtest.App(4, register.BandE, "2025-01-01", "2025-01-01", bidtest.Connected("Stanion")),
	}
	ad := env.Advert(1, func(a *bidding.Advert) { a.LegalAgreementArea = "Stanion" })
	cl, res := rankOne(t, env, ad, apps, 1, 2, 3, 4)
	require.Equal(t, []int64{3, 4, 1, 2}, ranked(cl, res),
		"connected to the advert's area first (band order within), then the rest; Band E may bid on its own area")
}

func TestS7_2_FirstComeFirstServed(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(1, register.BandA, "2024-01-01", "2024-01-01"),
		bidtest.App(2, register.BandD, "2025-01-01", "2025-01-01"),
		bidtest.App(3, register.BandB, "2025-01-01", "2025-01-01"),
	}
	ad := env.Advert(1, func(a *bidding.Advert) { a.Ordering = bidding.OrderFCFS })
	cl, res := rankOne(t, env, ad, apps, 2, 3, 1) // bids one hour apart in this order
	require.Equal(t, []int64{2, 3, 1}, ranked(cl, res), "bid time, bands ignored")

	// Same millisecond: application id.
	cl.Bids[0][0].At, cl.Bids[0][1].At, cl.Bids[0][2].At = 5, 5, 5
	res = shortlist.Rank(cl.Index, cl.Listings[0], cl.Bids[0])
	require.Equal(t, []int64{1, 2, 3}, ranked(cl, res))
}

func TestS7_5_SkipCodes(t *testing.T) {
	oneKid := []bidtest.AppOpt{bidtest.Child(3)}                                        // needs 2 bedrooms
	twoKids := []bidtest.AppOpt{bidtest.Child(12), bidtest.ChildOf(8, register.Female)} // needs 3 bedrooms
	env := bidtest.New(t, "nn-2021")
	yes := true
	two := 2
	cases := []struct {
		name   string
		app    register.Application
		ad     func(*bidding.Advert)
		code   string
		check  string
		clause string
		// control adds to the control bidder, who must pass every check.
		control []bidtest.AppOpt
	}{
		{"not active at close", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.Status(register.StatusSuspended)),
			nil, "not_active", "status", "S1.11", nil},
		{"under 18 without a guarantor", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.Aged(17)),
			nil, "no_guarantor", "guarantor", "S1.4", nil},
		{"does not qualify at close", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.NoConnection()),
			nil, "not_qualifying", "qualification", "S1.2", nil},
		{"bedroom size", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) { a.Bedrooms = 3 }, "bedroom_mismatch", "bedrooms", "S5.4", twoKids},
		{"house without children", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) { a.Type, a.Bedrooms = "house", 2 }, "property_type", "houses_for_children", "S5.5", oneKid},
		{"garden flat without children", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) { a.Garden, a.Bedrooms = true, 2 }, "property_type", "garden_flats_for_children", "S5.5", oneKid},
		{"homeowner on general needs", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.Homeowner()),
			nil, "unsuitable_property", "homeowners_sheltered_only", "S5.5", nil},
		{"band E on general needs", bidtest.App(1, register.BandE, "2025-01-01", "2025-01-01"),
			nil, "unsuitable_property", "band_e_sheltered_or_laa", "S5.5", nil},
		{"band E on another Legal Agreement Area", bidtest.App(1, register.BandE, "2025-01-01", "2025-01-01", bidtest.Connected("Brigstock")),
			func(a *bidding.Advert) { a.LegalAgreementArea = "Stanion" }, "legal_agreement_area", "band_e_own_laa", "S5.5", nil},
		{"under sheltered age", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) { a.Sheltered = true }, "age_restriction", "sheltered_age", "S5.6", nil},
		{"under advert minimum age", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) { a.MinAge = 50 }, "age_restriction", "min_age", "S5.7", nil},
		{"wheelchair home without wheelchair need", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.Mobility(register.MobilityLevelAccess)),
			func(a *bidding.Advert) { a.Access = bidding.AccessWheelchair }, "mobility_mismatch", "mobility_matrix", "S4.4", nil},
		{"ground floor restriction on an upper floor", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", func(a *register.Application) {
			a.Medical = []register.MedicalAssessment{{ID: 1, Requested: register.MustDate("2025-01-01"), Assessed: register.MustDate("2025-02-01"),
				Restrictions: register.Restrictions{GroundFloorOrLift: true}}}
		}), func(a *bidding.Advert) { a.Floor = 2 }, "mobility_mismatch", "ground_floor_or_lift", "S4.3", nil},
		{"local lettings: working households", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) {
				a.LocalLettings = []bidding.LocalLetting{{Label: "at least one adult in work", Fact: "working", Is: &yes}}
			}, "local_lettings_policy", "local_lettings[0]", "S5.8", nil},
		{"local lettings: parish connection", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.Working()),
			func(a *bidding.Advert) {
				a.LocalLettings = []bidding.LocalLetting{{Label: "working", Fact: "working", Is: &yes}, {Label: "Stanion parish", Fact: "parish", Value: "Stanion"}}
			}, "local_lettings_policy", "local_lettings[1]", "S5.8", nil},
		{"local lettings: at most two children", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01", bidtest.Child(3), bidtest.Child(5), bidtest.Child(9)),
			func(a *bidding.Advert) {
				a.Bedrooms = 3
				a.LocalLettings = []bidding.LocalLetting{{Label: "max two children", Fact: "children", Lte: &two}}
			}, "local_lettings_policy", "local_lettings[0]", "S5.8", twoKids},
		{"advert withdrawn", bidtest.App(1, register.BandB, "2025-01-01", "2025-01-01"),
			func(a *bidding.Advert) { a.Withdrawn = true }, "property_withdrawn", "advert_withdrawn", "S8.11", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ad := env.Advert(1)
			if tc.ad != nil {
				tc.ad(&ad)
			}
			opts := append([]bidtest.AppOpt{bidtest.Working(), bidtest.Connected("Stanion"), bidtest.Aged(70),
				bidtest.Mobility(register.MobilityWheelchair)}, tc.control...)
			ok := bidtest.App(2, register.BandD, "2025-01-01", "2025-01-01", opts...)
			cl, res := rankOne(t, env, ad, []register.Application{tc.app, ok}, 1, 2)
			sl := res.Shortlist(cl)
			require.Len(t, sl.Skipped, map[bool]int{true: 2, false: 1}[ad.Withdrawn])
			e := sl.Skipped[0]
			require.Equal(t, int64(1), e.Application)
			require.Equal(t, [3]string{tc.code, tc.check, tc.clause}, [3]string{e.Skip, e.Check, e.Clause})
			require.Zero(t, e.Position)
			require.Equal(t, shortlist.SkippedBy, e.By)
			require.True(t, e.At.Equal(env.Cycle.Ends()))
			if !ad.Withdrawn {
				require.Equal(t, []int64{2}, ranked(cl, res), "the control bidder is ranked")
			}
			require.Contains(t, shortlist.Codes, e.Skip)
		})
	}
}

func TestCloseCycle_FromPlainData(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(1, register.BandB, "2020-01-01", "2020-01-01"),
		bidtest.App(2, register.BandA, "2026-01-01", "2025-01-01"),
		bidtest.App(3, register.BandC, "2019-01-01", "2019-01-01", bidtest.Homeowner()),
	}
	ads := []bidding.Advert{env.Advert(1), env.Advert(2)}
	bids := []bidding.Bid{
		{Application: 1, Advert: 1, Placed: env.During(1)},
		{Application: 3, Advert: 1, Placed: env.During(2)},
		{Application: 1, Advert: 2, Placed: env.During(3), Withdrawn: env.During(4)},
		{Application: 3, Advert: 3, Placed: env.During(3)}, // another cycle's advert
		{Application: 1, Advert: 1, Placed: env.During(5)}, // a duplicate: the earlier stands
	}
	out, err := shortlist.CloseCycle(t.Context(), env.Rules, env.Cycle, apps, ads, bids, func(app, advert int64) bool { return advert == 2 })
	require.NoError(t, err)
	require.Len(t, out.Shortlists, 2)
	require.Equal(t, []int64{2, 1}, ranked(out.Closing, &out.Results[0]))
	require.True(t, out.Shortlists[0].Ranked[1].Placed.Equal(env.During(1)))
	require.Equal(t, "unsuitable_property", out.Shortlists[0].Skipped[0].Skip)
	require.Empty(t, out.Shortlists[1].Ranked, "withdrawn bid gone; autobid excluded by the officer")
	auto := out.Closing.Autobids()
	require.Len(t, auto, 1)
	require.Equal(t, bidding.Bid{Application: 2, Advert: 1, Placed: out.Closing.Placed(out.Closing.Bids[0][2]), Autobid: true, By: "autobid"}, auto[0])
}
