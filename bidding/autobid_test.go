package bidding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
)

// autobids lists, per advert id, the application ids autobid onto it.
func autobids(cl *bidding.Closing) map[int64][]int64 {
	out := map[int64][]int64{}
	for i, refs := range cl.Bids {
		for _, r := range refs {
			if r.Autobid {
				out[cl.Listings[i].Advert.ID] = append(out[cl.Listings[i].Advert.ID], cl.Index.Profiles[r.App].ID)
			}
		}
	}
	return out
}

func TestS6_4_AutobidBandA(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	in := func(loc string) bidtest.AdOpt { return func(a *bidding.Advert) { a.Locality = loc } }
	ads := []bidding.Advert{
		env.Advert(1, in("Corby")),
		env.Advert(2, in("Weldon")), // same autobid area as Corby
		env.Advert(3, in("Corby"), func(a *bidding.Advert) { a.Bedrooms = 3 }), // too big: not eligible
		env.Advert(4, in("Kettering")),                                         // another area
		env.Advert(5, in("Corby")),                                             // the officer excludes application 1 here
		env.Advert(6, in("Gretton"), func(a *bidding.Advert) { a.Withdrawn = true }),
		env.Advert(7, in("Corby")), env.Advert(8, in("Corby")), env.Advert(9, in("Corby")),
	}
	b := book(t, env, ads...)
	ix := env.Index(
		bidtest.App(1, register.BandA, "2026-06-01", "2025-01-01"),
		bidtest.App(2, register.BandB, "2020-01-01", "2020-01-01"),
		bidtest.App(3, register.BandA, "2026-06-01", "2025-01-01", bidtest.Status(register.StatusSuspended)),
		bidtest.App(4, register.BandA, "2026-06-01", "2025-01-01", bidtest.Area("Rushden")),
	)
	// Application 1 uses its three manual bids first: autobids do not count toward the cap.
	for _, id := range []int{7, 8, 9} {
		_, err := b.Place(env.During(1), bidtest.Profile(t, ix, 1), &ads[id-1], "applicant")
		require.NoError(t, err)
	}
	b.Exclude(1, 5, bidding.Exclusion{By: "officer-7", Reason: "known risk at the block"})

	cl, err := b.Close(ix)
	require.NoError(t, err)
	require.Equal(t, map[int64][]int64{1: {1}, 2: {1}}, autobids(cl),
		"band A gets every eligible advert in its area it has not bid on or been excluded from; band B, suspended and other-area applications get none")
	for i, refs := range cl.Bids {
		for _, r := range refs {
			if r.Autobid {
				require.True(t, cl.Placed(r).Equal(env.Cycle.Ends()), "autobids are placed when the window ends")
				require.Equal(t, bidding.CheckNone, cl.Listings[i].Eligible(&ix.Profiles[r.App]))
			}
		}
	}
}

func TestS6_4_AutobidCapIsPolicy(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := flats(env, 5)
	ix := env.Index(bidtest.App(1, register.BandA, "2026-06-01", "2025-01-01"))
	cl := env.Closing(ix, ads, map[int64][]int64{1: {1}})
	p := *env.Policy
	p.Bidding.AutobidCap = 2
	rules, err := bidding.Compile(&p)
	require.NoError(t, err)
	ix.Rules = rules
	require.Equal(t, 2, cl.Autobid(nil))
	require.Equal(t, map[int64][]int64{2: {1}, 3: {1}}, autobids(cl))

	p.Bidding.AutobidCap = 0
	p.Bidding.AutobidCountsTowardCap = true
	cl = env.Closing(ix, ads, map[int64][]int64{1: {1}})
	require.Equal(t, 2, cl.Autobid(nil), "one manual bid + two autobids reach max_live_bids 3")
}
