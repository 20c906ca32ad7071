package pgstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

// TestCloseCycle_ReadsWhatExportReads: the close reads the applications' tables on two
// connections and attaches the child rows afterwards; what it reads is exactly what
// Export reads on one, for a register with every kind of child row (several to an
// application, and none).
func TestCloseCycle_ReadsWhatExportReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	s := snapshottest.Register(7, 300, 2, 10)
	for i := range s.Applications {
		a := &s.Applications[i]
		if i%7 == 3 { // the generated register has no overrides
			a.Overrides = []register.Override{
				{Kind: register.OverrideSetBand, Band: register.BandB, Effective: a.Registered, Reason: "panel", By: "kp", On: a.Registered},
				{Kind: register.OverrideWithdrawCriterion, Criterion: "homeless_main", Effective: a.Registered,
					Reason: "duty ended", By: "jb", On: a.Registered.AddDays(3), Removed: a.Registered.AddDays(30)},
			}
		}
	}
	for _, a := range snapshottest.Full().Applications {
		a.ID += 1000 // beside the generated ones
		for j := range a.Medical {
			a.Medical[j].ID += 10_000_000
		}
		s.Applications = append(s.Applications, a)
	}
	// A local lettings policy on one advert of each cycle: the close reads its own
	// cycle's only.
	yes := true
	lettings := map[int64]bool{}
	for i := range s.Adverts {
		if ad := &s.Adverts[i]; !lettings[ad.Cycle] {
			lettings[ad.Cycle] = true
			ad.LocalLettings = []bidding.LocalLetting{{Label: "working households", Fact: "working", Is: &yes}}
		}
	}
	require.Len(t, lettings, 2)
	require.NoError(t, pgstore.Import(ctx, db, s))
	want, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, a := range want.Applications {
		for name, n := range map[string]int{"members": len(a.Members), "medical": len(a.Medical),
			"history": len(a.History), "overrides": len(a.Overrides), "refusals": len(a.Refusals)} {
			kinds[name] = max(kinds[name], n)
		}
		for _, m := range a.Medical {
			kinds["conditions"] = max(kinds["conditions"], len(m.Conditions))
		}
		if len(a.Refusals) == 0 {
			kinds["no refusals"]++
		}
	}
	for _, name := range []string{"members", "overrides"} {
		require.Greater(t, kinds[name], 1, "applications with several %s", name)
	}
	for _, name := range []string{"medical", "conditions", "history", "refusals", "no refusals"} {
		require.Positive(t, kinds[name], name)
	}

	// The close reads only its cycle's adverts and the bids on them: bidding.NewClosing
	// ranks no others.
	cycle := want.Adverts[0].Cycle
	var wantBids []bidding.Bid
	for _, b := range want.Bids {
		if i := slices.IndexFunc(want.Adverts, func(ad bidding.Advert) bool { return ad.ID == b.Advert }); want.Adverts[i].Cycle == cycle {
			wantBids = append(wantBids, b)
		}
	}
	require.Less(t, len(wantBids), len(want.Bids), "bids on another cycle's adverts too")
	got, err := pgstore.ReadForClose(ctx, db, cycle)
	require.NoError(t, err)
	require.Equal(t, want.Applications, got.Applications)
	var wantAdverts []bidding.Advert
	for _, ad := range want.Adverts {
		if ad.Cycle == cycle {
			wantAdverts = append(wantAdverts, ad)
		}
	}
	require.Less(t, len(wantAdverts), len(want.Adverts), "adverts of another cycle too")
	require.Equal(t, wantAdverts, got.Adverts)
	require.Equal(t, wantBids, got.Bids)
	require.NotEmpty(t, got.Bids)
}
