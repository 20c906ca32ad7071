package shortlist

import (
	"runtime"
	"sync"

	"github.com/cbl-lettings/cbl/bidding"
)

// Result is one advert's shortlist in compact form, as Ranker.Rank produces it: the
// ranked bidders' profile positions in rank order and the skipped bids with the check
// that failed. Shortlist turns it into entries; Explain traces one bid.
type Result struct {
	Listing *bidding.Listing
	Bids    []bidding.Ref // the input bids, in the order given
	Ranked  []uint32      // profile positions (bidding.Index), first is position 1
	Skipped []Skip        // in input order
}

// Skip is one skipped bid: the bid and the first check it failed.
type Skip = bidding.Failed

// Ranker ranks adverts, reusing its buffers between calls. The zero value is ready; a
// Ranker is not safe for concurrent use (use one per goroutine).
type Ranker struct {
	// Split is how many goroutines screen an advert of at least SplitMin bids (0 or 1:
	// the calling goroutine alone). The result is the same either way.
	Split int

	keys, tmp []uint64
	counts    []uint32
	scratch   []bidding.Compact
	failed    []bidding.Failed
	side      []part
}

// SplitMin is the fewest bids for which Ranker.Split applies.
const SplitMin = 16 << 10

// part is one goroutine's share of a split screen.
type part struct {
	scratch []bidding.Compact
	keys    []uint64
	failed  []bidding.Failed
}

// Rank shortlists the bids on one advert at cycle close (S7.1, S7.5) into out, reusing
// out's slices. Each bid is either skipped, with the first eligibility check it fails
// (bidding.Listing.Eligible; every bid on a withdrawn advert fails
// bidding.CheckWithdrawn), or ranked.
//
// The order of ranked bids is the contract of the scheme, a total order on distinct
// applications; the first is position 1:
//
//  1. overlays, when the policy turns them on: on an accessible home (level-access or
//     wheelchair) an applicant with a mobility need, or a level-access or wheelchair
//     medical restriction, comes before one without; then, on a Legal Agreement Area
//     (S106 / village) home, an applicant connected to that area before one who is not;
//  2. on a band-ordered advert: band, most urgent first (A before B), where additional
//     preference one_band_up ranks an applicant in the next band up (bidding.RankBand);
//     then, within the band, additional preference top_of_band (and one_band_up in
//     Band A) before none (S7.4); band effective date, oldest first; registration date,
//     oldest first;
//     on a first-come-first-served advert instead: bid time, earliest first
//     (to the millisecond; autobids count as placed at close);
//  3. application id, ascending.
//
// Bands, effective dates and facts are the profiles' in ix: build it as things stood at
// close. Bids must come from distinct applications (a Book ensures it).
func (r *Ranker) Rank(ix *bidding.Index, l *bidding.Listing, bids []bidding.Ref, out *Result) {
	out.Listing, out.Bids = l, bids
	r.screen(ix, l, bids, out)
	sorted, spare := radixSort(r.keys, r.tmp, &r.counts)
	r.keys, r.tmp = sorted[:0], spare[:0]
	if cap(out.Ranked) < len(sorted) {
		out.Ranked = make([]uint32, len(sorted))
	}
	out.Ranked = out.Ranked[:len(sorted)]
	for i, k := range sorted {
		out.Ranked[i] = ix.KeyIndex(k)
	}
}

// screen checks the bids, split across r.Split goroutines for a large advert, leaving
// the keys of eligible bids in r.keys and the failed ones, in input order, in
// out.Skipped (reused if it has room, else allocated to size).
func (r *Ranker) screen(ix *bidding.Index, l *bidding.Listing, bids []bidding.Ref, out *Result) {
	defer func() { out.Skipped = append(out.Skipped[:0], r.failed...) }()
	parts := r.Split
	if parts <= 1 || len(bids) < SplitMin {
		r.scratch, r.keys, r.failed = l.Screen(ix, bids, r.scratch, r.keys[:0], r.failed[:0])
		return
	}
	for len(r.side) < parts-1 {
		r.side = append(r.side, part{})
	}
	size := (len(bids) + parts - 1) / parts
	var wg sync.WaitGroup
	for i := range parts - 1 {
		p := &r.side[i]
		chunk := bids[min((i+1)*size, len(bids)):min((i+2)*size, len(bids))]
		wg.Go(func() { p.scratch, p.keys, p.failed = l.Screen(ix, chunk, p.scratch, p.keys[:0], p.failed[:0]) })
	}
	r.scratch, r.keys, r.failed = l.Screen(ix, bids[:min(size, len(bids))], r.scratch, r.keys[:0], r.failed[:0])
	wg.Wait()
	for i := range parts - 1 {
		r.keys = append(r.keys, r.side[i].keys...)
		r.failed = append(r.failed, r.side[i].failed...)
	}
}

// Rank shortlists one advert with a fresh Ranker that splits a large advert over
// GOMAXPROCS goroutines; see Ranker.Rank for the order.
func Rank(ix *bidding.Index, l *bidding.Listing, bids []bidding.Ref) *Result {
	r := Ranker{Split: runtime.GOMAXPROCS(0)}
	out := &Result{}
	r.Rank(ix, l, bids, out)
	return out
}
