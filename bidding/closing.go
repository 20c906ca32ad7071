package bidding

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Ref is a bid resolved against an Index: the bidder's profile position, when the bid
// was placed (milliseconds after the cycle opened) and whether it is an autobid.
type Ref struct {
	App     uint32
	At      uint32
	Autobid bool
}

// Closing is a cycle at close: its adverts, compiled, in advert id order, and each
// advert's live bids resolved to profiles (Bids[i] are the bids on Listings[i]).
type Closing struct {
	Cycle    Cycle
	Index    *Index
	Listings []*Listing
	Bids     [][]Ref
}

// Close resolves the book's live bids against ix, the profiles as they stand at close,
// and runs autobid (Closing.Autobid) with the book's officer exclusions. A live bid by an
// application missing from ix is an error.
func (b *Book) Close(ix *Index) (*Closing, error) {
	cl, err := resolve(ix, b.Cycle, b.order, b.bids)
	if err != nil {
		return nil, err
	}
	cl.Autobid(func(app, advert int64) bool { return b.Excluded(app, advert) })
	return cl, nil
}

// NewClosing is Book.Close for bids held elsewhere (a snapshot, a database): it compiles
// the cycle's adverts and resolves the live bids on them against ix. Bids on adverts of
// other cycles are ignored; of two live bids by one application on one advert the
// earlier stands. It does not run autobid.
func NewClosing(ix *Index, c Cycle, adverts []Advert, bids []Bid) (*Closing, error) {
	if ix == nil || ix.Rules == nil {
		return nil, errors.New("bidding: NewClosing: no index (assess the register with Assess)")
	}
	var ls []*Listing
	for i := range adverts {
		if adverts[i].Cycle != c.ID {
			continue
		}
		l, err := ix.Rules.List(&adverts[i])
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(x, y *Listing) int { return cmp.Compare(x.Advert.ID, y.Advert.ID) })
	return resolve(ix, c, ls, bids)
}

func resolve(ix *Index, c Cycle, ls []*Listing, bids []Bid) (*Closing, error) {
	cl := &Closing{Cycle: c, Index: ix, Listings: ls, Bids: make([][]Ref, len(ls))}
	pos := make(map[int64]int, len(ls))
	for i, l := range ls {
		pos[l.Advert.ID] = i
	}
	first := make(map[uint64]int, len(bids)) // (advert, application) → index in cl.Bids[advert]
	for _, bid := range bids {
		i, ok := pos[bid.Advert]
		if !ok || !bid.Live() {
			continue
		}
		at, ok := ix.Find(bid.Application)
		if !ok {
			return nil, fmt.Errorf("bid on advert %d: application %d has no profile at close", bid.Advert, bid.Application)
		}
		ref := Ref{App: at, At: c.Millis(bid.Placed), Autobid: bid.Autobid}
		k := uint64(i)<<32 | uint64(at)
		if j, dup := first[k]; dup {
			// Two live bids by one application on one advert: the earlier stands.
			if ref.At < cl.Bids[i][j].At {
				cl.Bids[i][j] = ref
			}
			continue
		}
		first[k] = len(cl.Bids[i])
		cl.Bids[i] = append(cl.Bids[i], ref)
	}
	return cl, nil
}

// Autobid places bids at close for every application in an autobid band (policy
// bidding.autobid_bands, S6.4): on every advert of its autobid area that it
// passes every check for, that it has not bid on itself and that excluded (an officer's
// exclusion; may be nil) does not rule out. Adverts are taken in advert id order up to the
// policy's autobid_cap (0: no cap); when autobid_counts_toward_cap is set, an application
// also stops when its manual and autobids reach max_live_bids. Withdrawn adverts get no
// autobids. It returns the number of autobids placed.
func (cl *Closing) Autobid(excluded func(app, advert int64) bool) int {
	rules := cl.Index.Rules
	bp := &rules.Policy.Bidding
	byArea := map[uint16][]int{}
	for i, l := range cl.Listings {
		if l.area != 0 && !l.Advert.Withdrawn {
			byArea[l.area] = append(byArea[l.area], i)
		}
	}
	if len(byArea) == 0 {
		return 0
	}
	// Manual bids of autobid-band applications: which listings, and how many.
	manual := map[uint64]bool{}
	count := map[uint32]int{}
	for i, refs := range cl.Bids {
		for _, r := range refs {
			if p := &cl.Index.Profiles[r.App]; rules.Autobids(p.Band) {
				manual[uint64(r.App)<<32|uint64(i)] = true
				count[r.App]++
			}
		}
	}
	at := cl.Cycle.Millis(cl.Cycle.Ends())
	placed := 0
	for idx := range cl.Index.Profiles {
		p := &cl.Index.Profiles[idx]
		if p.Area == 0 || !rules.Autobids(p.Band) || p.Flags&FlagActive == 0 {
			continue
		}
		n := 0
		for _, i := range byArea[p.Area] {
			if bp.AutobidCap > 0 && n >= bp.AutobidCap {
				break
			}
			if bp.AutobidCountsTowardCap && n+count[uint32(idx)] >= bp.MaxLiveBids {
				break
			}
			l := cl.Listings[i]
			if manual[uint64(idx)<<32|uint64(i)] || l.screen(&cl.Index.compact[idx], p) != CheckNone {
				continue
			}
			if excluded != nil && excluded(p.ID, l.Advert.ID) {
				continue
			}
			cl.Bids[i] = append(cl.Bids[i], Ref{App: uint32(idx), At: at, Autobid: true})
			n++
			placed++
		}
	}
	return placed
}

// Placed returns the time a bid was placed, from its Ref.
func (cl *Closing) Placed(r Ref) time.Time {
	return cl.Cycle.Opens.Add(time.Duration(r.At) * time.Millisecond)
}

// AutobidBy is the By of every bid autobid places.
const AutobidBy = "autobid"

// Autobids returns the autobids of the closing as bid records, in advert id order, for
// the caller to keep.
func (cl *Closing) Autobids() []Bid {
	var out []Bid
	for i, refs := range cl.Bids {
		for _, r := range refs {
			if r.Autobid {
				out = append(out, Bid{Application: cl.Index.Profiles[r.App].ID, Advert: cl.Listings[i].Advert.ID,
					Placed: cl.Placed(r), Autobid: true, By: AutobidBy})
			}
		}
	}
	return out
}
