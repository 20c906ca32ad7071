package shortlist_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// randomCase builds n random profiles and bids and one random advert from seed.
func randomCase(env *bidtest.Env, seed uint64, n int, knobs uint8) (*bidding.Index, *bidding.Listing, []bidding.Ref) {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	ps := make([]bidding.Profile, n)
	ids := rng.Perm(n * 3)
	facts := []policy.Facts{{Age: 30, DependentChildren: true}, {Age: 70, ShelteredEligible: true}, {Age: 40}}
	for i := range ps {
		p := bidding.Profile{
			ID:         int64(ids[i] + 1),
			Band:       register.Band(1 + rng.IntN(5)),
			Effective:  register.Date(19000 + rng.IntN(40)), // narrow ranges force ties
			Registered: register.Date(18000 + rng.IntN(20)),
			Age:        uint8(18 + rng.IntN(70)),
			BedMin:     1,
			BedMax:     uint8(1 + rng.IntN(3)),
			Flags:      bidding.FlagActive | bidding.FlagQualifies,
			Facts:      &facts[rng.IntN(len(facts))],
		}
		if rng.IntN(20) == 0 {
			p.Flags &^= bidding.FlagActive
		}
		switch rng.IntN(6) {
		case 0:
			p.Flags |= bidding.FlagMobilityLevel
		case 1:
			p.Flags |= bidding.FlagMobilityWheelchair
		}
		if rng.IntN(3) == 0 {
			p.LegalAgreementAreas = []string{"Stanion"}
		}
		switch rng.IntN(8) {
		case 0:
			p.Flags |= bidding.FlagPreferenceTop
		case 1:
			p.Flags |= bidding.FlagPreferenceUp
		}
		env.Rules.Complete(&p)
		ps[i] = p
	}
	ix, err := bidding.NewIndex(env.Rules, ps)
	if err != nil {
		panic(err)
	}
	ad := env.Advert(1, func(a *bidding.Advert) {
		a.Bedrooms = 1 + int(knobs&1)
		if knobs&2 != 0 {
			a.Access = bidding.AccessLevel
		}
		if knobs&4 != 0 {
			a.LegalAgreementArea = "Stanion"
		}
		if knobs&8 != 0 {
			a.Ordering = bidding.OrderFCFS
		}
	})
	l, err := env.Rules.List(&ad)
	if err != nil {
		panic(err)
	}
	bids := make([]bidding.Ref, n)
	for i, at := range rng.Perm(n) {
		bids[i] = bidding.Ref{App: uint32(at), At: uint32(rng.IntN(50)), Autobid: rng.IntN(10) == 0}
	}
	return ix, l, bids
}

// contract compares two eligible bids as the doc comment of Ranker.Rank states it,
// from the plain facts, without the packed key.
func contract(ix *bidding.Index, l *bidding.Listing, a, b bidding.Ref) int {
	ad, pol := l.Advert, ix.Rules.Policy
	pa, pb := &ix.Profiles[a.App], &ix.Profiles[b.App]
	needs := func(p *bidding.Profile) bool {
		return p.Flags&(bidding.FlagMobilityLevel|bidding.FlagMobilityWheelchair|bidding.FlagNeedsLevelAccess|bidding.FlagNeedsWheelchairHome) != 0
	}
	first := func(x bool) int { // true sorts first
		if x {
			return 0
		}
		return 1
	}
	if pol.Shortlist.MobilityFirstOnAccessible && ad.Access != bidding.AccessGeneral {
		if c := cmp.Compare(first(needs(pa)), first(needs(pb))); c != 0 {
			return c
		}
	}
	if pol.Shortlist.LegalAgreementFirst && ad.LegalAgreementArea != "" {
		if c := cmp.Compare(first(pa.Connected(ad.LegalAgreementArea)), first(pb.Connected(ad.LegalAgreementArea))); c != 0 {
			return c
		}
	}
	if ad.Ordering == bidding.OrderFCFS {
		if c := cmp.Compare(a.At, b.At); c != 0 {
			return c
		}
	} else {
		// Additional preference (S7.4), from the effects' plain meaning.
		rank := func(p *bidding.Profile) (register.Band, int) {
			switch {
			case p.Flags&bidding.FlagPreferenceUp != 0 && p.Band > register.BandA:
				return p.Band - 1, 1
			case p.Flags&(bidding.FlagPreferenceUp|bidding.FlagPreferenceTop) != 0:
				return p.Band, 0
			}
			return p.Band, 1
		}
		ba, la := rank(pa)
		bb, lb := rank(pb)
		if c := cmp.Or(cmp.Compare(ba, bb), cmp.Compare(la, lb), cmp.Compare(pa.Effective, pb.Effective), cmp.Compare(pa.Registered, pb.Registered)); c != 0 {
			return c
		}
	}
	return cmp.Compare(pa.ID, pb.ID)
}

func checkContract(t *testing.T, env *bidtest.Env, seed uint64, n int, knobs uint8) {
	ix, l, bids := randomCase(env, seed, n, knobs)
	res := shortlist.Rank(ix, l, bids)

	// A permutation of the input: every bid exactly once, ranked or skipped.
	seen := map[uint32]int{}
	for _, at := range res.Ranked {
		seen[at]++
	}
	for _, s := range res.Skipped {
		seen[s.Bid.App]++
		require.NotEqual(t, bidding.CheckNone, s.Check)
		require.Equal(t, s.Check, l.Eligible(&ix.Profiles[s.Bid.App]))
	}
	require.Len(t, seen, len(bids))
	for _, b := range bids {
		require.Equal(t, 1, seen[b.App])
	}
	// Sorted, strictly, under the contract.
	byApp := map[uint32]bidding.Ref{}
	for _, b := range bids {
		byApp[b.App] = b
	}
	for i := 1; i < len(res.Ranked); i++ {
		require.Negative(t, contract(ix, l, byApp[res.Ranked[i-1]], byApp[res.Ranked[i]]), "positions %d and %d", i, i+1)
	}
	// The same whatever the input order.
	shuffled := slices.Clone(bids)
	rand.New(rand.NewPCG(seed, 99)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	again := shortlist.Rank(ix, l, shuffled)
	require.Equal(t, res.Ranked, again.Ranked)
	skips := func(r *shortlist.Result) []shortlist.Skip {
		s := slices.Clone(r.Skipped)
		slices.SortFunc(s, func(a, b shortlist.Skip) int { return cmp.Compare(a.Bid.App, b.Bid.App) })
		return s
	}
	require.Equal(t, skips(res), skips(again))
}

func FuzzRankOrderContract(f *testing.F) {
	env := bidtest.New(f, "nn-2021")
	f.Add(uint64(1), uint16(10), uint8(0))
	f.Add(uint64(2), uint16(300), uint8(2))
	f.Add(uint64(3), uint16(1000), uint8(6))
	f.Add(uint64(4), uint16(700), uint8(8))
	f.Add(uint64(5), uint16(2000), uint8(15))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, knobs uint8) {
		checkContract(t, env, seed, int(n%5000), knobs)
	})
}

// TestRank_OrderContract runs the contract check over many seeds in ordinary test runs.
func TestRank_OrderContract(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	for seed := range uint64(64) {
		checkContract(t, env, seed, []int{0, 1, 2, 255, 256, 257, 1000, 3000}[seed%8], uint8(seed))
	}
}

func TestRanker_SplitSameResult(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	for _, knobs := range []uint8{0, 6, 8} {
		ix, l, bids := randomCase(env, uint64(knobs), 3*shortlist.SplitMin, knobs)
		one := shortlist.Rank(ix, l, bids)
		for _, split := range []int{2, 3} {
			r := shortlist.Ranker{Split: split}
			var res shortlist.Result
			r.Rank(ix, l, bids, &res)
			require.Equal(t, one.Ranked, res.Ranked)
			require.Equal(t, one.Skipped, res.Skipped, "skips in input order")
		}
	}
}
