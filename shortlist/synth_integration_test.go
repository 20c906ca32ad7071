package shortlist_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/synth"
)

// TestCloseCycle_SyntheticKeyways closes every cycle of the shared generator's
// North Northamptonshire-scale register: each live bid on a cycle's adverts ends ranked
// or skipped exactly once, autobids included, and the ranked order never puts a less
// urgent band ahead on a plain band-ordered advert.
func TestCloseCycle_SyntheticKeyways(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a register")
	}
	cfg := synth.Keyways()
	snap, err := synth.Generate(cfg)
	require.NoError(t, err)
	p, err := policy.Builtin(cfg.Policy)
	require.NoError(t, err)
	rules, err := bidding.Compile(p)
	require.NoError(t, err)
	for _, c := range snap.Cycles {
		out, err := shortlist.CloseCycle(t.Context(), rules, c, snap.Applications, c.AdvertsOf(snap.Adverts), snap.Bids, nil)
		require.NoError(t, err)
		live := map[[2]int64]bool{}
		for _, b := range snap.Bids {
			if b.Live() {
				live[[2]int64{b.Application, b.Advert}] = true
			}
		}
		for _, b := range out.Closing.Autobids() {
			live[[2]int64{b.Application, b.Advert}] = true
		}
		seen := map[[2]int64]int{}
		for _, sl := range out.Shortlists {
			for _, e := range append(sl.Ranked, sl.Skipped...) {
				seen[[2]int64{e.Application, e.Advert}]++
			}
		}
		for k, n := range seen {
			require.Equal(t, 1, n, "bid %v", k)
			require.True(t, live[k], "bid %v was not placed", k)
		}
		for i, sl := range out.Shortlists {
			l := out.Closing.Listings[i]
			if l.FCFS() || l.MobilityOverlay() || l.AreaOverlay() {
				continue
			}
			for j := 1; j < len(sl.Ranked); j++ {
				require.LessOrEqual(t, sl.Ranked[j-1].Band, sl.Ranked[j].Band, "advert %d", sl.Advert)
			}
		}
		skips := map[string]int{}
		for _, sl := range out.Shortlists {
			for _, e := range sl.Skipped {
				skips[e.Skip]++
			}
		}
		t.Logf("cycle %d: %d adverts, %d bids ranked or skipped, %d autobids; skips %v",
			c.ID, len(out.Shortlists), len(seen), len(out.Closing.Autobids()), skips)
	}
}

// BenchmarkCloseCycleSynthEngland closes a cycle of the shared generator's England
// register (synth.England: 1.34M applications, 5,000 adverts, ~500k bids, under the
// england-synthetic policy's 300 authority autobid areas) from plain
// data, in two timed steps: the once-per-cycle precompute (banding.Assess at close and a
// profile for every application, bidding.Assess) and the close itself (resolving the
// live bids, autobid, RankCycle), and the bytes the close step alone allocates
// (close-alloc-MiB). The register is generated once, outside the timing.
func BenchmarkCloseCycleSynthEngland(b *testing.B) {
	cfg := synth.England()
	snap, err := synth.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	p, err := policy.Builtin(cfg.Policy)
	if err != nil {
		b.Fatal(err)
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		b.Fatal(err)
	}
	c := snap.Cycles[0]
	var assess, closing time.Duration
	var closeAlloc uint64 // bytes allocated by the close step (not the assessment)
	ranked, skipped := 0, 0
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		ix, err := bidding.Assess(rules, snap.Applications, register.DateOf(c.Closes))
		if err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		cl, err := bidding.NewClosing(ix, c, snap.Adverts, snap.Bids)
		if err != nil {
			b.Fatal(err)
		}
		cl.Autobid(nil)
		results, err := shortlist.RankCycle(context.Background(), cl, 0)
		if err != nil {
			b.Fatal(err)
		}
		assess += mid.Sub(start)
		closing += time.Since(mid)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		closeAlloc += after.TotalAlloc - before.TotalAlloc
		ranked, skipped = 0, 0
		for i := range results {
			ranked += len(results[i].Ranked)
			skipped += len(results[i].Skipped)
		}
	}
	b.ReportMetric(float64(assess.Milliseconds())/float64(b.N), "assess-ms")
	b.ReportMetric(float64(closing.Milliseconds())/float64(b.N), "close-ms")
	b.ReportMetric(float64(closeAlloc)/float64(b.N)/(1<<20), "close-alloc-MiB")
	b.ReportMetric(float64(len(snap.Applications)), "applications")
	b.ReportMetric(float64(ranked), "ranked")
	b.ReportMetric(float64(skipped), "skipped")
	b.ReportMetric(peakRSS(), "peak-MiB")
}
