package bidding

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"time"
)

// Book is one cycle's bids while the cycle is open (S6.1–S6.3): it enforces the open
// window, the live-bid cap, one live bid per advert and the checks the policy rejects at
// placing. Times are arguments; a Book has no clock. It is not safe for concurrent use.
type Book struct {
	Rules *Rules
	Cycle Cycle

	listings map[int64]*Listing
	order    []*Listing // by advert id
	bids     []Bid      // every bid placed, withdrawn ones included, in placing order
	live     map[int64]int
	open     map[pair]int // live bid (application, advert) → index in bids
	byAdvert map[int64][]int
	excluded map[pair]Exclusion
}

type pair struct{ app, advert int64 }

// Exclusion is an officer's decision that an application is not to be autobid onto an
// advert.
type Exclusion struct {
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// NewBook opens a book for cycle c with its adverts; every advert must belong to c.
func NewBook(r *Rules, c Cycle, adverts []Advert) (*Book, error) {
	if r == nil || r.Policy == nil {
		return nil, errors.New("bidding: NewBook: no rules (compile a policy with Compile)")
	}
	b := &Book{Rules: r, Cycle: c, listings: map[int64]*Listing{}, live: map[int64]int{},
		open: map[pair]int{}, byAdvert: map[int64][]int{}, excluded: map[pair]Exclusion{}}
	for i := range adverts {
		a := &adverts[i]
		if a.Cycle != c.ID {
			return nil, &advertError{a.ID, a.Cycle, c.ID}
		}
		l, err := r.List(a)
		if err != nil {
			return nil, err
		}
		b.listings[a.ID] = l
		b.order = append(b.order, l)
	}
	slices.SortFunc(b.order, func(x, y *Listing) int { return cmp.Compare(x.Advert.ID, y.Advert.ID) })
	return b, nil
}

type advertError struct{ advert, cycle, want int64 }

func (e *advertError) Error() string {
	return "advert " + itoa(e.advert) + ": cycle " + itoa(e.cycle) + ", want " + itoa(e.want)
}
func (e *advertError) Unwrap() error { return ErrWrongCycle }

// Listings returns the cycle's adverts, compiled, in advert id order.
func (b *Book) Listings() []*Listing { return b.order }

// Place records application p's bid on advert at time now. It refuses, in this order:
// outside the open window (ErrCycleClosed); an advert of another cycle (ErrWrongCycle)
// or not in the book (ErrUnknownAdvert) or withdrawn (ErrAdvertWithdrawn); an
// application not active (ErrNotActive) or under the guarantor age without one
// (ErrNoGuarantor); a second live bid on the advert (ErrDuplicateBid); a bid over the
// policy's live-bid cap (ErrBidLimit); and a failed check whose reason code the policy
// rejects at placing (*IneligibleError). Other failed checks are accepted and decided at
// shortlisting. p is the application's profile as things stand now.
func (b *Book) Place(now time.Time, p *Profile, advert *Advert, by string) (Bid, error) {
	if !b.Cycle.Open(now) {
		return Bid{}, ErrCycleClosed
	}
	if advert.Cycle != b.Cycle.ID {
		return Bid{}, ErrWrongCycle
	}
	l, ok := b.listings[advert.ID]
	switch {
	case !ok:
		return Bid{}, ErrUnknownAdvert
	case l.Advert.Withdrawn:
		return Bid{}, ErrAdvertWithdrawn
	case p.Flags&FlagActive == 0:
		return Bid{}, ErrNotActive
	case p.Flags&FlagNeedsGuarantor != 0:
		return Bid{}, ErrNoGuarantor
	}
	k := pair{p.ID, advert.ID}
	if _, dup := b.open[k]; dup {
		return Bid{}, ErrDuplicateBid
	}
	if b.live[p.ID] >= b.Rules.Policy.Bidding.MaxLiveBids {
		return Bid{}, ErrBidLimit
	}
	for _, o := range l.Evaluate(p) {
		if !o.Pass && b.Rules.RejectsAtPlacing(o.Check) {
			info := b.Rules.Info(o.Check, l.Advert)
			return Bid{}, &IneligibleError{Application: p.ID, Advert: advert.ID, Check: info.Name, Code: info.Code, Clause: info.Clause}
		}
	}
	bid := Bid{Application: p.ID, Advert: advert.ID, Placed: now, By: by}
	b.open[k] = len(b.bids)
	b.byAdvert[advert.ID] = append(b.byAdvert[advert.ID], len(b.bids))
	b.bids = append(b.bids, bid)
	b.live[p.ID]++
	return bid, nil
}

// Withdraw withdraws application app's live bid on advert at now, freeing its slot.
func (b *Book) Withdraw(now time.Time, app, advert int64) error {
	if !b.Cycle.Open(now) {
		return ErrCycleClosed
	}
	k := pair{app, advert}
	i, ok := b.open[k]
	if !ok {
		return ErrNoBid
	}
	b.bids[i].Withdrawn = now
	delete(b.open, k)
	b.live[app]--
	return nil
}

// Exclude records an officer's decision that application app is not to be autobid onto
// advert (S6.5).
func (b *Book) Exclude(app, advert int64, e Exclusion) { b.excluded[pair{app, advert}] = e }

// Excluded reports whether app is excluded from autobid onto advert.
func (b *Book) Excluded(app, advert int64) bool {
	_, ok := b.excluded[pair{app, advert}]
	return ok
}

// Bids returns every bid placed, withdrawn ones included, in placing order. The slice
// is the book's own; do not modify it.
func (b *Book) Bids() []Bid { return b.bids }

// LiveBids returns how many live bids application app holds.
func (b *Book) LiveBids(app int64) int { return b.live[app] }

// Position returns application app's current place on advert among the live bids that
// pass every check, ranked as the shortlist will rank them at close (S6.6 queue
// position), and how many such bids there are. ix holds the bidders' current profiles.
// A bidder whose own bid would be skipped gets an *IneligibleError.
func (b *Book) Position(now time.Time, ix *Index, app, advert int64) (pos, of int, err error) {
	if !b.Cycle.Open(now) {
		return 0, 0, ErrCycleClosed
	}
	i, ok := b.open[pair{app, advert}]
	if !ok {
		return 0, 0, ErrNoBid
	}
	l := b.listings[advert]
	key := func(bid *Bid) (uint64, Check, bool) {
		at, found := ix.Find(bid.Application)
		if !found {
			return 0, CheckNone, false
		}
		p := &ix.Profiles[at]
		if c := l.Eligible(p); c != CheckNone {
			return 0, c, false
		}
		return ix.Key(l, at, b.Cycle.Millis(bid.Placed)), CheckNone, true
	}
	mine, c, ok := key(&b.bids[i])
	if !ok {
		info := b.Rules.Info(c, l.Advert)
		return 0, 0, &IneligibleError{Application: app, Advert: advert, Check: info.Name, Code: info.Code, Clause: info.Clause}
	}
	pos = 1
	for _, j := range b.byAdvert[advert] {
		if !b.bids[j].Live() {
			continue
		}
		if other, _, ok := key(&b.bids[j]); ok {
			of++
			if other < mine {
				pos++
			}
		}
	}
	return pos, of, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
