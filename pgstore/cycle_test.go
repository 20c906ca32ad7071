package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// closeState is everything a close writes, as text, traces included.
func closeState(t *testing.T, db *sqlx.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, q := range map[string]string{
		"entries": `SELECT concat_ws('|', s.advert, s.cycle, e.application, e.position, e.skip, e.check_name,
			e.band, e.effective, e.autobid, e.placed, e.trace::text)
			FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist ORDER BY s.advert, e.application`,
		"autobids": `SELECT concat_ws('|', application, advert, placed, placed_by) FROM bids_all WHERE autobid ORDER BY 1`,
		"events":   `SELECT concat_ws('|', kind, application, advert, detail::text) FROM events WHERE kind <> 'import' ORDER BY id`,
		"closed":   `SELECT concat_ws('|', id, closed_by) FROM cycles WHERE closed_at IS NOT NULL ORDER BY id`,
		// Every table a close's entries went into, and whether it is attached.
		"partitions": `SELECT c.relname || '|' || c.relispartition FROM pg_class c
			WHERE c.relname LIKE 'shortlist_entries_c%' AND c.relkind = 'r' ORDER BY 1`,
	} {
		var rows []string
		require.NoError(t, db.Select(&rows, q))
		out[name] = rows
	}
	return out
}

// TestCloseCycle_KilledAtAnyPointLeavesNothing cancels a Keyways-scale close after each
// batch of rows in turn; each killed run leaves the database as it was, and the close
// that finally runs through writes exactly what a close never interrupted writes.
func TestCloseCycle_KilledAtAnyPointLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Keyways(t)
	killed, clean := pgtest.DB(t), pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, killed, s))
	require.NoError(t, pgstore.Import(ctx, clean, s))
	_, err := pgstore.CloseCycle(ctx, clean, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	want := closeState(t, clean)
	require.NotEmpty(t, want["entries"])
	require.Equal(t, []string{"shortlist_entries_c1|true"}, want["partitions"])

	empty := closeState(t, killed)
	kills := 0
	for after := 1; ; after++ {
		ctx, cancel := context.WithCancel(ctx)
		batches := 0
		res, err := pgstore.CloseCycle(ctx, killed, 1, pgstore.CloseOptions{Actor: "t", Progress: func(int) {
			if batches++; batches == after {
				cancel()
			}
		}})
		cancel()
		if err == nil {
			require.False(t, res.AlreadyClosed)
			break
		}
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, empty, closeState(t, killed), "killed after %d batch(es)", after)
		kills++
	}
	require.Greater(t, kills, 1)
	require.Equal(t, want, closeState(t, killed))
}

func TestCloseCycle_Errors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, readSmall(t)))
	_, err := pgstore.CloseCycle(ctx, db, 99, pgstore.CloseOptions{})
	require.ErrorIs(t, err, pgstore.ErrNoCycle)

	res, err := pgstore.CloseCycle(ctx, db, 42, pgstore.CloseOptions{Actor: "kp"})
	require.NoError(t, err)
	require.False(t, res.AlreadyClosed)
	require.Len(t, res.Closed.Shortlists, 3)
	require.Equal(t, "kp", res.Cycle.ClosedBy)
	again, err := pgstore.CloseCycle(ctx, db, 42, pgstore.CloseOptions{})
	require.NoError(t, err)
	require.True(t, again.AlreadyClosed)
	require.Equal(t, res.Cycle.ClosedAt, again.Cycle.ClosedAt)

	// The database refuses a second shortlist of an advert at the same close.
	_, err = db.Exec(`INSERT INTO shortlists (advert, policy, made_at, cycle) VALUES (7001, 'x', now(), 42)`)
	require.ErrorContains(t, err, "shortlists_cycle_advert")
}

// TestS6_1_CloseWaitsForTheEndOfTheClosingMinute: bids are taken until the closing
// minute is over, so a close during that minute is refused and one at its end goes on.
func TestS6_1_CloseWaitsForTheEndOfTheClosingMinute(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	s := readSmall(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	i := slices.IndexFunc(s.Cycles, func(c bidding.Cycle) bool { return c.ID == 42 })
	require.GreaterOrEqual(t, i, 0)
	c := s.Cycles[i]
	_, err := pgstore.CloseCycle(ctx, db, 42, pgstore.CloseOptions{Now: c.Closes.Add(30 * time.Second)})
	require.ErrorIs(t, err, pgstore.ErrCycleOpen, "the last minute still takes bids")
	res, err := pgstore.CloseCycle(ctx, db, 42, pgstore.CloseOptions{Now: c.Ends()})
	require.NoError(t, err)
	require.False(t, res.AlreadyClosed)
}

// TestS6_2_ThreeLiveBidsPerCycle: the fourth live bid is refused, a withdrawn bid
// frees its slot, and a bid on a closed cycle is refused.
func TestS6_2_ThreeLiveBidsPerCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	s := readSmall(t)
	base := s.Adverts[3] // 7004, cycle 43, three bedrooms
	for id := int64(7006); id <= 7008; id++ {
		a := base
		a.ID, a.LegalAgreementArea = id, ""
		s.Adverts = append(s.Adverts, a)
	}
	require.NoError(t, pgstore.Import(ctx, db, s))
	at := time.Date(2025, 11, 14, 10, 0, 0, 0, time.UTC)
	// 1002 holds 7004 already.
	for _, ad := range []int64{7006, 7007} {
		_, err := pgstore.PlaceBid(ctx, db, 1002, ad, at, "applicant", "t")
		require.NoError(t, err)
	}
	_, err := pgstore.PlaceBid(ctx, db, 1002, 7008, at, "applicant", "t")
	require.ErrorIs(t, err, bidding.ErrBidLimit)
	require.NoError(t, pgstore.WithdrawBid(ctx, db, 1002, 7006, at.Add(time.Hour), "t"))
	require.ErrorIs(t, pgstore.WithdrawBid(ctx, db, 1002, 7006, at.Add(time.Hour), "t"), bidding.ErrNoBid)
	b, err := pgstore.PlaceBid(ctx, db, 1002, 7008, at.Add(2*time.Hour), "officer:kp", "kp")
	require.NoError(t, err)
	require.Equal(t, "officer:kp", b.By)
	var live int
	require.NoError(t, db.Get(&live, `SELECT count(*) FROM bids WHERE application = 1002 AND withdrawn IS NULL
		AND advert IN (SELECT id FROM adverts WHERE cycle = 43)`))
	require.Equal(t, 3, live)

	_, err = pgstore.CloseCycle(ctx, db, 43, pgstore.CloseOptions{})
	require.NoError(t, err)
	require.ErrorIs(t, pgstore.WithdrawBid(ctx, db, 1002, 7008, at, "t"), bidding.ErrCycleClosed)
	_, err = pgstore.PlaceBid(ctx, db, 1003, 7006, at, "applicant", "t")
	require.ErrorIs(t, err, bidding.ErrCycleClosed)
}

// TestReassess_WritesHistoryAndEvents re-bands the small register, then finds nothing
// left to change.
func TestReassess_WritesHistoryAndEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, readSmall(t)))
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	day := register.MustDate("2025-11-12")

	dry, err := pgstore.Reassess(ctx, db, p, day, "t", true)
	require.NoError(t, err)
	before, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	require.Equal(t, readSmall(t).Canonical(), before, "a dry run writes nothing")

	done, err := pgstore.Reassess(ctx, db, p, day, "t", false)
	require.NoError(t, err)
	require.Equal(t, dry, done)
	after, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	for _, c := range done {
		for _, a := range after.Applications {
			if a.ID == c.Application {
				require.Equal(t, c.History, a.History)
			}
		}
	}
	evs, err := pgstore.Events(ctx, db, done[0].Application)
	require.NoError(t, err)
	require.Equal(t, "reband", evs[len(evs)-1].Kind)

	again, err := pgstore.Reassess(ctx, db, p, day, "t", false)
	require.NoError(t, err)
	require.Empty(t, again)
}

// TestCloseCycle_SameShortlistsAsStoretest: the shortlists CloseCycle stores are those
// the decision tests' stand-in (storetest.CloseCycle) stores, so the decision record
// reads a real close the way its tests read the stand-in; and each trace the store
// rebuilds from the cycle's recorded inputs is the one the stand-in stored as the close
// computed it (S7.7).
func TestCloseCycle_SameShortlistsAsStoretest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Small(t, 1)
	real, standIn := pgtest.DB(t), pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, real, s))
	require.NoError(t, pgstore.Import(ctx, standIn, s))
	_, err := pgstore.CloseCycle(ctx, real, s.Cycles[0].ID, pgstore.CloseOptions{})
	require.NoError(t, err)
	storetest.CloseCycle(t, standIn, s.Cycles[0].ID)

	type row struct {
		Entry  string `db:"entry"`
		Advert int64  `db:"advert"`
		App    int64  `db:"application"`
		Trace  string `db:"trace"`
	}
	rows := func(db *sqlx.DB) []row {
		var out []row
		require.NoError(t, db.Select(&out, `SELECT concat_ws('|', s.advert, s.policy, e.application, e.position,
			e.skip, e.check_name, e.clause, e.note, e.skipped_by, e.band, e.effective, e.registered, e.autobid,
			e.placed) AS entry, s.advert, e.application, e.trace::text AS trace
			FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist
			ORDER BY s.advert, e.application`))
		return out
	}
	want, got := rows(standIn), rows(real)
	require.NotEmpty(t, want)
	require.Len(t, got, len(want))
	st := &pgstore.Store{DB: real}
	for i := range want {
		require.Equal(t, want[i].Entry, got[i].Entry)
		require.Equal(t, "{}", got[i].Trace, "a close stores no trace")
		rebuilt, err := st.Trace(ctx, got[i].Advert, got[i].App)
		require.NoError(t, err)
		require.JSONEq(t, want[i].Trace, string(rebuilt), "advert %d application %d", got[i].Advert, got[i].App)
	}
}

// TestCloseCycle_BidsWaitForTheClose: a bid placed while its cycle is being closed waits
// for the close (the cycle's advisory lock), and once the close commits it is refused.
func TestCloseCycle_BidsWaitForTheClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Keyways(t)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	app, advert := s.Applications[0].ID, s.Adverts[0].ID
	at := s.Cycles[0].Opens.Add(time.Hour) // inside the window, as an officer back-dating it would

	blocked := make(chan error, 1)
	_, err := pgstore.CloseCycle(ctx, db, s.Cycles[0].ID, pgstore.CloseOptions{Progress: func(rows int) {
		if rows > batchRows {
			return
		}
		bctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		_, err := pgstore.PlaceBid(bctx, db, app, advert, at, "applicant", "t")
		blocked <- err
	}})
	require.NoError(t, err)
	require.ErrorIs(t, <-blocked, context.DeadlineExceeded, "the bid waited for the close's lock")

	_, err = pgstore.PlaceBid(ctx, db, app, advert, at, "applicant", "t")
	require.ErrorIs(t, err, bidding.ErrCycleClosed)
}

// batchRows is the close writer's batch size (rows between Progress calls).
const batchRows = 1024

// TestCloseCycle_PartitionHeld: a close whose cycle has a partition already (one made by
// hand; import --replace drops those of the register it replaces) writes through
// shortlist_entries and stores what a close into a new partition stores.
func TestCloseCycle_PartitionHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Keyways(t)
	held, clean := pgtest.DB(t), pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, held, s))
	require.NoError(t, pgstore.Import(ctx, clean, s))
	_, err := pgstore.CloseCycle(ctx, clean, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	_, err = held.Exec(`CREATE TABLE shortlist_entries_c1 PARTITION OF shortlist_entries FOR VALUES IN (1)`)
	require.NoError(t, err)
	_, err = pgstore.CloseCycle(ctx, held, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	require.Equal(t, closeState(t, clean), closeState(t, held))

	// import --replace empties the register and drops its partitions; closing the new
	// register's cycle 1 makes a partition again and stores the same rows.
	require.NoError(t, pgstore.ImportWith(ctx, held, s, pgstore.ImportOptions{Replace: true}))
	st := closeState(t, held)
	require.Empty(t, st["entries"])
	require.Empty(t, st["partitions"])
	_, err = pgstore.CloseCycle(ctx, held, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	got, want := closeState(t, held), closeState(t, clean)
	require.Equal(t, want["entries"], got["entries"])
	require.Equal(t, want["partitions"], got["partitions"])
}

// TestCloseCycle_SummaryIsWhatIsStored: the summary a close makes from its own result is
// the one CycleSummary reads back from the rows it wrote.
func TestCloseCycle_SummaryIsWhatIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Keyways(t)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	res, err := pgstore.CloseCycle(ctx, db, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	stored, err := pgstore.CycleSummary(ctx, db, 1)
	require.NoError(t, err)
	require.NotEmpty(t, stored)
	require.Equal(t, stored, res.Summary)
	again, err := pgstore.CloseCycle(ctx, db, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	require.True(t, again.AlreadyClosed)
	require.Nil(t, again.Summary)
}

// TestS6_4_AutobidsAreKeptOnceAsEntries: a close keeps its autobids as entries only,
// not also as bids rows (migration 0012), and bids_all — what cbl reads bids from —
// holds each once, as the bid list shows it; no events row per autobid, each advert's
// shortlist event counts them. An autobid an import brought into bids on the cycle's
// advert moves to its entry, so it is still held once.
func TestS6_4_AutobidsAreKeptOnceAsEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Keyways(t)
	autobids := func(db *sqlx.DB) (raw int, all []string) {
		require.NoError(t, db.Get(&raw, `SELECT count(*) FROM bids WHERE autobid`))
		require.NoError(t, db.Select(&all, `SELECT concat_ws('|', application, advert, (EXTRACT(EPOCH FROM placed) * 1000000)::int8, placed_by, withdrawn)
			FROM bids_all WHERE autobid`))
		slices.Sort(all)
		return raw, all
	}

	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	res, err := pgstore.CloseCycle(ctx, db, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	var want []string
	for _, b := range res.Closed.Closing.Autobids() {
		want = append(want, fmt.Sprintf("%d|%d|%d|autobid", b.Application, b.Advert, b.Placed.UnixMicro()))
	}
	slices.Sort(want)
	require.NotEmpty(t, want)
	raw, all := autobids(db)
	require.Zero(t, raw, "no autobid copied into bids")
	require.Equal(t, want, all)

	first := res.Closed.Closing.Autobids()[0]
	rows, err := pgstore.Bids(ctx, db, first.Application, 0)
	require.NoError(t, err)
	i := slices.IndexFunc(rows, func(r pgstore.BidRow) bool { return r.Advert == first.Advert })
	require.GreaterOrEqual(t, i, 0, "the autobid is in the application's bid list")
	require.True(t, rows[i].Autobid)
	require.True(t, rows[i].Position != nil || rows[i].Skip != nil, "with its place on the shortlist")

	var perAutobid, counted int
	require.NoError(t, db.Get(&perAutobid, `SELECT count(*) FROM events WHERE kind = 'autobid'`))
	require.NoError(t, db.Get(&counted, `SELECT sum((detail->>'autobids')::int) FROM events WHERE kind = 'shortlist'`))
	require.Zero(t, perAutobid)
	require.Equal(t, len(want), counted)

	// The same register with one of those autobids already held as a bid.
	held := *s
	held.Bids = append(slices.Clone(s.Bids), first)
	db2 := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db2, &held))
	raw, _ = autobids(db2)
	require.Equal(t, 1, raw)
	_, err = pgstore.CloseCycle(ctx, db2, 1, pgstore.CloseOptions{Actor: "t"})
	require.NoError(t, err)
	raw, all = autobids(db2)
	require.Zero(t, raw, "the held autobid moved to its entry")
	require.Equal(t, want, all)
}
