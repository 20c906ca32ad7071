package intake_test

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/intake"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

func small(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Read("../testdata/snapshot/small")
	require.NoError(t, err)
	return s
}

// delta is d as a partial snapshot: only the files it has rows for.
func delta(t *testing.T, d *snapshot.Snapshot) fs.FS {
	t.Helper()
	fsys, err := snapshottest.Delta(d)
	require.NoError(t, err)
	return fsys
}

func app(s *snapshot.Snapshot, id int64) register.Application {
	return s.Applications[slices.IndexFunc(s.Applications, func(a register.Application) bool { return a.ID == id })]
}

// A bid withdrawn by intake stays a bid, withdrawn; nothing else changes.
func TestMerge_WithdrawsABid(t *testing.T) {
	t.Parallel()
	held := small(t)
	b := held.Bids[slices.IndexFunc(held.Bids, func(b bidding.Bid) bool { return b.Application == 1004 && b.Advert == 7004 })]
	b.Withdrawn = time.Date(2025, 11, 14, 9, 0, 0, 0, time.UTC)
	p, err := intake.Merge(held, delta(t, &snapshot.Snapshot{Bids: []bidding.Bid{b}}), []int64{42})
	require.NoError(t, err)
	require.Equal(t, intake.Result{BidsUpdated: 1}, p.Result)
	require.Equal(t, []bidding.Bid{b}, p.Delta.Bids)
	require.Len(t, p.Register.Bids, len(held.Bids))
	require.Equal(t, held.Applications, p.Register.Applications, "the register's applications as held")
}

// A medical assessment given for an application replaces those held, with their
// conditions; other applications' are kept.
func TestMerge_MedicalReplacesHeld(t *testing.T) {
	t.Parallel()
	held := small(t)
	a := app(held, 1003)
	require.Len(t, a.Medical, 1)
	m := a.Medical[0]
	m.ID, m.Conditions = 601, m.Conditions[:1]
	a.Medical = []register.MedicalAssessment{m}
	a.History, a.Overrides, a.Refusals = nil, nil, nil
	p, err := intake.Merge(held, delta(t, &snapshot.Snapshot{Applications: []register.Application{a}}), nil)
	require.NoError(t, err)
	require.Equal(t, []int64{1003}, p.Updated)
	got := app(p.Register, 1003)
	require.Len(t, got.Medical, 1)
	require.Equal(t, int64(601), got.Medical[0].ID)
	require.Len(t, got.Medical[0].Conditions, 1)
	require.Equal(t, app(held, 1003).History, got.History, "band history is the register's")
	require.Equal(t, app(held, 1005).Medical, app(p.Register, 1005).Medical)
}

// Each refusal names the delta's file, line and column: a header not as cbl export
// writes it, an autobid, a change to a closed cycle's advert (its withdrawal is taken).
func TestMerge_RefusesByFileAndLine(t *testing.T) {
	t.Parallel()
	held := small(t)
	_, err := intake.Merge(held, fstest.MapFS{snapshot.FileAdverts: {Data: []byte("id,cycle\n7001,42\n")}}, nil)
	require.ErrorContains(t, err, "adverts.csv:1")
	require.ErrorContains(t, err, "header")

	auto := bidding.Bid{Application: 1003, Advert: 7004, Placed: time.Date(2025, 11, 14, 9, 0, 0, 0, time.UTC), Autobid: true, By: "autobid"}
	_, err = intake.Merge(held, delta(t, &snapshot.Snapshot{Bids: []bidding.Bid{auto}}), []int64{42})
	require.ErrorContains(t, err, "bids.csv:2: autobid:")

	ad := held.Adverts[0] // 7001, cycle 42
	ad.Bedrooms++
	_, err = intake.Merge(held, delta(t, &snapshot.Snapshot{Adverts: []bidding.Advert{ad}}), []int64{42})
	require.ErrorContains(t, err, "cycle 42 is closed")
	ad = held.Adverts[0]
	ad.Withdrawn = true
	p, err := intake.Merge(held, delta(t, &snapshot.Snapshot{Adverts: []bidding.Advert{ad}}), []int64{42})
	require.NoError(t, err)
	require.Equal(t, intake.Result{AdvertsUpdated: 1}, p.Result)
	require.True(t, p.Delta.Adverts[0].Withdrawn)
}

// Columns may come in any order, as an import takes them, and a spreadsheet's
// byte-order mark is ignored.
func TestMerge_ColumnsInAnyOrder(t *testing.T) {
	t.Parallel()
	held := small(t)
	csvText := "\ufeffwithdrawn,by,autobid,placed,advert,application\n2025-11-14T09:00:00Z,applicant,false,2025-11-13T07:45:00Z,7004,1004\n"
	p, err := intake.Merge(held, fstest.MapFS{snapshot.FileBids: {Data: []byte(csvText)}}, []int64{42})
	require.NoError(t, err)
	require.Equal(t, intake.Result{BidsUpdated: 1}, p.Result)
	require.Equal(t, time.Date(2025, 11, 14, 9, 0, 0, 0, time.UTC), p.Delta.Bids[0].Withdrawn.UTC())
}

// A delta's bids count against the cap in time order, as an import's do: of four live
// bids from one household in a week, only the one placed last is refused (S6.2).
func TestMerge_CapInTimeOrder(t *testing.T) {
	t.Parallel()
	held := small(t)
	base := held.Adverts[slices.IndexFunc(held.Adverts, func(a bidding.Advert) bool { return a.ID == 7001 })]
	d := &snapshot.Snapshot{}
	for i := range 4 {
		a := base
		a.ID, a.Cycle, a.Closes = 7101+int64(i), 43, held.Cycles[1].Closes
		d.Adverts = append(d.Adverts, a)
		d.Bids = append(d.Bids, bidding.Bid{Application: 1001, Advert: a.ID, By: "applicant",
			Placed: held.Cycles[1].Opens.Add(time.Duration(4-i) * time.Hour)}) // the last row placed first
	}
	_, err := intake.Merge(held, delta(t, d), []int64{42})
	var ve *snapshot.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Errors, 1, "%v", err)
	require.Equal(t, 2, ve.Errors[0].Line, "advert 7101's bid, placed last")
	require.Contains(t, err.Error(), "already has 3 live bids")
}
