package allocation_test

import (
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/stretchr/testify/require"
)

// TestS8_2_UnderOfferSkipWaitsForTheAdvertToClose: a walk holds adverts of several
// cycles. An application under offer on this week's advert is not skipped on next week's
// advert before that one has closed; if the offer is refused first, next week's walk
// reaches it as usual.
func TestS8_2_UnderOfferSkipWaitsForTheAdvertToClose(t *testing.T) {
	in, _, _ := loadScenario(t, "under_offer_two_adverts")
	next := in.Adverts[2] // advert 12 closes 2025-06-10, a week after 10 and 11
	next.ID = 13
	in.Adverts = append(in.Adverts, next)
	sl := in.Shortlists[2]
	sl.Advert = 13
	sl.Ranked = []shortlist.Entry{sl.Ranked[1], sl.Ranked[2]} // application 1 first
	for i := range sl.Ranked {
		sl.Ranked[i].Advert, sl.Ranked[i].Position = 13, i+1
	}
	in.Shortlists = append(in.Shortlists, sl)
	require.Equal(t, int64(1), sl.Ranked[0].Application)
	require.Equal(t, time.Date(2025, 6, 10, 22, 59, 0, 0, time.UTC), next.Closes)

	ds := []allocation.Decision{
		{Kind: allocation.VerifyPass, On: d("2025-06-05"), Actor: "kp", Advert: 10, Application: 1},
		{Kind: allocation.MakeOffer, On: d("2025-06-05"), Actor: "kp", Advert: 10, Application: 1},
		{Kind: allocation.Refuse, On: d("2025-06-09"), Actor: "kp", Advert: 10, Application: 1, Refusal: "refused"},
		{Kind: allocation.VerifyPass, On: d("2025-06-11"), Actor: "kp", Advert: 13, Application: 1},
	}
	res, err := allocation.Run(in, ds)
	require.NoError(t, err, "1 was under offer only before advert 13 closed")
	for _, e := range events(res, "skipped") {
		require.NotEqual(t, int64(13), e.Advert, "no skip on advert 13: %+v", e)
	}

	// Still under offer when advert 13 has closed: its walk looks past 1, and the first
	// decision on it skips 1, dated that day.
	second := sl.Ranked[1].Application
	ds = append(ds[:2], allocation.Decision{Kind: allocation.VerifyPass, On: d("2025-06-11"), Actor: "kp", Advert: 11, Application: 4})
	res, err = allocation.Run(in, ds)
	require.NoError(t, err)
	for _, w := range res.Pending {
		if w.Advert == 13 {
			require.Equal(t, allocation.Wait{Advert: 13, For: allocation.WaitVerify, Applications: []int64{second},
				Since: d("2025-06-10")}, w, "advert 13 looks past 1, under offer on 10")
		}
	}
	ds = append(ds, allocation.Decision{Kind: allocation.VerifyPass, On: d("2025-06-11"), Actor: "kp", Advert: 13, Application: second})
	res, err = allocation.Run(in, ds)
	require.NoError(t, err)
	var on13 []allocation.Event
	for _, e := range events(res, "skipped") {
		if e.Advert == 13 {
			on13 = append(on13, e)
		}
	}
	require.Len(t, on13, 1)
	require.Equal(t, []allocation.Event{{Seq: on13[0].Seq, At: d("2025-06-11"), Actor: allocation.Engine, Kind: "skipped",
		Application: 1, Advert: 13, Reason: shortlist.UnderOfferElsewhere, Detail: "under offer on advert 10"}}, on13)
}
