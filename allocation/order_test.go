package allocation_test

import (
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/stretchr/testify/require"
)

// TestOrder_OtherAdvertsAndHouseholdsInAnyOrder: a decision dated before one already
// recorded on another advert, for another household, is applied (an officer back-dating
// a verification on one advert after recording another today).
func TestOrder_OtherAdvertsAndHouseholdsInAnyOrder(t *testing.T) {
	t.Parallel()
	in, _, _ := loadScenario(t, "under_offer_two_adverts")
	ds := []allocation.Decision{
		{Kind: allocation.VerifyPass, On: d("2025-06-12"), Actor: "kp", Advert: 12, Application: 3},
		{Kind: allocation.VerifyPass, On: d("2025-06-05"), Actor: "kp", Advert: 10, Application: 1},
		{Kind: allocation.MakeOffer, On: d("2025-06-05"), Actor: "kp", Advert: 10, Application: 1},
	}
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	require.Len(t, res.Offers, 1)
}

// TestOrder_HouseholdRecordInTimeOrder: decisions that change a household's own record
// (here a review request, then a renewal dated before it) stay in time order, so its
// refusals, reviews and band spells are counted in the order they happened.
func TestOrder_HouseholdRecordInTimeOrder(t *testing.T) {
	t.Parallel()
	in, _, _ := loadScenario(t, "under_offer_two_adverts")
	ds := []allocation.Decision{
		{Kind: allocation.RequestReview, On: d("2025-06-20"), Actor: "kp", Application: 1, Subject: allocation.SubjectBand, Of: d("2025-06-15")},
		{Kind: allocation.Renew, On: d("2025-06-10"), Actor: "kp", Application: 1},
	}
	_, err := allocation.Run(in, ds)
	require.EqualError(t, err, "decision 1 (renew on 2025-06-10, application 1): on: 2025-06-10 is before the last decision on application 1's own record (2025-06-20)")
	ds[1].Application = 2
	_, err = allocation.Run(in, ds)
	require.NoError(t, err, "another household's decisions may come in any order")
}

// TestOrder_NotBeforeTheAdvertClosedToTheMinute: with the moment known, a decision on the
// advert's closing day but before its closing time is refused.
func TestOrder_NotBeforeTheAdvertClosedToTheMinute(t *testing.T) {
	t.Parallel()
	in, _, _ := loadScenario(t, "under_offer_two_adverts")
	closes := in.Adverts[0].Closes // 2025-06-03T22:59Z, 23:59 in London
	dec := allocation.Decision{Kind: allocation.VerifyPass, On: d("2025-06-03"), At: closes.Add(-time.Minute), Actor: "kp", Advert: 10, Application: 1}
	_, err := allocation.Run(in, []allocation.Decision{dec})
	require.ErrorContains(t, err, "is before advert 10 closed")
	dec.At = closes
	_, err = allocation.Run(in, []allocation.Decision{dec})
	require.NoError(t, err)
}

// TestOrder_DecisionNeedsAShortlist: only a direct let may be made on an advert whose
// cycle has not been closed.
func TestOrder_DecisionNeedsAShortlist(t *testing.T) {
	t.Parallel()
	in, _, _ := loadScenario(t, "under_offer_two_adverts")
	in.Shortlists = in.Shortlists[:2] // advert 12 not shortlisted
	_, err := allocation.Run(in, []allocation.Decision{{Kind: allocation.VerifyPass, On: d("2025-06-12"), Actor: "kp", Advert: 12, Application: 3}})
	require.ErrorContains(t, err, "advert: 12 has no shortlist: close its cycle first")
	_, err = allocation.Run(in, []allocation.Decision{{Kind: allocation.DirectLet, On: d("2025-06-12"), Actor: "kp", Advert: 12,
		Application: 3, Category: allocation.Decant, Authoriser: "head", Reason: "estate regeneration"}})
	require.NoError(t, err)
}
