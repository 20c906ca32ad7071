package shortlist_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/shortlist"
)

var benchSizes = []int{1_000, 5_000, 100_000}

type advertInput struct {
	l    *bidding.Listing
	bids []bidding.Ref
}

// advertInputs builds k distinct band-ordered adverts of n bids each on the England
// register: different adverts, bidders and bid order, so no iteration re-sorts one input.
func advertInputs(tb testing.TB, s *synthRegister, n, k int) []advertInput {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(k)))
	out := make([]advertInput, k)
	for i := range out {
		ad := s.advert(rng, int64(i+1))
		ad.Ordering, ad.LocalLettings = bidding.OrderBand, nil
		l, err := s.rules.List(&ad)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = advertInput{l, s.bidders(rng, l, n, nil, 0)}
	}
	return out
}

func inputsFor(n int) int { return max(4, min(64, 2_000_000/n)) }

// BenchmarkRankAdvert ranks one advert of n bids, eligibility checks and skip reasons
// included, rotating through distinct inputs, on one goroutine (split=1) and with the
// screening split over two (split=2; applies from SplitMin bids).
func BenchmarkRankAdvert(b *testing.B) {
	s := englandRegister(b)
	for _, n := range benchSizes {
		ins := advertInputs(b, s, n, inputsFor(n))
		for _, split := range []int{1, 2} {
			if split > 1 && n < shortlist.SplitMin {
				continue
			}
			b.Run(fmt.Sprintf("bids=%d/split=%d", n, split), func(b *testing.B) {
				r := shortlist.Ranker{Split: split}
				var res shortlist.Result
				for i := range ins { // size the buffers
					r.Rank(s.ix, ins[i].l, ins[i].bids, &res)
				}
				skipped := 0
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					in := &ins[i%len(ins)]
					r.Rank(s.ix, in.l, in.bids, &res)
					skipped += len(res.Skipped)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/bid")
				b.ReportMetric(100*float64(skipped)/float64(b.N*n), "%skipped")
			})
		}
	}
}

func dsn() string {
	if d := os.Getenv("DATABASE_URL"); d != "" {
		return d
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// BenchmarkRankAdvertPostgres ranks the same kind of inputs in PostgreSQL with
// ORDER BY band, effective, registered, id over a temporary table loaded by COPY, and
// reports the server's execution time (EXPLAIN ANALYZE, TIMING OFF) per bid. It then
// ranks the same inputs with Ranker in the same process and reports both and the ratio.
// PostgreSQL only sorts; the engine also runs every eligibility check. Skipped when no
// database is reachable.
func BenchmarkRankAdvertPostgres(b *testing.B) {
	ctx := context.Background()
	db, err := sql.Open("postgres", dsn())
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		b.Skipf("no PostgreSQL at %s: %v", dsn(), err)
	}
	defer db.Close()
	s := englandRegister(b)
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("bids=%d", n), func(b *testing.B) {
			k := min(inputsFor(n), 16)
			ins := advertInputs(b, s, n, k)
			conn, err := db.Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, "SET work_mem = '256MB'"); err != nil {
				b.Fatal(err)
			}
			for i, in := range ins {
				loadBids(b, ctx, conn, fmt.Sprintf("bench_bids_%d", i), s.ix, in.bids)
			}
			b.ResetTimer()
			var server time.Duration
			for i := 0; b.Loop(); i++ {
				server += explainMillis(b, ctx, conn, fmt.Sprintf("bench_bids_%d", i%k))
			}
			b.StopTimer()
			pg := float64(server.Nanoseconds()) / float64(b.N) / float64(n)

			// The engine on the same inputs, same process, timed over at least 300ms.
			var r shortlist.Ranker
			var res shortlist.Result
			rounds, start := 0, time.Now()
			for time.Since(start) < 300*time.Millisecond || rounds < 3*k {
				in := &ins[rounds%k]
				r.Rank(s.ix, in.l, in.bids, &res)
				rounds++
			}
			ours := float64(time.Since(start).Nanoseconds()) / float64(rounds) / float64(n)
			b.ReportMetric(pg, "pg-ns/bid")
			b.ReportMetric(ours, "ns/bid")
			b.ReportMetric(pg/ours, "x-faster")
		})
	}
}

func loadBids(b *testing.B, ctx context.Context, conn *sql.Conn, table string, ix *bidding.Index, bids []bidding.Ref) {
	b.Helper()
	stmts := []string{
		"DROP TABLE IF EXISTS " + table,
		"CREATE TEMPORARY TABLE " + table + " (id bigint, band smallint, effective_date date, registered date)",
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(pq.CopyIn(table, "id", "band", "effective_date", "registered"))
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range bids {
		p := &ix.Profiles[r.App]
		if _, err := st.Exec(p.ID, int(p.Band), p.Effective.Time(), p.Registered.Time()); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.Exec(); err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE "+table); err != nil {
		b.Fatal(err)
	}
}

// explainMillis runs the ranking query under EXPLAIN ANALYZE and returns the server's
// execution time.
func explainMillis(b *testing.B, ctx context.Context, conn *sql.Conn, table string) time.Duration {
	var plan string
	q := "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) SELECT id FROM " + table + " ORDER BY band, effective_date, registered, id"
	if err := conn.QueryRowContext(ctx, q).Scan(&plan); err != nil {
		b.Fatal(err)
	}
	var out []struct {
		Exec float64 `json:"Execution Time"`
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil || len(out) != 1 {
		b.Fatalf("explain output %q: %v", plan, err)
	}
	return time.Duration(out[0].Exec * float64(time.Millisecond))
}

// BenchmarkCycleEngland closes a whole England-scale cycle in memory: autobid for band
// A, then every advert's shortlist on all cores (1.34M profiles, 5,000 adverts, ~500k
// manual bids), rotating through distinct cycles. peak-MiB is the process's peak resident
// memory (VmHWM), which includes the register, the bids and the results.
func BenchmarkCycleEngland(b *testing.B) {
	s := englandRegister(b)
	const k = 3
	cycles := make([]*bidding.Closing, k)
	for i := range cycles {
		cycles[i] = s.closing(b, uint64(i+1))
	}
	manual, autobids, ranked := 0, 0, 0
	for _, bids := range cycles[0].Bids {
		manual += len(bids)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		base := cycles[i%k]
		cl := *base
		cl.Bids = slices.Clone(base.Bids) // autobid appends; the clipped inner slices are copied on write
		autobids = cl.Autobid(nil)
		results, err := shortlist.RankCycle(b.Context(), &cl, 0)
		if err != nil {
			b.Fatal(err)
		}
		ranked = 0
		for j := range results {
			ranked += len(results[j].Ranked)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(manual), "manual-bids")
	b.ReportMetric(float64(autobids), "autobids")
	b.ReportMetric(float64(ranked), "ranked")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(peakRSS(), "peak-MiB")
}

// peakRSS reads VmHWM from /proc/self/status, in MiB (0 where unavailable).
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}
