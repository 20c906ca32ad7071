package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestWeeks_KeptStateEqualsTheRecord works three Keyways weeks through their walks with
// pgstore.Decide (each decision reading only what it touches) and after each week proves,
// with a replay of the whole record, that what was kept is what the record gives.
func TestWeeks_KeptStateEqualsTheRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 3
	cfg.Register.Applications = 2000
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	total := 0
	for _, c := range s.Cycles {
		n, err := storetest.Weeks(ctx, db, []bidding.Cycle{c}, 7)
		require.NoError(t, err)
		total += n
		audit, err := pgstore.Verify(ctx, db)
		require.NoError(t, err)
		require.Equal(t, pgstore.Audit{Decisions: total}, *audit, "after cycle %d", c.ID)
	}
	require.Greater(t, total, 150)
	var lets, refusals int
	require.NoError(t, db.Get(&lets, `SELECT count(*) FROM lets`))
	require.NoError(t, db.Get(&refusals, `SELECT count(*) FROM refusals WHERE counted`))
	require.Greater(t, lets, 30)
	require.Greater(t, refusals, 5)
}

// decideFixture is a Birmingham-scale register (24,000 applications, 50 adverts a week)
// with closed cycles worked through with their decisions, and one more cycle closed
// whose adverts the benchmark decides on.
type decideFixture struct {
	db    *sqlx.DB
	walk  *allocation.Walk
	ids   []int64
	day   time.Time
	calls int
	held  int // decisions recorded before the benchmark's
}

// decideSetup copies the fixture with cycles worked through (built once per server: the
// 52-cycle one takes many minutes) and keeps a walk of it in memory to choose decisions.
func decideSetup(b *testing.B, cycles int) *decideFixture {
	b.Helper()
	cfg := synth.Birmingham()
	cfg.Supply.Cycles = cycles + 1
	key := fmt.Sprintf("BenchmarkDecide birmingham cycles=%d seed=%d v1", cycles, cfg.Seed)
	db := pgtest.Fixture(b, key, func(ctx context.Context, db *sqlx.DB) error {
		s, err := synth.Generate(cfg)
		if err != nil {
			return err
		}
		if err := pgstore.Import(ctx, db, s); err != nil {
			return err
		}
		start := time.Now()
		n, err := storetest.Weeks(ctx, db, s.Cycles[:cycles], 1)
		if err != nil {
			return err
		}
		if _, err := pgstore.CloseCycle(ctx, db, s.Cycles[cycles].ID, pgstore.CloseOptions{Actor: "bench"}); err != nil {
			return err
		}
		b.Logf("fixture: %d cycles worked through with %d decisions in %s", cycles, n, time.Since(start).Round(time.Second))
		return nil
	})
	return fixtureOf(b, db)
}

// fixtureOf keeps a walk of db in memory to choose decisions on its latest closed cycle.
func fixtureOf(b *testing.B, db *sqlx.DB) *decideFixture {
	b.Helper()
	st, err := pgstore.LoadState(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	var last *bidding.Cycle
	shortlisted := map[int64]bool{}
	for _, ad := range st.Input.Adverts {
		shortlisted[ad.Cycle] = true
	}
	for i := range st.Cycles {
		if shortlisted[st.Cycles[i].ID] && (last == nil || st.Cycles[i].Closes.After(last.Closes)) {
			last = &st.Cycles[i]
		}
	}
	f := &decideFixture{db: db, day: last.Closes.Add(11 * time.Hour).Truncate(24 * time.Hour).Add(9 * time.Hour)}
	if f.walk, err = allocation.Start(st.Input); err != nil {
		b.Fatal(err)
	}
	for _, ad := range st.Input.Adverts {
		if ad.Cycle == last.ID {
			f.ids = append(f.ids, ad.ID)
		}
	}
	if err := db.Get(&f.held, `SELECT count(*) FROM decisions`); err != nil {
		b.Fatal(err)
	}
	return f
}

// next is the next decision on the fixture's cycle: the first wait of the next advert
// in turn that waits for a verification, an offer or an answer.
func (f *decideFixture) next() (allocation.Decision, time.Time, bool) {
	for range 4 * len(f.ids) {
		f.calls++
		id := f.ids[f.calls%len(f.ids)]
		ws := f.walk.Waiting(id)
		if len(ws) == 0 {
			continue
		}
		d := allocation.Decision{Actor: "bench", Advert: id}
		if len(ws[0].Applications) > 0 {
			d.Application = ws[0].Applications[0]
		}
		switch ws[0].For {
		case allocation.WaitVerify:
			d.Kind = allocation.VerifyPass
		case allocation.WaitOffer:
			d.Kind = allocation.MakeOffer
		case allocation.WaitReply:
			d.Kind, d.Refusal = allocation.Refuse, "refused"
		case allocation.WaitNominate:
			d.Kind, d.Application = allocation.Nominate, 0
		case allocation.WaitLandlord:
			d.Kind, d.Code = allocation.LandlordReject, "landlord_policy"
		case allocation.WaitRequestMore:
			d.Kind, d.Application = allocation.RequestMore, 0
		default:
			continue
		}
		at := f.day.Add(time.Duration(f.calls) * time.Second)
		d.On = 0
		return d, at, true
	}
	return allocation.Decision{}, time.Time{}, false
}

// BenchmarkDecide records one decision on a Birmingham-scale register (24,000
// applications, 50 adverts a week) after 1 and after 52 cycles closed and worked through
// with their decisions: each iteration a different decision on the newest cycle's
// adverts (verify, offer, refuse, nominate, landlord's rejection, as each advert waits).
// A decision reads and writes only what it touches, so the two should cost the same.
func BenchmarkDecide(b *testing.B) {
	for _, cycles := range []int{1, 52} {
		b.Run(fmt.Sprintf("cycles=%d", cycles), func(b *testing.B) {
			f := decideSetup(b, cycles)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				d, at, ok := f.next()
				if !ok {
					b.Fatal("nothing left to decide")
				}
				b.StartTimer()
				if _, err := pgstore.Decide(ctx, f.db, at, d); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				d.On = register.DateOf(at)
				if _, err := f.walk.Apply(d); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(f.held), "decisions-held")
		})
	}
}

// BenchmarkDecideDSN is BenchmarkDecide on a database of your own (CBL_BENCH_DSN, say a
// copy of an imported England register with cycle 1 closed): each iteration records a
// different decision on the latest closed cycle's adverts. It changes that database.
func BenchmarkDecideDSN(b *testing.B) {
	dsn := os.Getenv("CBL_BENCH_DSN")
	if dsn == "" {
		b.Skip("set CBL_BENCH_DSN to a database to decide on (it is changed)")
	}
	ctx := context.Background()
	db, err := pgstore.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	f := fixtureOf(b, db)
	b.Logf("loaded the register to choose decisions in %s", time.Since(start).Round(time.Millisecond))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		d, at, ok := f.next()
		if !ok {
			b.Fatal("nothing left to decide")
		}
		b.StartTimer()
		if _, err := pgstore.Decide(ctx, db, at, d); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		d.On = register.DateOf(at)
		if _, err := f.walk.Apply(d); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
