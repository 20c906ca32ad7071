package snapshot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

// TestS6_2_LiveBidCapAtImport: a snapshot in which one application holds four live bids
// in a cycle (nn-2021 allows three) is refused, the fourth by placing time named; a
// withdrawn bid or an autobid does not count.
func TestS6_2_LiveBidCapAtImport(t *testing.T) {
	t.Parallel()
	s := snapshottest.Full()
	c := s.Cycles[0]
	var ads []int64
	for _, a := range s.Adverts {
		if a.Cycle == c.ID {
			ads = append(ads, a.ID)
		}
	}
	app := s.Applications[0].ID
	s.Bids = slices.DeleteFunc(s.Bids, func(b bidding.Bid) bool { return b.Application == app })
	for len(ads) < 4 {
		a := s.Adverts[0]
		a.ID = 900000 + int64(len(ads))
		a.Cycle = c.ID
		s.Adverts = append(s.Adverts, a)
		ads = append(ads, a.ID)
	}
	for i, ad := range ads[:4] {
		s.Bids = append(s.Bids, bidding.Bid{Application: app, Advert: ad, Placed: c.Opens.Add(time.Duration(i+1) * time.Hour)})
	}
	err := snapshot.Validate(s)
	require.ErrorContains(t, err, fmt.Sprintf("application %d already has 3 live bids in cycle %d", app, c.ID))
	var ve *snapshot.ValidationError
	require.ErrorAs(t, err, &ve)
	n := 0
	for _, e := range ve.Errors {
		if strings.Contains(e.Reason, "live bids") {
			n++
			require.Equal(t, fmt.Sprint(ads[3]), strings.TrimSpace(strings.Split(strings.Split(e.Key, "advert ")[1], ")")[0]))
		}
	}
	require.Equal(t, 1, n, "only the fourth")
	s.Bids[len(s.Bids)-1].Withdrawn = s.Bids[len(s.Bids)-1].Placed.Add(time.Minute)
	require.NoError(t, snapshot.Validate(s), "a withdrawn bid does not count")
}
