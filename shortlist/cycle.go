package shortlist

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cbl-lettings/cbl/bidding"
)

// RankCycle shortlists every advert of a closed cycle, on up to workers goroutines (0:
// GOMAXPROCS). Results[i] is Listings[i]'s; each is what Rank gives for that advert
// alone, whatever the number of workers. Workers stop taking adverts once ctx is done,
// and RankCycle then returns ctx.Err() and no results.
func RankCycle(ctx context.Context, cl *bidding.Closing, workers int) ([]Result, error) {
	if cl == nil || cl.Index == nil {
		return nil, errors.New("shortlist: RankCycle: no closing (nil, or without an index)")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	n := len(cl.Listings)
	results := make([]Result, n)
	// One arena for the rankings: each advert gets a window as long as its bids. Skips
	// are few; each result gets its own, sized to fit.
	total := 0
	for _, b := range cl.Bids {
		total += len(b)
	}
	ranked := make([]uint32, total)
	off := 0
	for i, b := range cl.Bids {
		results[i].Ranked = ranked[off : off : off+len(b)]
		off += len(b)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Ranker
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				r.Rank(cl.Index, cl.Listings[i], cl.Bids[i], &results[i])
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}
