package pgstore_test

import (
	"context"
	"io/fs"
	"slices"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

// intakeDB is the small register imported, cycle 42 closed and one decision recorded.
func intakeDB(t *testing.T) (*pgstore.Store, *snapshot.Snapshot) {
	t.Helper()
	ctx := context.Background()
	s := readSmall(t)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	st := &pgstore.Store{DB: db}
	_, err := st.CloseCycle(ctx, 42, "t")
	require.NoError(t, err)
	waits, err := st.Waiting(ctx, 7001)
	require.NoError(t, err)
	_, err = st.Decide(ctx, time.Date(2025, 11, 12, 10, 0, 0, 0, time.UTC), allocation.Decision{Kind: allocation.VerifyPass,
		Actor: "kp", Advert: 7001, Application: waits[0].Applications[0]})
	require.NoError(t, err)
	return st, s
}

// waitsFor is the application advert's walk waits for.
func waitsFor(t *testing.T, st *pgstore.Store, advert int64) int64 {
	t.Helper()
	waits, err := st.Waiting(context.Background(), advert)
	require.NoError(t, err)
	require.NotEmpty(t, waits)
	return waits[0].Applications[0]
}

// writeDelta is d as a partial snapshot: only the files it has rows for.
func writeDelta(t *testing.T, d *snapshot.Snapshot) fs.FS {
	t.Helper()
	fsys, err := snapshottest.Delta(d)
	require.NoError(t, err)
	return fsys
}

// TestMerge_WeeklyIntake: a partial snapshot adds an application, records a birth in a
// household held (a new member), adds an advert to the open cycle and a bid on it.
// Nothing else changes: the stored shortlists and the record still replay exactly.
func TestMerge_WeeklyIntake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, s := intakeDB(t)
	var newApp, grown register.Application
	for _, a := range s.Applications {
		if a.ID == 1001 { // bid on 7001, so fits a home like it
			newApp = a
		}
		if a.ID == 1002 {
			grown = a
		}
	}
	// The household let 7001 has a new baby: a decision changed it (its status), and
	// intake changes its facts; the record must still replay.
	let := waitsFor(t, st, 7001)
	for _, d := range []allocation.Decision{
		{Kind: allocation.MakeOffer, Actor: "kp", Advert: 7001, Application: let},
		{Kind: allocation.Accept, Actor: "kp", Advert: 7001, Application: let},
	} {
		_, err := st.Decide(ctx, time.Date(2025, 11, 13, 10, 0, 0, 0, time.UTC), d)
		require.NoError(t, err)
	}
	housed, err := st.Application(ctx, let)
	require.NoError(t, err)
	housed.History, housed.Overrides, housed.Refusals = nil, nil, nil
	housed.Members = append(slices.Clone(housed.Members), register.Member{Name: "Baby", Born: register.MustDate("2025-11-12"),
		Sex: register.Male, Relationship: register.RelChild})
	newApp.ID, newApp.History, newApp.Overrides, newApp.Refusals = 2001, nil, nil, nil
	grown.History, grown.Overrides, grown.Refusals = nil, nil, nil
	grown.Members = append(grown.Members, register.Member{Name: "Baby", Born: register.MustDate("2025-11-10"),
		Sex: register.Female, Relationship: register.RelChild})
	var ad bidding.Advert
	for _, a := range s.Adverts {
		if a.ID == 7001 {
			ad = a
		}
	}
	ad.ID, ad.Cycle, ad.Closes = 7010, 43, time.Date(2025, 11, 18, 23, 59, 0, 0, time.UTC)
	delta := &snapshot.Snapshot{Applications: []register.Application{grown, newApp, *housed}, Adverts: []bidding.Advert{ad},
		Bids: []bidding.Bid{{Application: 2001, Advert: 7010, Placed: time.Date(2025, 11, 14, 10, 0, 0, 0, time.UTC), By: "applicant"}}}
	res, err := pgstore.Merge(ctx, st.DB, writeDelta(t, delta), "intake")
	require.NoError(t, err)
	require.Equal(t, pgstore.MergeResult{ApplicationsAdded: 1, ApplicationsUpdated: 2, AdvertsAdded: 1, BidsAdded: 1}, *res)

	a, err := st.Application(ctx, 1002)
	require.NoError(t, err)
	require.Len(t, a.Members, len(grown.Members), "the birth is recorded")
	require.NotEmpty(t, a.History, "the band history held is kept")
	_, err = st.Application(ctx, 2001)
	require.NoError(t, err)
	var n int
	require.NoError(t, st.DB.Get(&n, `SELECT count(*) FROM bids WHERE application = 2001 AND advert = 7010`))
	require.Equal(t, 1, n)
	require.NoError(t, st.DB.Get(&n, `SELECT count(*) FROM events WHERE kind = 'intake_application'`))
	require.Equal(t, 3, n)
	diff, decisions, err := st.Verify(ctx)
	require.NoError(t, err)
	require.Empty(t, diff, "the stored shortlists and the record still replay")
	require.Equal(t, 3, decisions)
	got, err := st.Application(ctx, let)
	require.NoError(t, err)
	require.Len(t, got.Members, len(housed.Members))
	require.Equal(t, register.StatusClosed, got.Status)
}

// TestMerge_RefusedWritesNothing: a bid the rules refuse, a bid on a closed cycle's
// advert, a band history row — each named by the delta's file and line, nothing written.
func TestMerge_RefusedWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, s := intakeDB(t)
	count := func() (n int) {
		require.NoError(t, st.DB.Get(&n, `SELECT (SELECT count(*) FROM bids) + (SELECT count(*) FROM applications)
			+ (SELECT count(*) FROM members) + (SELECT count(*) FROM events)`))
		return n
	}
	before := count()
	// A bid placed after its cycle closed.
	late := &snapshot.Snapshot{Bids: []bidding.Bid{{Application: 1001, Advert: 7002, Placed: time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC), By: "applicant"}}}
	_, err := pgstore.Merge(ctx, st.DB, writeDelta(t, late), "intake")
	require.ErrorContains(t, err, "bids.csv:2")
	require.ErrorContains(t, err, "refused as cbl bid place would refuse it")
	// A status change: that is a decision's, not intake's.
	cancelled := s.Applications[1]
	cancelled.History, cancelled.Overrides, cancelled.Refusals = nil, nil, nil
	cancelled.Status, cancelled.StatusReason = register.StatusClosed, "moved away"
	_, err = pgstore.Merge(ctx, st.DB, writeDelta(t, &snapshot.Snapshot{Applications: []register.Application{cancelled}}), "intake")
	require.ErrorContains(t, err, "applications.csv:2: status:")
	require.ErrorContains(t, err, "cbl application verify|cancel|reinstate")
	// A band history row.
	a := s.Applications[0]
	a.Members = nil
	hist := &snapshot.Snapshot{Applications: []register.Application{a}}
	_, err = pgstore.Merge(ctx, st.DB, writeDelta(t, hist), "intake")
	require.ErrorContains(t, err, "band_history.csv:2")
	require.ErrorContains(t, err, "not taken in a merge")
	require.Equal(t, before, count())
}
