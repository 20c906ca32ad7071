package bidding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
)

// book opens a book on adverts 1..n (default one-bedroom flats in Corby).
func book(t *testing.T, env *bidtest.Env, adverts ...bidding.Advert) *bidding.Book {
	t.Helper()
	b, err := bidding.NewBook(env.Rules, env.Cycle, adverts)
	require.NoError(t, err)
	return b
}

func flats(env *bidtest.Env, n int) []bidding.Advert {
	ads := make([]bidding.Advert, n)
	for i := range ads {
		ads[i] = env.Advert(int64(i + 1))
	}
	return ads
}

func TestS6_2_FourthBidRejected(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := flats(env, 4)
	b := book(t, env, ads...)
	ix := env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01"))
	p := bidtest.Profile(t, ix, 1)
	for i := range 3 {
		_, err := b.Place(env.During(1), p, &ads[i], "applicant")
		require.NoError(t, err)
	}
	_, err := b.Place(env.During(2), p, &ads[3], "applicant")
	require.ErrorIs(t, err, bidding.ErrBidLimit)
	require.Equal(t, 3, b.LiveBids(1))
}

func TestS6_2_WithdrawFreesSlot(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := flats(env, 4)
	b := book(t, env, ads...)
	p := bidtest.Profile(t, env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01")), 1)
	for i := range 3 {
		_, err := b.Place(env.During(1), p, &ads[i], "applicant")
		require.NoError(t, err)
	}
	require.NoError(t, b.Withdraw(env.During(2), 1, 2))
	require.ErrorIs(t, b.Withdraw(env.During(2), 1, 2), bidding.ErrNoBid, "a withdrawn bid cannot be withdrawn again")
	_, err := b.Place(env.During(3), p, &ads[3], "applicant")
	require.NoError(t, err, "the freed slot takes a bid on another advert")
	require.NoError(t, b.Withdraw(env.During(4), 1, 4))
	_, err = b.Place(env.During(5), p, &ads[1], "applicant")
	require.NoError(t, err, "re-bid on the advert withdrawn from")
	require.Len(t, b.Bids(), 5)
	live := 0
	for _, bid := range b.Bids() {
		if bid.Live() {
			live++
		}
	}
	require.Equal(t, 3, live)
}

func TestS6_1_ClosedWindow(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := flats(env, 1)
	b := book(t, env, ads...)
	p := bidtest.Profile(t, env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01")), 1)
	_, err := b.Place(env.Cycle.Opens.Add(-1), p, &ads[0], "applicant")
	require.ErrorIs(t, err, bidding.ErrCycleClosed, "before opening")
	_, err = b.Place(env.Cycle.Ends(), p, &ads[0], "applicant")
	require.ErrorIs(t, err, bidding.ErrCycleClosed, "at closing")
	_, err = b.Place(env.Cycle.Opens, p, &ads[0], "applicant")
	require.NoError(t, err, "at opening")
	require.ErrorIs(t, b.Withdraw(env.Cycle.Ends(), 1, 1), bidding.ErrCycleClosed, "no withdrawal after close")
}

func TestS6_3_PlacingRefusals(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := flats(env, 2)
	other := env.Advert(9, func(a *bidding.Advert) { a.Cycle = 2 })
	gone := env.Advert(3, func(a *bidding.Advert) { a.Withdrawn = true })
	b := book(t, env, ads[0], ads[1], gone)
	ix := env.Index(
		bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01"),
		bidtest.App(2, register.BandC, "2024-01-01", "2024-01-01", bidtest.Status(register.StatusSuspended)),
		bidtest.App(3, register.BandC, "2024-01-01", "2024-01-01", bidtest.Aged(17)),
	)
	p1 := bidtest.Profile(t, ix, 1)
	_, err := b.Place(env.During(1), p1, &ads[0], "applicant")
	require.NoError(t, err)

	cases := []struct {
		name string
		p    *bidding.Profile
		ad   *bidding.Advert
		want error
	}{
		{"twice on one advert", p1, &ads[0], bidding.ErrDuplicateBid},
		{"another cycle's advert", p1, &other, bidding.ErrWrongCycle},
		{"withdrawn advert", p1, &gone, bidding.ErrAdvertWithdrawn},
		{"not active", bidtest.Profile(t, ix, 2), &ads[1], bidding.ErrNotActive},
		{"under 18 without a guarantor", bidtest.Profile(t, ix, 3), &ads[1], bidding.ErrNoGuarantor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Place(env.During(2), tc.p, tc.ad, "applicant")
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestS6_3_HardMismatchRejectedAtPlacing(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := []bidding.Advert{
		env.Advert(1, func(a *bidding.Advert) { a.Bedrooms = 3 }),
		env.Advert(2, func(a *bidding.Advert) { a.Type = "house"; a.Bedrooms = 2 }),
		env.Advert(3, func(a *bidding.Advert) { a.Sheltered = true }),
		env.Advert(4, func(a *bidding.Advert) { a.Access = bidding.AccessWheelchair }),
		env.Advert(5, func(a *bidding.Advert) { a.MaxAge = 30 }),
	}
	b := book(t, env, ads...)
	ix := env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01"))
	p := bidtest.Profile(t, ix, 1)
	want := []struct{ check, code, clause string }{
		{"bedrooms", "bedroom_mismatch", "S5.4"},
		{"houses_for_children", "property_type", "S5.5"}, // nn-2021 lets a single bid for up to two bedrooms
		{"sheltered_age", "age_restriction", "S5.6"},
		{"mobility_matrix", "mobility_mismatch", "S4.4"},
		{"max_age", "age_restriction", "S5.7"},
	}
	for i, w := range want {
		_, err := b.Place(env.During(1), p, &ads[i], "applicant")
		var ie *bidding.IneligibleError
		require.ErrorAs(t, err, &ie, "advert %d", ads[i].ID)
		require.ErrorIs(t, err, bidding.ErrIneligible)
		require.Equal(t, bidding.IneligibleError{Application: 1, Advert: ads[i].ID, Check: w.check, Code: w.code, Clause: w.clause}, *ie)
	}
	require.Equal(t, 0, b.LiveBids(1))

	// A family with a child may bid for the two-bedroom house; a single may not, on type.
	fam := env.Index(bidtest.App(2, register.BandC, "2024-01-01", "2024-01-01", bidtest.Child(5)),
		bidtest.App(3, register.BandC, "2024-01-01", "2024-01-01", func(a *register.Application) {
			a.Members = append(a.Members, register.Member{Born: register.NewDate(1990, 1, 1), Sex: register.Male, Relationship: register.RelOther})
		}))
	_, err := b.Place(env.During(1), bidtest.Profile(t, fam, 2), &ads[1], "applicant")
	require.NoError(t, err)
	_, err = b.Place(env.During(1), bidtest.Profile(t, fam, 3), &ads[1], "applicant")
	var ie *bidding.IneligibleError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "houses_for_children", ie.Check)
	require.Equal(t, "property_type", ie.Code)
}

func TestS6_3_ChangeableFactsAcceptedAtPlacing(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := []bidding.Advert{
		env.Advert(1), // homeowners only sheltered: unsuitable_property is not rejected at placing
		env.Advert(2, func(a *bidding.Advert) {
			yes := true
			a.LocalLettings = []bidding.LocalLetting{{Label: "working households", Fact: "working", Is: &yes}}
		}),
	}
	b := book(t, env, ads...)
	p := bidtest.Profile(t, env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01", bidtest.Homeowner())), 1)
	_, err := b.Place(env.During(1), p, &ads[0], "applicant")
	require.NoError(t, err)
	require.Equal(t, bidding.CheckRule0+2, ads0Listing(t, env, &ads[0]).Eligible(p), "still fails, decided at close")
	_, err = b.Place(env.During(1), p, &ads[1], "applicant")
	require.NoError(t, err)
}

func ads0Listing(t *testing.T, env *bidtest.Env, a *bidding.Advert) *bidding.Listing {
	l, err := env.Rules.List(a)
	require.NoError(t, err)
	return l
}

func TestS6_6_QueuePosition(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ads := flats(env, 1)
	b := book(t, env, ads...)
	ix := env.Index(
		bidtest.App(1, register.BandC, "2024-01-01", "2020-01-01"),
		bidtest.App(2, register.BandB, "2025-01-01", "2023-01-01"),
		bidtest.App(3, register.BandC, "2023-06-01", "2023-01-01"),
		bidtest.App(4, register.BandD, "2020-01-01", "2020-01-01", bidtest.Homeowner()),
	)
	place := func(id int64, h float64) {
		_, err := b.Place(env.During(h), bidtest.Profile(t, ix, id), &ads[0], "applicant")
		require.NoError(t, err)
	}
	pos := func(id int64) (int, int) {
		p, of, err := b.Position(env.During(50), ix, id, 1)
		require.NoError(t, err)
		return p, of
	}
	place(1, 1)
	p, of := pos(1)
	require.Equal(t, [2]int{1, 1}, [2]int{p, of})
	place(2, 2) // band B goes ahead
	p, of = pos(1)
	require.Equal(t, [2]int{2, 2}, [2]int{p, of})
	place(3, 3) // band C with an older effective date goes ahead too
	p, _ = pos(1)
	require.Equal(t, 3, p)
	p, _ = pos(3)
	require.Equal(t, 2, p)
	place(4, 4) // a homeowner on a general-needs flat would be skipped: not counted
	_, of = pos(1)
	require.Equal(t, 3, of)
	_, _, err := b.Position(env.During(50), ix, 4, 1)
	var ie *bidding.IneligibleError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "unsuitable_property", ie.Code)
	require.NoError(t, b.Withdraw(env.During(51), 2, 1))
	p, of = pos(1)
	require.Equal(t, [2]int{2, 2}, [2]int{p, of}, "a withdrawal moves the bidder up")
	_, _, err = b.Position(env.Cycle.Ends(), ix, 1, 1)
	require.ErrorIs(t, err, bidding.ErrCycleClosed)
}
