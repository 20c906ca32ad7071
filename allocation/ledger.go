package allocation

import (
	"cmp"
	"maps"
	"slices"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Ledger keeps in memory what a store keeps of an allocation, step by step: the
// applications as the decisions leave them, each advert's walk, the offers,
// nominations, lets, sanctions, reviews, renewals, household clocks and no-bid flags.
// Decide applies a decision to just the part of it the decision reads (Slice) and keeps
// the Step (Record), so a decision costs what it touches, not the length of the record.
//
// Slice is the one statement of what a decision reads; the PostgreSQL store reads the
// same from its tables. It holds: the decision's advert; every advert its application is
// ranked on whose walk is open (a decision changing the application moves those walks);
// the adverts of the application's open reviews; every application ranked on those
// adverts, of which only the decision's application is whole (the others' status is all
// a walk reads) with their open offers; the open nominations and walks of those adverts;
// and the application's open reviews and household clock. Upkeep, which runs every
// application's clocks, reads everything.
type Ledger struct {
	policy     *policy.Policy
	apps       map[int64]*register.Application
	landlords  []bidding.Landlord
	adverts    map[int64]*bidding.Advert
	shortlists map[int64]*shortlist.Shortlist
	rankedOn   map[int64][]int64
	bids       []bidding.Bid
	walks      map[int64]AdvertWalk
	offers     map[[2]int64]Offer
	noms       map[[2]int64]Nomination
	reviews    []Review
	renewals   []Renewal
	households map[int64]register.Date
	flagged    map[int64]bool
	lets       []Let
	sanctions  []Sanction
	events     []Event
}

// NewLedger starts a ledger from in (a register, its adverts and their shortlists, and
// anything already recorded in in's Walks, Offers and the rest). in is not modified.
func NewLedger(in *Input) *Ledger {
	if in == nil {
		in = &Input{} // Decide then fails: the input has no policy
	}
	l := &Ledger{policy: in.Policy, apps: make(map[int64]*register.Application, len(in.Applications)),
		landlords: in.Landlords, adverts: map[int64]*bidding.Advert{}, shortlists: map[int64]*shortlist.Shortlist{},
		rankedOn: map[int64][]int64{}, bids: in.Bids, walks: map[int64]AdvertWalk{}, offers: map[[2]int64]Offer{},
		noms: map[[2]int64]Nomination{}, reviews: slices.Clone(in.Reviews), renewals: slices.Clone(in.Renewals),
		households: map[int64]register.Date{}, flagged: map[int64]bool{}}
	for i := range in.Applications {
		a := cloneApp(&in.Applications[i])
		l.apps[a.ID] = &a
	}
	for i := range in.Adverts {
		l.adverts[in.Adverts[i].ID] = &in.Adverts[i]
	}
	for i := range in.Shortlists {
		sl := &in.Shortlists[i]
		l.shortlists[sl.Advert] = sl
		for _, en := range sl.Ranked {
			l.rankedOn[en.Application] = append(l.rankedOn[en.Application], sl.Advert)
		}
	}
	for _, w := range in.Walks {
		l.walks[w.Advert] = w
	}
	for _, o := range in.Offers {
		l.offers[[2]int64{o.Advert, o.Application}] = o
	}
	for _, n := range in.Nominations {
		l.noms[[2]int64{n.Advert, n.Application}] = n
	}
	for _, h := range in.Households {
		l.households[h.Application] = h.Last
	}
	for _, id := range in.Flagged {
		l.flagged[id] = true
	}
	return l
}

// SetPolicy makes the next decisions run under p.
func (l *Ledger) SetPolicy(p *policy.Policy) { l.policy = p }

// Decide applies d to the slice of the ledger it reads and records the step. A refused
// decision changes nothing.
func (l *Ledger) Decide(d Decision) (*Step, error) {
	w, err := Start(l.Slice(d))
	if err != nil {
		return nil, err
	}
	st, err := w.Apply(d)
	if err != nil {
		return nil, err
	}
	l.Record(st)
	return st, nil
}

// Slice returns the Input decision d reads (see Ledger).
func (l *Ledger) Slice(d Decision) *Input {
	in := &Input{Policy: l.policy, Landlords: l.landlords}
	if d.Kind == Upkeep {
		return l.all(in)
	}
	ads := map[int64]bool{}
	if _, ok := l.adverts[d.Advert]; ok && d.Advert != 0 {
		ads[d.Advert] = true
	}
	for _, id := range l.rankedOn[d.Application] {
		if w, ok := l.walks[id]; !ok || w.Status == AdvertOpen {
			ads[id] = true
		}
	}
	for _, r := range l.reviews {
		if r.Application == d.Application && r.Outcome == "" && r.Advert != 0 {
			ads[r.Advert] = true
		}
	}
	apps := map[int64]bool{}
	if _, ok := l.apps[d.Application]; ok {
		apps[d.Application] = true
	}
	for _, id := range slices.Sorted(maps.Keys(ads)) {
		in.Adverts = append(in.Adverts, *l.adverts[id])
		if sl, ok := l.shortlists[id]; ok {
			in.Shortlists = append(in.Shortlists, *sl)
			for _, en := range sl.Ranked {
				apps[en.Application] = true
			}
		}
		if w, ok := l.walks[id]; ok {
			in.Walks = append(in.Walks, w)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(apps)) {
		a := l.apps[id]
		if id == d.Application {
			in.Applications = append(in.Applications, cloneApp(a))
		} else {
			in.Applications = append(in.Applications, register.Application{ID: a.ID, Status: a.Status, StatusReason: a.StatusReason})
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(l.offers), cmpKey) {
		if o := l.offers[k]; o.Outcome == OfferOpen && apps[o.Application] {
			in.Offers = append(in.Offers, o)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(l.noms), cmpKey) {
		if n := l.noms[k]; n.Outcome == "" && ads[n.Advert] {
			in.Nominations = append(in.Nominations, n)
		}
	}
	for _, r := range l.reviews {
		if r.Application == d.Application && r.Outcome == "" {
			in.Reviews = append(in.Reviews, r)
		}
	}
	if last, ok := l.households[d.Application]; ok {
		in.Households = []Household{{Application: d.Application, Last: last}}
	}
	return in
}

// all returns the whole ledger as Input.
func (l *Ledger) all(in *Input) *Input {
	for _, id := range slices.Sorted(maps.Keys(l.apps)) {
		in.Applications = append(in.Applications, cloneApp(l.apps[id]))
	}
	for _, id := range slices.Sorted(maps.Keys(l.adverts)) {
		in.Adverts = append(in.Adverts, *l.adverts[id])
		if sl, ok := l.shortlists[id]; ok {
			in.Shortlists = append(in.Shortlists, *sl)
		}
		if w, ok := l.walks[id]; ok {
			in.Walks = append(in.Walks, w)
		}
	}
	in.Bids = l.bids
	for _, k := range slices.SortedFunc(maps.Keys(l.offers), cmpKey) {
		in.Offers = append(in.Offers, l.offers[k])
	}
	for _, k := range slices.SortedFunc(maps.Keys(l.noms), cmpKey) {
		if n := l.noms[k]; n.Outcome == "" {
			in.Nominations = append(in.Nominations, n)
		}
	}
	for _, r := range l.reviews {
		if r.Outcome == "" {
			in.Reviews = append(in.Reviews, r)
		}
	}
	in.Renewals = slices.Clone(l.renewals)
	for _, id := range slices.Sorted(maps.Keys(l.households)) {
		in.Households = append(in.Households, Household{Application: id, Last: l.households[id]})
	}
	in.Flagged = slices.Sorted(maps.Keys(l.flagged))
	return in
}

func cmpKey(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }

// Record keeps what step s changed.
func (l *Ledger) Record(s *Step) {
	for _, o := range s.Offers {
		l.offers[[2]int64{o.Advert, o.Application}] = o
	}
	for _, n := range s.Nominations {
		l.noms[[2]int64{n.Advert, n.Application}] = n
	}
	for _, r := range s.Reviews {
		if i := slices.IndexFunc(l.reviews, func(x Review) bool { return x.Outcome == "" && sameReview(x, r) }); i >= 0 {
			l.reviews[i] = r
		} else {
			l.reviews = append(l.reviews, r)
		}
	}
	for _, c := range s.Applications {
		a := cloneApp(&c.After)
		l.apps[a.ID] = &a
	}
	for _, w := range s.Walks {
		l.walks[w.Advert] = w
	}
	for _, h := range s.Households {
		l.households[h.Application] = h.Last
	}
	for _, id := range s.Flagged {
		l.flagged[id] = true
	}
	l.renewals = append(l.renewals, s.Renewals...)
	l.lets = append(l.lets, s.Lets...)
	l.sanctions = append(l.sanctions, s.Sanctions...)
	l.events = append(l.events, s.Events...)
}

// sameReview: a and b are the same request (one application asks for one review of one
// decision at a time).
func sameReview(a, b Review) bool {
	return a.Application == b.Application && a.Subject == b.Subject && a.Of == b.Of && a.Advert == b.Advert &&
		a.Requested == b.Requested
}

// Application returns the application as the recorded decisions leave it, or nil.
func (l *Ledger) Application(id int64) *register.Application { return l.apps[id] }

// Lets returns the lets recorded, in the order they were made.
func (l *Ledger) Lets() []Let { return l.lets }

// Sanctions returns the sanctions recorded, in the order they were made.
func (l *Ledger) Sanctions() []Sanction { return l.sanctions }

// Events returns the events recorded, in the order they were made.
func (l *Ledger) Events() []Event { return l.events }

// Add puts more adverts and their shortlists in the ledger: a cycle closed after the
// ledger was started. An advert already held keeps what was recorded of it.
func (l *Ledger) Add(adverts []bidding.Advert, shortlists []shortlist.Shortlist) {
	for i := range adverts {
		if _, ok := l.adverts[adverts[i].ID]; !ok {
			ad := adverts[i]
			l.adverts[ad.ID] = &ad
		}
	}
	for i := range shortlists {
		sl := shortlists[i]
		if _, ok := l.shortlists[sl.Advert]; ok {
			continue
		}
		l.shortlists[sl.Advert] = &sl
		for _, en := range sl.Ranked {
			l.rankedOn[en.Application] = append(l.rankedOn[en.Application], sl.Advert)
		}
	}
}

// Walks returns where each advert's walk stands that a decision has reached, by advert.
func (l *Ledger) Walks() []AdvertWalk {
	out := make([]AdvertWalk, 0, len(l.walks))
	for _, id := range slices.Sorted(maps.Keys(l.walks)) {
		out = append(out, l.walks[id])
	}
	return out
}

// Waiting returns what advert waits for, as the next decision on it would see it.
func (l *Ledger) Waiting(advert int64) ([]Wait, error) {
	w, err := Start(l.Slice(Decision{Advert: advert}))
	if err != nil {
		return nil, err
	}
	return w.Waiting(advert), nil
}

// Join adds applications new to the register (an intake) or, for those held, puts them
// in as they now stand, as Update does.
func (l *Ledger) Join(apps ...register.Application) {
	for i := range apps {
		a := cloneApp(&apps[i])
		l.apps[a.ID] = &a
	}
}

// Update puts applications changed outside decisions into the ledger as they now stand
// (a re-assessment, an intake of new facts): the next decisions read them so.
func (l *Ledger) Update(apps ...register.Application) {
	for i := range apps {
		a := cloneApp(&apps[i])
		if _, ok := l.apps[a.ID]; ok {
			l.apps[a.ID] = &a
		}
	}
}
