package allocation

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/register"
)

// A Step is what applying one decision changed, for a caller that persists the
// allocation (as etcd raft's Ready tells its caller what to write): the events appended,
// every offer, nomination and review made or changed (as it now stands), the lets,
// sanctions and renewals added, each application changed (before and after), and each
// advert's walk that moved (as it now stands). Persisting every step of a record and
// loading what a decision touches back as Input (Walks, Offers, Nominations, Reviews,
// Households) gives the same next step as replaying the whole record.
type Step struct {
	Decision     Decision     `json:"decision"`
	Policy       string       `json:"policy"`
	Events       []Event      `json:"events"`
	Offers       []Offer      `json:"offers"`
	Nominations  []Nomination `json:"nominations"`
	Lets         []Let        `json:"lets"`
	Sanctions    []Sanction   `json:"sanctions"`
	Reviews      []Review     `json:"reviews"`
	Renewals     []Renewal    `json:"renewals"`
	Applications []Change     `json:"applications"`
	Walks        []AdvertWalk `json:"walks"`
	// Households are the households whose own record the decision moved on (see
	// Household): the decision's application for the kinds that change it.
	Households []Household `json:"households"`
	// Flagged are the applications upkeep flagged for a no-bid review.
	Flagged []int64 `json:"flagged,omitempty"`
}

// Change is one application a step changed: as it was before the step and after.
type Change struct {
	Before register.Application `json:"before"`
	After  register.Application `json:"after"`
}

// Walk entry states, as AdvertWalk records them. An entry not listed is open: the walk
// has not reached it.
const (
	EntryVerified  = "verified"  // passed verification: awaiting an offer or a nomination
	EntryNominated = "nominated" // sent to the landlord
	EntryOffered   = "offered"   // an offer is open
	EntrySkipped   = "skipped"   // skipped with Code
	EntryRefused   = "refused"   // refused the offer
	EntryLet       = "let"       // accepted
)

var entryNames = [...]string{stVerified: EntryVerified, stNominated: EntryNominated, stOffered: EntryOffered,
	stSkipped: EntrySkipped, stRefused: EntryRefused, stLet: EntryLet}

// AdvertWalk is where one advert's walk stands: what a store keeps so that the next
// decision on the advert need not replay the ones before it.
type AdvertWalk struct {
	Advert    int64  `json:"advert"`
	Status    string `json:"status"`
	Round     int    `json:"round"`     // the nomination round
	Verifying bool   `json:"verifying"` // a housing association's batch is being built
	Offers    int    `json:"offers"`    // offers made on the advert
	Tenant    int64  `json:"tenant,omitempty"`
	// Since is when the advert last changed; Last is the day of the last decision on it,
	// before which no later decision on it may be dated.
	Since register.Date `json:"since"`
	Last  register.Date `json:"last,omitempty"`
	// Entries are the shortlist entries the walk has reached, by application id.
	Entries []WalkEntry `json:"entries"`
}

// WalkEntry is one reached entry of a walk: its state and, when skipped, the code.
type WalkEntry struct {
	Application int64  `json:"application"`
	State       string `json:"state"`
	Code        string `json:"code,omitempty"`
}

// Household is the day of the last decision that changed a household's own record
// (offers made, accepted, refused or withdrawn, direct lets, reviews, renewals,
// re-assessments): no later decision of those kinds on it may be dated before it, so its
// refusals, reviews and band spells stay in time order. Decisions on other households
// and other adverts may arrive in any order.
type Household struct {
	Application int64         `json:"application"`
	Last        register.Date `json:"last"`
}

// ownsHousehold: the kinds that move the household's own clock (see Household).
func ownsHousehold(k Kind) bool {
	switch k {
	case MakeOffer, Accept, Refuse, LandlordAccept, DirectLet, RequestReview, DecideReview, Renew, Reband,
		SetBand, SetEffective, ClearOverride, SetStatus:
		return true
	case Withdraw:
		return true
	}
	return false
}

// stepLog tracks what the decision being applied changes.
type stepLog struct {
	events, lets, sanctions, renewals int
	offers, noms, reviews             []int
	adverts                           []int
	apps                              []int32
	before                            map[int32]register.Application
	flagged                           []int64
}

func (e *engine) beginStep() {
	e.log = stepLog{events: len(e.res.Events), lets: len(e.res.Lets), sanctions: len(e.res.Sanctions),
		renewals: len(e.res.Renewals), before: e.log.before}
	clear(e.log.before)
}

func (e *engine) noteOffer(i int)  { e.log.offers = append(e.log.offers, i) }
func (e *engine) noteNom(i int)    { e.log.noms = append(e.log.noms, i) }
func (e *engine) noteReview(i int) { e.log.reviews = append(e.log.reviews, i) }
func (e *engine) noteAdvert(s *advertState) {
	if e.d != nil {
		e.log.adverts = append(e.log.adverts, s.idx)
	}
}

// noteApp keeps application k as it stood before the step, the first time the step
// changes it.
func (e *engine) noteApp(k int32) {
	if e.d == nil {
		return
	}
	if e.log.before == nil {
		e.log.before = map[int32]register.Application{}
	}
	if _, ok := e.log.before[k]; ok {
		return
	}
	e.log.before[k] = cloneApp(e.at(k))
	e.log.apps = append(e.log.apps, k)
}

func cloneApp(a *register.Application) register.Application {
	c := *a
	c.History, c.Refusals, c.Overrides = slices.Clone(a.History), slices.Clone(a.Refusals), slices.Clone(a.Overrides)
	return c
}

// step collects what the decision just applied changed.
func (e *engine) step(d *Decision) *Step {
	st := &Step{Decision: *d, Policy: e.p.Name(),
		Events:    tail(e.res.Events, e.log.events),
		Lets:      tail(e.res.Lets, e.log.lets),
		Sanctions: tail(e.res.Sanctions, e.log.sanctions),
		Renewals:  tail(e.res.Renewals, e.log.renewals),
		Flagged:   tail(e.log.flagged, 0)}
	for i := range st.Events {
		st.Events[i].Seq = i + 1 // within the step: a store numbers its own
	}
	for _, i := range uniq(e.log.offers) {
		st.Offers = append(st.Offers, e.res.Offers[i])
	}
	for _, i := range uniq(e.log.noms) {
		st.Nominations = append(st.Nominations, e.res.Nominations[i])
	}
	for _, i := range uniq(e.log.reviews) {
		st.Reviews = append(st.Reviews, e.res.Reviews[i])
	}
	slices.SortFunc(st.Offers, func(a, b Offer) int {
		return cmp.Or(cmp.Compare(a.Advert, b.Advert), cmp.Compare(a.Application, b.Application))
	})
	slices.SortFunc(st.Nominations, func(a, b Nomination) int {
		return cmp.Or(cmp.Compare(a.Advert, b.Advert), cmp.Compare(a.Application, b.Application))
	})
	for _, k := range e.log.apps {
		st.Applications = append(st.Applications, Change{Before: e.log.before[k], After: cloneApp(e.at(k))})
	}
	slices.SortFunc(st.Applications, func(a, b Change) int { return cmp.Compare(a.After.ID, b.After.ID) })
	for _, i := range uniq(e.log.adverts) {
		st.Walks = append(st.Walks, e.walkOf(&e.adverts[i]))
	}
	slices.SortFunc(st.Walks, func(a, b AdvertWalk) int { return cmp.Compare(a.Advert, b.Advert) })
	if d.Application != 0 && ownsHousehold(d.Kind) {
		st.Households = []Household{{Application: d.Application, Last: d.On}}
	}
	e.log.offers, e.log.noms, e.log.reviews, e.log.adverts, e.log.apps, e.log.flagged =
		e.log.offers[:0], e.log.noms[:0], e.log.reviews[:0], e.log.adverts[:0], e.log.apps[:0], e.log.flagged[:0]
	return st
}

// WriteBack writes what steps changed into apps, the register held in memory: each
// application a step changed becomes as the step left it (status, band history,
// overrides, refusals). It is what a store's write-back does, for callers that keep the
// register in memory (the simulator, the demo), so all of them apply decisions the same
// way. Applications not in apps are left out; ids are unique in a register.
func WriteBack(apps []register.Application, steps []*Step) {
	// Each application as the last step that changed it left it. Steps change a few
	// hundred applications a week of a register of tens of thousands: they are looked
	// up as the register is walked, not the register indexed by id for each call (a map
	// of every application each week was ~0.05 s of a simulated year at Birmingham
	// scale, and memstore writes back one decision at a time).
	after := map[int64]*register.Application{}
	for _, st := range steps {
		for i := range st.Applications {
			a := &st.Applications[i].After
			after[a.ID] = a
		}
	}
	if len(after) == 0 {
		return
	}
	for i := range apps {
		if a, ok := after[apps[i].ID]; ok {
			apps[i] = cloneApp(a)
		}
	}
}

// tail copies s[from:], nil when empty.
func tail[T any](s []T, from int) []T {
	if len(s) <= from {
		return nil
	}
	return slices.Clone(s[from:])
}

// uniq sorts and removes repeats.
func uniq(s []int) []int {
	slices.Sort(s)
	return slices.Compact(s)
}

// walkOf records where advert s's walk stands.
func (e *engine) walkOf(s *advertState) AdvertWalk {
	w := AdvertWalk{Advert: s.ad.ID, Status: s.status, Round: s.round, Verifying: s.verifying, Offers: s.offers,
		Tenant: s.tenant, Since: s.since, Last: s.last, Entries: []WalkEntry{}}
	for i := range s.entries {
		en := &s.entries[i]
		if en.state == stOpen {
			continue
		}
		w.Entries = append(w.Entries, WalkEntry{Application: en.e.Application, State: entryNames[en.state], Code: en.code})
	}
	slices.SortFunc(w.Entries, func(a, b WalkEntry) int { return cmp.Compare(a.Application, b.Application) })
	return w
}

// Walks returns where every advert's walk stands, by advert id.
func (w *Walk) Walks() []AdvertWalk {
	out := make([]AdvertWalk, len(w.e.adverts))
	for i := range w.e.adverts {
		out[i] = w.e.walkOf(&w.e.adverts[i])
	}
	slices.SortFunc(out, func(a, b AdvertWalk) int { return cmp.Compare(a.Advert, b.Advert) })
	return out
}

// Households returns the last-decision day of every household a decision has moved on,
// by application id.
func (w *Walk) Households() []Household {
	out := make([]Household, 0, len(w.e.household))
	for id, on := range w.e.household {
		out = append(out, Household{Application: id, Last: on})
	}
	slices.SortFunc(out, func(a, b Household) int { return cmp.Compare(a.Application, b.Application) })
	return out
}

// restore puts the walks, offers, nominations and reviews a store kept (in) into the
// engine, so that the next decision continues from them.
func (e *engine) restore(in *Input) error {
	e.res.Offers = slices.Clone(in.Offers)
	for i, o := range e.res.Offers {
		if o.Outcome != OfferOpen {
			continue
		}
		k, ok := e.appIdx.get(o.Application)
		if !ok {
			return fmt.Errorf("offers[%d]: application %d: not among the applications", i, o.Application)
		}
		if e.offerAt[k] != 0 {
			return fmt.Errorf("offers[%d]: application %d has two open offers", i, o.Application)
		}
		e.offerAt[k] = int32(i) + 1
	}
	e.res.Nominations = slices.Clone(in.Nominations)
	e.res.Reviews = slices.Clone(in.Reviews)
	for _, h := range in.Households {
		e.household[h.Application] = h.Last
	}
	for _, id := range in.Flagged {
		e.flagged[id] = true
	}
	for wi := range in.Walks {
		w := &in.Walks[wi]
		ai, ok := e.advIdx[w.Advert]
		if !ok {
			return fmt.Errorf("walks[%d]: advert %d: not among the adverts", wi, w.Advert)
		}
		s := &e.adverts[ai]
		s.status, s.round, s.verifying, s.offers, s.tenant, s.since, s.last =
			w.Status, w.Round, w.Verifying, w.Offers, w.Tenant, w.Since, w.Last
		at := make(map[int64]int, len(s.entries))
		for i := range s.entries {
			at[s.entries[i].e.Application] = i
		}
		for _, we := range w.Entries {
			i, ok := at[we.Application]
			if !ok {
				return fmt.Errorf("walks[%d]: advert %d: application %d is not ranked on its shortlist", wi, w.Advert, we.Application)
			}
			st := slices.Index(entryNames[:], we.State)
			if st <= int(stOpen) {
				return fmt.Errorf("walks[%d]: advert %d: application %d: state %q unknown", wi, w.Advert, we.Application, we.State)
			}
			en := &s.entries[i]
			e.setState(s, en, entryState(st))
			en.code = we.Code
			switch en.state {
			case stOffered:
				o := e.offerAt[en.k]
				if o == 0 || e.res.Offers[o-1].Advert != w.Advert {
					return fmt.Errorf("walks[%d]: advert %d: application %d is offered but has no open offer of it", wi, w.Advert, we.Application)
				}
				en.offer = int(o - 1)
			case stNominated:
				n := slices.IndexFunc(e.res.Nominations, func(n Nomination) bool {
					return n.Advert == w.Advert && n.Application == we.Application && n.Outcome == ""
				})
				if n < 0 && s.status != AdvertOpen {
					break // closed with the advert (advert_let): nothing more happens to it
				}
				if n < 0 {
					return fmt.Errorf("walks[%d]: advert %d: application %d is nominated but has no open nomination", wi, w.Advert, we.Application)
				}
				en.nom = n + 1
			}
		}
		for s.lo < len(s.entries) && s.entries[s.lo].state.terminal() {
			s.lo++
		}
	}
	return nil
}
