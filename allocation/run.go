package allocation

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Engine is the actor the engine records for what it does by itself (automatic skips).
const Engine = "engine"

// ErrDecision marks a decision that does not fit the state it is applied to (see
// *DecisionError).
var ErrDecision = errors.New("decision does not apply")

// DecisionError names the decision (by its index in the list) that could not be applied.
type DecisionError struct {
	Index    int
	Decision Decision
	Field    string
	Msg      string
}

// Error names the decision, its index, the field at fault and why.
func (e *DecisionError) Error() string {
	d := e.Decision
	s := fmt.Sprintf("decision %d (%s on %s", e.Index, d.Kind, d.On)
	if d.Advert != 0 {
		s += fmt.Sprintf(", advert %d", d.Advert)
	}
	if d.Application != 0 {
		s += fmt.Sprintf(", application %d", d.Application)
	}
	s += ")"
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrDecision) true.
func (e *DecisionError) Unwrap() error { return ErrDecision }

// Entry states on an advert's walk.
type entryState uint8

const (
	stOpen      entryState = iota // not reached yet
	stVerified                    // passed verification: awaiting an offer or a nomination
	stNominated                   // sent to the landlord
	stOffered                     // an offer is open
	stSkipped                     // skipped with a code (terminal)
	stRefused                     // refused the offer (terminal)
	stLet                         // accepted (terminal)
)

func (s entryState) terminal() bool { return s >= stSkipped }
func (s entryState) live() bool     { return s == stVerified || s == stNominated || s == stOffered }

type entry struct {
	e     *shortlist.Entry
	k     int32 // the application's index in the input
	state entryState
	code  string
	offer int // index into Result.Offers when stOffered
	nom   int // index into Result.Nominations + 1 when nominated
}

type advertState struct {
	idx     int // in engine.adverts
	ad      *bidding.Advert
	sl      *shortlist.Shortlist
	council bool
	status  string
	entries []entry
	lo      int // entries before lo are terminal
	live    int // entries in a live state
	// verified counts stVerified entries (housing associations: the batch being built).
	verified int
	// round is the nomination round; verifying is true while a batch is being built.
	round     int
	verifying bool
	closed    register.Date // the local date the advert closed
	offers    int           // offers made on this advert
	tenant    int64         // the application let to
	since     register.Date
	last      register.Date // the last decision on this advert
	// shortlisted: the advert's cycle was closed and its shortlist stored.
	shortlisted bool
}

type engine struct {
	in  *Input
	p   *policy.Policy
	res Result
	// appIdx finds an application's index in in.Applications by id. Applications are
	// copied on first write into changed; everything else reads the caller's.
	appIdx idIndex
	// Per application, by index: its copy once changed, and its open offer + 1 (0: none).
	changed  []*register.Application
	nChanged int
	offerAt  []int32
	adverts  []advertState
	advIdx   map[int64]int
	// advertsOf[appIdx] lists the adverts (indexes) each application is ranked on, as
	// ranges of advFlat.
	advStart []int32
	advFlat  []int32
	lastBid  map[int64]register.Date
	flagged  map[int64]bool // no-bid review flags raised
	// household is the day of each household's last decision of the kinds that change
	// its own record (Household).
	household map[int64]register.Date
	dirty     []int
	d         *Decision
	idx       int
	log       stepLog
}

// get returns the application as it stands, or nil. Do not modify it: use mut.
func (e *engine) get(id int64) *register.Application {
	if k, ok := e.appIdx.get(id); ok {
		return e.at(k)
	}
	return nil
}

// at returns the application at index k as it stands. Do not modify it: use mut.
func (e *engine) at(k int32) *register.Application {
	if a := e.changed[k]; a != nil {
		return a
	}
	return &e.in.Applications[k]
}

// openOffer returns the application's open offer, if any.
func (e *engine) openOffer(app int64) (*Offer, bool) {
	k, _ := e.appIdx.get(app)
	if o := e.offerAt[k]; o > 0 {
		return &e.res.Offers[o-1], true
	}
	return nil, false
}

// mut returns the engine's own copy of an application, to modify.
func (e *engine) mut(id int64) *register.Application {
	k, _ := e.appIdx.get(id)
	if a := e.changed[k]; a != nil {
		e.noteApp(k)
		return a
	}
	e.noteApp(k)
	a := new(register.Application)
	*a = e.in.Applications[k]
	// Clip so that appending never writes into the caller's arrays.
	a.History, a.Refusals, a.Overrides = slices.Clip(a.History), slices.Clip(a.Refusals), slices.Clip(a.Overrides)
	e.changed[k] = a
	e.nChanged++
	return a
}

// Run applies decisions, in order, to the cycle described by in, and returns the
// outcome. It does not modify in. A decision that does not fit the state returns a
// *DecisionError naming its index; bad input returns an error naming the record and
// field. Run(in, ds) is Start(in) followed by Apply for each decision and Result.
//
// Each decision moves the walk of its own advert and of every advert whose candidates it
// changes (an offer made or closed, a household let or closed): on each, a live or next
// candidate who is under offer elsewhere (under_offer_elsewhere) or no longer active
// (not_active) is skipped, on the decision's day, once the advert has closed. Such a skip
// is final on that advert: a refusal puts the application back only on adverts whose walk
// has not yet reached it. Waiting and Result.Pending look past candidates the next
// decision on the advert would skip.
//
// Order (what Apply refuses): a decision on an advert may not be dated before the advert
// closed (a direct let excepted) nor before the last decision on that advert; one that
// changes a household's own record (Household) not before the last such decision on that
// household. Decisions on other adverts and households may come in any order.
func Run(in *Input, decisions []Decision) (*Result, error) {
	w, err := Start(in)
	if err != nil {
		return nil, err
	}
	w.e.res.Events = make([]Event, 0, 2*len(decisions)+len(w.e.adverts)/4)
	for i := range decisions {
		if _, err := w.Apply(decisions[i]); err != nil {
			return nil, err
		}
	}
	return w.Result(), nil
}

// Walk is a cycle's allocation in progress, for callers that decide as they go (an
// officer's screen, a store, the simulator): Start it, ask what an advert is Waiting for,
// Apply decisions (each returns the Step it made), and read the Result. Recording the
// applied decisions and replaying them with Run gives the same Result. After Apply
// returns an error the Walk must not be used further.
type Walk struct {
	e *engine
}

// Start begins the walk of in's cycle: before any decision, or where the store's Walks,
// Offers, Nominations, Reviews and Households leave it.
func Start(in *Input) (*Walk, error) {
	e, err := newEngine(in)
	if err != nil {
		return nil, err
	}
	if err := e.restore(in); err != nil {
		return nil, err
	}
	return &Walk{e: e}, nil
}

// SetPolicy makes the next decisions run under p (a record replayed across cycles whose
// policies differ). p must have the same shortlist rank_at as the Input's.
func (w *Walk) SetPolicy(p *policy.Policy) {
	if p != nil {
		w.e.p = p
		w.e.res.Policy = p.Name()
	}
}

// Apply applies the next decision and returns what it changed.
func (w *Walk) Apply(d Decision) (*Step, error) {
	e := w.e
	e.d = &d
	defer func() { e.idx++ }()
	e.beginStep()
	if d.Actor == "" {
		return nil, e.fail("actor", "missing")
	}
	if err := e.inOrder(&d); err != nil {
		return nil, err
	}
	if i, ok := e.advIdx[d.Advert]; ok && d.Advert != 0 {
		// The advert's own walk first catches up with what happened elsewhere.
		e.advance(i)
	}
	if err := e.apply(&d); err != nil {
		return nil, err
	}
	slices.Sort(e.dirty)
	for j, ai := range e.dirty {
		if j == 0 || ai != e.dirty[j-1] {
			e.advance(ai)
		}
	}
	e.dirty = e.dirty[:0]
	if i, ok := e.advIdx[d.Advert]; ok && d.Advert != 0 && d.Kind != RequestReview && d.Kind != DecideReview {
		e.adverts[i].last = d.On
		e.noteAdvert(&e.adverts[i])
	}
	if d.Application != 0 && ownsHousehold(d.Kind) {
		e.household[d.Application] = d.On
	}
	return e.step(&d), nil
}

// inOrder refuses a decision dated before its advert closed (a direct let excepted),
// before the advert's last decision, or before its household's last (Household).
func (e *engine) inOrder(d *Decision) error {
	if i, ok := e.advIdx[d.Advert]; ok && d.Advert != 0 && d.Kind != RequestReview && d.Kind != DecideReview {
		s := &e.adverts[i]
		if d.Kind != DirectLet {
			if !s.shortlisted {
				return e.fail("advert", fmt.Sprintf("%d has no shortlist: close its cycle first (cbl cycle close)", d.Advert))
			}
			if d.On < s.closed || (!d.At.IsZero() && d.At.Before(s.ad.Closes)) {
				return e.fail("on", fmt.Sprintf("%s is before advert %d closed (%s)", d.On, d.Advert, s.closed))
			}
		}
		if d.On < s.last {
			return e.fail("on", fmt.Sprintf("%s is before the last decision on advert %d (%s)", d.On, d.Advert, s.last))
		}
	}
	if last, ok := e.household[d.Application]; ok && d.Application != 0 && ownsHousehold(d.Kind) && d.On < last {
		return e.fail("on", fmt.Sprintf("%s is before the last decision on application %d's own record (%s)", d.On, d.Application, last))
	}
	return nil
}

// Waiting returns what the advert is waiting for (nothing once it is let or withdrawn,
// or if it is not in the cycle).
func (w *Walk) Waiting(advert int64) []Wait {
	i, ok := w.e.advIdx[advert]
	if !ok || w.e.adverts[i].status != AdvertOpen {
		return nil
	}
	return w.e.waits(&w.e.adverts[i])
}

// Adverts returns the cycle's advert ids in processing order.
func (w *Walk) Adverts() []int64 {
	ids := make([]int64, len(w.e.adverts))
	for i := range w.e.adverts {
		ids[i] = w.e.adverts[i].ad.ID
	}
	return ids
}

// Result returns the outcome so far. It shares memory with the Walk: later Apply calls
// may change what it holds, so take it when done.
func (w *Walk) Result() *Result {
	w.e.finish()
	r := w.e.res
	return &r
}

func newEngine(in *Input) (*engine, error) {
	if in == nil {
		return nil, errors.New("allocation: no input")
	}
	if in.Policy == nil {
		return nil, errors.New("allocation: input has no policy")
	}
	if in.Policy.Shortlist.RankAt != "close" {
		// Re-ranking at offer time needs the shortlist's overlays; until the shortlist
		// package offers it, refuse rather than walk a different order than the policy says.
		return nil, fmt.Errorf("allocation: policy %s: shortlist.rank_at %q: only \"close\" is supported", in.Policy.Name(), in.Policy.Shortlist.RankAt)
	}
	e := &engine{
		in:        in,
		p:         in.Policy,
		changed:   make([]*register.Application, len(in.Applications)),
		offerAt:   make([]int32, len(in.Applications)),
		advIdx:    make(map[int64]int, len(in.Adverts)),
		flagged:   make(map[int64]bool),
		household: make(map[int64]register.Date),
	}
	e.res.Policy = in.Policy.Name()
	var err error
	if e.appIdx, err = newIDIndex(in.Applications); err != nil {
		return nil, err
	}
	landlords := make(map[string]*bidding.Landlord, len(in.Landlords))
	for i := range in.Landlords {
		landlords[in.Landlords[i].ID] = &in.Landlords[i]
	}
	shortlists := make(map[int64]*shortlist.Shortlist, len(in.Shortlists))
	for i := range in.Shortlists {
		sl := &in.Shortlists[i]
		if _, dup := shortlists[sl.Advert]; dup {
			return nil, fmt.Errorf("shortlists[%d]: advert %d has two shortlists", i, sl.Advert)
		}
		shortlists[sl.Advert] = sl
	}
	order := make([]*bidding.Advert, len(in.Adverts))
	for i := range in.Adverts {
		order[i] = &in.Adverts[i]
	}
	slices.SortFunc(order, func(a, b *bidding.Advert) int {
		return cmp.Or(a.Closes.Compare(b.Closes), cmp.Compare(a.ID, b.ID))
	})
	empty := &shortlist.Shortlist{}
	e.adverts = make([]advertState, len(order))
	e.advStart = make([]int32, len(in.Applications)+1)
	for i, ad := range order {
		if _, dup := e.advIdx[ad.ID]; dup {
			return nil, fmt.Errorf("adverts: id %d appears twice", ad.ID)
		}
		e.advIdx[ad.ID] = i
		ll, ok := landlords[ad.Landlord]
		if !ok {
			return nil, fmt.Errorf("advert %d: landlord %q: not among the landlords", ad.ID, ad.Landlord)
		}
		sl := shortlists[ad.ID]
		shortlisted := sl != nil
		if sl == nil {
			sl = empty
		}
		s := &e.adverts[i]
		*s = advertState{idx: i, ad: ad, sl: sl, council: ll.Council, status: AdvertOpen, verifying: true, round: 1,
			entries: make([]entry, len(sl.Ranked)), shortlisted: shortlisted}
		if ad.Withdrawn {
			s.status = AdvertWithdrawn
		}
		s.closed = register.DateOf(ad.Closes) // no closing time: day 1, before any decision
		if !ad.Closes.IsZero() {
			s.closed = in.Policy.Day(ad.Closes)
		}
		s.since = s.closed
		for j := range sl.Ranked {
			en := &sl.Ranked[j]
			k, ok := e.appIdx.get(en.Application)
			if !ok {
				return nil, fmt.Errorf("shortlist of advert %d: ranked[%d]: application %d: not in the register", ad.ID, j, en.Application)
			}
			s.entries[j] = entry{e: en, k: k}
			e.advStart[k+1]++
		}
	}
	for i := range in.Shortlists {
		if _, ok := e.advIdx[in.Shortlists[i].Advert]; !ok {
			return nil, fmt.Errorf("shortlists[%d]: advert %d: not among the adverts", i, in.Shortlists[i].Advert)
		}
	}
	// advertsOf as ranges: count, prefix sums, fill.
	for k := 1; k < len(e.advStart); k++ {
		e.advStart[k] += e.advStart[k-1]
	}
	e.advFlat = make([]int32, e.advStart[len(e.advStart)-1])
	next := slices.Clone(e.advStart[:len(e.advStart)-1])
	for i := range e.adverts {
		for _, en := range e.adverts[i].entries {
			k := en.k
			e.advFlat[next[k]] = int32(i)
			next[k]++
		}
	}
	e.res.Renewals = append([]Renewal(nil), in.Renewals...)
	return e, nil
}

func (e *engine) fail(field, msg string) error {
	return &DecisionError{Index: e.idx, Decision: *e.d, Field: field, Msg: msg}
}

func (e *engine) apply(d *Decision) error {
	switch d.Kind {
	case VerifyPass, VerifySkip:
		return e.verify(d)
	case MakeOffer:
		return e.offer(d)
	case Accept:
		return e.accept(d)
	case Refuse:
		return e.refuse(d)
	case Withdraw:
		return e.withdraw(d)
	case Nominate:
		return e.nominate(d)
	case LandlordAccept, LandlordReject:
		return e.landlordDecides(d)
	case RequestMore:
		return e.requestMore(d)
	case DirectLet:
		return e.directLet(d)
	case RequestReview:
		return e.requestReview(d)
	case DecideReview:
		return e.decideReview(d)
	case Renew:
		return e.renew(d)
	case Upkeep:
		return e.upkeep(d)
	case Reband:
		return e.reassessed(d)
	case Void:
		return e.void(d)
	case SetBand, SetEffective, ClearOverride:
		return e.override(d)
	case SetStatus:
		return e.setStatus(d)
	}
	return e.fail("kind", fmt.Sprintf("unknown kind %q", d.Kind))
}

// event appends to the audit trail.
func (e *engine) event(at register.Date, actor, kind string, app, advert int64, reason, detail string) {
	e.res.Events = append(e.res.Events, Event{Seq: len(e.res.Events) + 1, At: at, Actor: actor, Kind: kind,
		Application: app, Advert: advert, Reason: reason, Detail: detail})
	if i, ok := e.advIdx[advert]; ok && advert != 0 {
		e.adverts[i].since = at
		e.noteAdvert(&e.adverts[i])
	}
}

// decided records an event for the current decision.
func (e *engine) decided(kind string, app, advert int64, reason, detail string) {
	e.event(e.d.On, e.d.Actor, kind, app, advert, reason, detail)
}

// touch marks every advert the application is ranked on for advancing.
func (e *engine) touch(app int64) {
	k, ok := e.appIdx.get(app)
	if !ok {
		return
	}
	for _, i := range e.advFlat[e.advStart[k]:e.advStart[k+1]] {
		e.dirty = append(e.dirty, int(i))
	}
}

// advertOf returns the decision's open advert.
func (e *engine) advertOf(d *Decision) (*advertState, error) {
	i, ok := e.advIdx[d.Advert]
	if !ok {
		return nil, e.fail("advert", fmt.Sprintf("%d: not among the cycle's adverts", d.Advert))
	}
	s := &e.adverts[i]
	if s.status != AdvertOpen {
		return nil, e.fail("advert", fmt.Sprintf("%d is %s", d.Advert, s.status))
	}
	e.dirty = append(e.dirty, i)
	e.noteAdvert(s)
	return s, nil
}

// entryOf returns the decision's application's entry on advert s.
func (e *engine) entryOf(s *advertState, app int64) (*entry, error) {
	for i := range s.entries {
		if s.entries[i].e.Application == app {
			return &s.entries[i], nil
		}
	}
	return nil, e.fail("application", fmt.Sprintf("%d is not ranked on advert %d", app, s.ad.ID))
}

// unavailable returns the skip code for an application that cannot go on on advert s.
func (e *engine) unavailable(s *advertState, en *entry) (code, detail string) {
	a := e.at(en.k)
	if a.Status != register.StatusActive {
		return shortlist.NotActive, fmt.Sprintf("application is %s", a.Status)
	}
	if o := e.offerAt[en.k]; o > 0 && e.res.Offers[o-1].Advert != s.ad.ID {
		return shortlist.UnderOfferElsewhere, fmt.Sprintf("under offer on advert %d", e.res.Offers[o-1].Advert)
	}
	return "", ""
}

func (e *engine) setState(s *advertState, en *entry, st entryState) {
	e.noteAdvert(s)
	if en.state.live() {
		s.live--
	}
	if en.state == stVerified {
		s.verified--
	}
	en.state = st
	if st.live() {
		s.live++
	}
	if st == stVerified {
		s.verified++
	}
}

func (e *engine) skip(s *advertState, en *entry, code, actor, detail string, at register.Date) {
	if en.nom > 0 {
		n := &e.res.Nominations[en.nom-1]
		if n.Outcome == "" {
			n.Outcome, n.Decided = code, at
			e.noteNom(en.nom - 1)
		}
	}
	e.setState(s, en, stSkipped)
	en.code = code
	e.event(at, actor, "skipped", en.e.Application, s.ad.ID, code, detail)
}

// canVerify reports whether advert s is ready to verify its next open candidate.
func (e *engine) canVerify(s *advertState) bool {
	if s.council {
		return s.live == 0
	}
	return s.verifying && s.verified < e.p.Nominations.BatchSize
}

// next returns the next open candidate to verify on s, or nil.
func (e *engine) next(s *advertState) *entry {
	if s.status != AdvertOpen || !e.canVerify(s) {
		return nil
	}
	for i := s.lo; i < len(s.entries); i++ {
		if s.entries[i].state == stOpen {
			return &s.entries[i]
		}
	}
	return nil
}

// wouldSkip: the next decision on s would skip en (under offer elsewhere or not active).
func (e *engine) wouldSkip(s *advertState, en *entry) bool {
	code, _ := e.unavailable(s, en)
	return code != ""
}

// nextAfter returns the open candidate after en on s, or nil.
func (e *engine) nextAfter(s *advertState, en *entry) *entry {
	for i := range s.entries {
		if &s.entries[i] != en {
			continue
		}
		for j := i + 1; j < len(s.entries); j++ {
			if s.entries[j].state == stOpen {
				return &s.entries[j]
			}
		}
	}
	return nil
}

// advance skips, on advert ai, live candidates and the next candidate who are under
// offer elsewhere or no longer active.
func (e *engine) advance(ai int) {
	s := &e.adverts[ai]
	if s.status != AdvertOpen || e.d.On < s.closed {
		return
	}
	// A decision dated before this advert's last change (decisions on other adverts may
	// come in any order) moves it as of that change, so its own story stays in order.
	at := max(e.d.On, s.since)
	for s.lo < len(s.entries) && s.entries[s.lo].state.terminal() {
		s.lo++
	}
	seenLive, headSeen := 0, false
	for i := s.lo; i < len(s.entries); i++ {
		if headSeen && seenLive >= s.live {
			break
		}
		en := &s.entries[i]
		switch en.state {
		case stVerified, stNominated:
			if code, detail := e.unavailable(s, en); code != "" {
				e.skip(s, en, code, Engine, detail, at)
				continue
			}
			seenLive++
		case stOffered:
			seenLive++
		case stOpen:
			if headSeen {
				continue
			}
			if !e.canVerify(s) {
				headSeen = true
				continue
			}
			if code, detail := e.unavailable(s, en); code != "" {
				e.skip(s, en, code, Engine, detail, at)
				continue
			}
			headSeen = true
		}
	}
}

// finish fills in the advert statuses and what each open advert waits for.
func (e *engine) finish() {
	e.res.Adverts, e.res.Pending = nil, nil
	e.res.Applications = make([]register.Application, 0, e.nChanged)
	for _, a := range e.changed {
		if a != nil {
			e.res.Applications = append(e.res.Applications, *a)
		}
	}
	slices.SortFunc(e.res.Applications, func(a, b register.Application) int { return cmp.Compare(a.ID, b.ID) })
	for i := range e.adverts {
		s := &e.adverts[i]
		st := AdvertStatus{Advert: s.ad.ID, Status: s.status}
		if s.status == AdvertLet {
			st.Application = s.tenant
		}
		e.res.Adverts = append(e.res.Adverts, st)
		if s.status == AdvertOpen {
			e.res.Pending = append(e.res.Pending, e.waits(s)...)
		}
	}
	// Empty lists encode as [] rather than null, so outputs compare byte for byte.
	nonNil(&e.res.Offers)
	nonNil(&e.res.Nominations)
	nonNil(&e.res.Lets)
	nonNil(&e.res.Sanctions)
	nonNil(&e.res.Reviews)
	nonNil(&e.res.Renewals)
	nonNil(&e.res.Pending)
	nonNil(&e.res.Events)
}

func (e *engine) waits(s *advertState) []Wait {
	var out []Wait
	var offered, verified, nominated []int64
	open, seen := false, 0
	for i := s.lo; i < len(s.entries) && (seen < s.live || !open); i++ {
		en := &s.entries[i]
		switch en.state {
		case stOpen:
			open = true
		case stOffered:
			offered, seen = append(offered, en.e.Application), seen+1
		case stVerified:
			verified, seen = append(verified, en.e.Application), seen+1
		case stNominated:
			nominated, seen = append(nominated, en.e.Application), seen+1
		}
	}
	w := func(what string, apps []int64) {
		out = append(out, Wait{Advert: s.ad.ID, For: what, Applications: apps, Since: s.since})
	}
	if len(offered) > 0 {
		w(WaitReply, offered)
	}
	if s.council && len(verified) > 0 {
		w(WaitOffer, verified)
	}
	if !s.council && len(nominated) > 0 {
		w(WaitLandlord, nominated)
	}
	next := e.next(s)
	for next != nil && e.wouldSkip(s, next) {
		next = e.nextAfter(s, next)
	}
	if next != nil {
		w(WaitVerify, []int64{next.e.Application})
	}
	if !s.council && s.verified > 0 && next == nil {
		w(WaitNominate, verified)
	}
	if !s.council && !s.verifying && s.live == 0 && open {
		w(WaitRequestMore, nil)
	}
	if s.live == 0 && !open {
		w(WaitRelet, nil)
	}
	return out
}

// nonNil makes a nil slice empty.
func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}
