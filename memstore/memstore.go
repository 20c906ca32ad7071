// Package memstore is a register held in memory as a cbl.Store: a snapshot (read from a
// directory or generated) with its closed cycles' shortlists and the steps of the
// decisions recorded on it, kept by allocation.Ledger exactly as the PostgreSQL store
// keeps them in tables. It is for tests, demos, simulations and --register DIR; the
// conformance suite holds it and pgstore to the same results.
package memstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/intake"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Store is a register in memory. It is safe for concurrent use.
type Store struct {
	mu         sync.Mutex
	reg        *cbl.Register
	base       []register.Application // as given: where the record of decisions starts
	shortlists map[int64]shortlist.Shortlist
	closings   map[int64]*shortlist.Closed // by advert: its cycle's close, for traces
	closed     map[int64]bool
	policy     *policy.Policy // the latest closed cycle's
	ledger     *allocation.Ledger
	record     []record
	based      map[int64]bool // applications a decision has changed: the audit replays them from base
}

type record struct {
	at     time.Time
	policy *policy.Policy
	d      allocation.Decision
}

var _ cbl.Store = (*Store)(nil)

// ErrNotShortlisted means the advert has no shortlist kept (its cycle is not closed).
var ErrNotShortlisted = errors.New("no shortlist kept")

// New keeps reg (a copy: the caller's is not changed) as the register, with no cycle
// closed and no decision recorded.
func New(reg *cbl.Register) *Store {
	c := *reg
	c.Applications = slices.Clone(reg.Applications)
	slices.SortFunc(c.Applications, func(a, b register.Application) int { return cmp.Compare(a.ID, b.ID) })
	return &Store{reg: &c, base: slices.Clone(c.Applications), shortlists: map[int64]shortlist.Shortlist{},
		closings: map[int64]*shortlist.Closed{}, closed: map[int64]bool{}, based: map[int64]bool{}}
}

// Register returns a copy of the register as it stands.
func (s *Store) Register(ctx context.Context) (*cbl.Register, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *s.reg
	c.Applications = slices.Clone(s.reg.Applications)
	return &c, nil
}

// Policy returns the latest closed cycle's policy, else the latest cycle's.
func (s *Store) Policy(ctx context.Context) (*policy.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.policy != nil {
		return s.policy, nil
	}
	var last *bidding.Cycle
	for i := range s.reg.Cycles {
		if c := &s.reg.Cycles[i]; last == nil || c.Closes.After(last.Closes) {
			last = c
		}
	}
	if last == nil {
		return nil, errors.New("no cycles held")
	}
	return policy.Builtins().ByName(last.Policy, register.DateOf(last.Closes))
}

// Application returns a copy of one application as it stands.
func (s *Store) Application(ctx context.Context, id int64) (*register.Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := slices.BinarySearchFunc(s.reg.Applications, id, func(x register.Application, id int64) int { return cmp.Compare(x.ID, id) })
	if !ok {
		return nil, fmt.Errorf("application %d: %w", id, cbl.ErrNoApplication)
	}
	a := s.reg.Applications[i]
	return &a, nil
}

// CloseCycle closes cycle id: the register as it stands is assessed, bids resolved,
// autobids placed and every advert of the cycle ranked (shortlist.CloseCycle).
func (s *Store) CloseCycle(ctx context.Context, id int64, actor string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed[id] {
		return 0, nil
	}
	i := slices.IndexFunc(s.reg.Cycles, func(c bidding.Cycle) bool { return c.ID == id })
	if i < 0 {
		return 0, fmt.Errorf("close cycle %d: no such cycle", id)
	}
	c := s.reg.Cycles[i]
	p, err := policy.Builtins().ByName(c.Policy, register.DateOf(c.Closes))
	if err != nil {
		return 0, fmt.Errorf("close cycle %d: %w", id, err)
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return 0, err
	}
	adverts := c.AdvertsOf(s.reg.Adverts)
	closed, err := shortlist.CloseCycle(ctx, rules, c, s.reg.Applications, adverts, s.reg.Bids, nil)
	if err != nil {
		return 0, fmt.Errorf("close cycle %d: %w", id, err)
	}
	for _, sl := range closed.Shortlists {
		s.shortlists[sl.Advert] = sl
		s.closings[sl.Advert] = closed
	}
	s.closed[id] = true
	if s.policy == nil || !c.Closes.Before(s.latestClosed()) {
		s.policy = p
	}
	if s.ledger == nil {
		s.ledger = allocation.NewLedger(&allocation.Input{Policy: s.policy, Applications: s.reg.Applications,
			Landlords: s.reg.Landlords, Adverts: adverts, Shortlists: closed.Shortlists})
	} else {
		s.ledger.Add(adverts, closed.Shortlists)
		s.ledger.SetPolicy(s.policy)
	}
	return len(closed.Shortlists), nil
}

func (s *Store) latestClosed() time.Time {
	var t time.Time
	for _, c := range s.reg.Cycles {
		if s.closed[c.ID] && c.Closes.After(t) {
			t = c.Closes
		}
	}
	return t
}

// Shortlist returns advert's shortlist as its cycle's close made it.
func (s *Store) Shortlist(ctx context.Context, advert int64) (*shortlist.Shortlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, ok := s.shortlists[advert]
	if !ok {
		return nil, fmt.Errorf("advert %d: %w (is its cycle closed?)", advert, ErrNotShortlisted)
	}
	return &sl, nil
}

// Trace explains app's bid on advert from its cycle's close.
func (s *Store) Trace(ctx context.Context, advert, app int64) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	closed, ok := s.closings[advert]
	if !ok {
		return nil, fmt.Errorf("advert %d: %w (is its cycle closed?)", advert, ErrNotShortlisted)
	}
	k := slices.IndexFunc(closed.Shortlists, func(sl shortlist.Shortlist) bool { return sl.Advert == advert })
	t, err := shortlist.ExplainStored(closed.Closing, &closed.Results[k], app) // as pgstore keeps it
	if err != nil {
		return nil, err
	}
	return json.Marshal(t)
}

// CloseCycleOf closes the cycle advert belongs to (a snapshot holds no shortlists: its
// cycles are closed in memory when read), and reports whether the advert is held.
func (s *Store) CloseCycleOf(ctx context.Context, advert int64, actor string) (bool, error) {
	s.mu.Lock()
	i := slices.IndexFunc(s.reg.Adverts, func(a bidding.Advert) bool { return a.ID == advert })
	var cycle int64
	if i >= 0 {
		cycle = s.reg.Adverts[i].Cycle
	}
	s.mu.Unlock()
	if i < 0 {
		return false, nil
	}
	_, err := s.CloseCycle(ctx, cycle, actor)
	return true, err
}

// Walk returns where advert's walk stands, nil if no decision has reached it.
func (s *Store) Walk(ctx context.Context, advert int64) (*allocation.AdvertWalk, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ledger == nil {
		return nil, nil
	}
	for _, w := range s.ledger.Walks() {
		if w.Advert == advert {
			return &w, nil
		}
	}
	return nil, nil
}

// Waiting returns what advert's walk waits for.
func (s *Store) Waiting(ctx context.Context, advert int64) ([]allocation.Wait, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ledger == nil {
		return nil, nil
	}
	return s.ledger.Waiting(advert)
}

// Decide applies d, made at at, to what it touches, keeps its step and writes the
// applications it changed back to the register.
func (s *Store) Decide(ctx context.Context, at time.Time, d allocation.Decision) (*allocation.Step, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ledger == nil {
		return nil, errors.New("decide: no cycle closed yet")
	}
	if err := register.UpTo(time.Now(), register.ClockSkew).CheckTime(at); err != nil {
		return nil, fmt.Errorf("decide: at: %w", err)
	}
	d.On, d.At = s.policy.Day(at), at.UTC()
	if d.Kind == allocation.Void {
		return s.void(d)
	}
	step, err := s.ledger.Decide(d)
	if err != nil {
		return nil, err
	}
	s.keep(step)
	s.record = append(s.record, record{at: at, policy: s.policy, d: d})
	return step, nil
}

// keep writes step's applications back to the register and marks them as the record's.
func (s *Store) keep(step *allocation.Step) {
	allocation.WriteBack(s.reg.Applications, []*allocation.Step{step})
	for _, c := range step.Applications {
		s.based[c.After.ID] = true
	}
}

// PlaceBid places application app's bid on advert (bidding.PlaceBid).
func (s *Store) PlaceBid(ctx context.Context, at time.Time, app, advert int64, by string) (bidding.Bid, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ai := slices.IndexFunc(s.reg.Adverts, func(a bidding.Advert) bool { return a.ID == advert })
	if ai < 0 {
		return bidding.Bid{}, fmt.Errorf("advert %d: not in the register", advert)
	}
	ci := slices.IndexFunc(s.reg.Cycles, func(c bidding.Cycle) bool { return c.ID == s.reg.Adverts[ai].Cycle })
	c := s.reg.Cycles[ci]
	p, err := policy.Builtins().ByName(c.Policy, register.DateOf(c.Closes))
	if err != nil {
		return bidding.Bid{}, err
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return bidding.Bid{}, err
	}
	i, ok := slices.BinarySearchFunc(s.reg.Applications, app, func(x register.Application, id int64) int { return cmp.Compare(x.ID, id) })
	if !ok {
		return bidding.Bid{}, fmt.Errorf("application %d: not in the register", app)
	}
	ix, err := bidding.Assess(rules, s.reg.Applications[i:i+1], p.Day(at))
	if err != nil {
		return bidding.Bid{}, err
	}
	var held []bidding.Bid
	for _, b := range s.reg.Bids {
		if b.Application == app {
			held = append(held, b)
		}
	}
	bid, _, err := bidding.PlaceBid(rules, c, s.reg.Adverts, &ix.Profiles[0], held, at, advert, by)
	if err != nil {
		return bidding.Bid{}, err
	}
	// One bid per application and advert: a withdrawn one is replaced.
	if k := slices.IndexFunc(s.reg.Bids, func(b bidding.Bid) bool { return b.Application == app && b.Advert == advert }); k >= 0 {
		s.reg.Bids[k] = bid
	} else {
		s.reg.Bids = append(s.reg.Bids, bid)
	}
	return bid, nil
}

// Reassess re-bands the register under p as on asOf (banding.Rebands) and, unless
// dryRun, writes the new spells. An application a decision has changed is re-banded by a
// reband decision in the record, as pgstore does, so the audit's replay keeps the spell.
func (s *Store) Reassess(ctx context.Context, p *policy.Policy, asOf register.Date, actor string, dryRun bool) ([]banding.Reband, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changes, err := banding.Rebands(s.reg.Applications, p, asOf, actor)
	if err != nil || dryRun {
		return changes, err
	}
	loc := p.Location()
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := asOf.YMD()
	at := time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
	for _, c := range changes {
		i, _ := slices.BinarySearchFunc(s.reg.Applications, c.Application, func(x register.Application, id int64) int { return cmp.Compare(x.ID, id) })
		if s.based[c.Application] && s.ledger != nil {
			dec := allocation.Decision{Kind: allocation.Reband, On: asOf, At: at, Actor: actor, Application: c.Application,
				Reason: banding.ReassessReason(p), Band: c.New.Band, Effective: c.New.Effective}
			step, err := s.ledger.Decide(dec)
			if err != nil {
				return nil, fmt.Errorf("application %d: its reassessment joins the record, which refuses it: %w", c.Application, err)
			}
			s.keep(step)
			s.record = append(s.record, record{at: at, policy: s.policy, d: dec})
			continue
		}
		s.reg.Applications[i].History = c.History
		if j, ok := slices.BinarySearchFunc(s.base, c.Application, func(x register.Application, id int64) int { return cmp.Compare(x.ID, id) }); ok {
			s.base[j].History = c.History // no decision changed it: the record starts from it as it stands
		}
		if s.ledger != nil {
			s.ledger.Update(s.reg.Applications[i])
		}
	}
	return changes, nil
}

// Merge takes the week's intake (intake.Merge). A household a decision changed keeps, in
// the register the record replays from, its status, band history, overrides and
// refusals as they were before the decisions; its facts are the intake's.
func (s *Store) Merge(ctx context.Context, delta fs.FS, actor string) (*intake.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var closed []int64
	for id, ok := range s.closed {
		if ok {
			closed = append(closed, id)
		}
	}
	plan, err := intake.Merge(s.reg, delta, closed)
	if err != nil {
		return nil, err
	}
	reg := plan.Register
	slices.SortFunc(reg.Applications, func(a, b register.Application) int { return cmp.Compare(a.ID, b.ID) })
	byApp := func(x register.Application, id int64) int { return cmp.Compare(x.ID, id) }
	var changed []register.Application
	for _, id := range slices.Concat(plan.Added, plan.Updated) {
		k, _ := slices.BinarySearchFunc(reg.Applications, id, byApp)
		a := reg.Applications[k]
		changed = append(changed, a)
		i, held := slices.BinarySearchFunc(s.base, id, byApp)
		if !held {
			s.base = slices.Insert(s.base, i, a)
			continue
		}
		b := a
		if s.based[id] {
			was := s.base[i]
			b.Status, b.StatusReason, b.StatusUntil = was.Status, was.StatusReason, was.StatusUntil
			b.History, b.Overrides, b.Refusals = was.History, was.Overrides, was.Refusals
		}
		s.base[i] = b
	}
	s.reg = reg
	if s.ledger != nil {
		s.ledger.Join(changed...)
	}
	return &plan.Result, nil
}

// Verify replays the whole record from the register as it was given, and compares the
// walks, lets and applications with what the steps kept.
func (s *Store) Verify(ctx context.Context) (string, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ledger == nil {
		return "", 0, nil
	}
	w, err := allocation.Start(s.closedInput(s.base))
	if err != nil {
		return "", 0, err
	}
	fresh := map[int64]string{}
	for _, wk := range w.Walks() {
		fresh[wk.Advert] = fmt.Sprint(wk)
	}
	voided := s.voided()
	for i, r := range s.record {
		if voided[int64(i+1)] {
			continue
		}
		w.SetPolicy(r.policy)
		if _, err := w.Apply(r.d); err != nil {
			return "", i, fmt.Errorf("replay decision %d: %w", i+1, err)
		}
	}
	kept := map[int64]string{}
	for _, wk := range s.ledger.Walks() {
		kept[wk.Advert] = fmt.Sprint(wk)
	}
	for _, wk := range w.Walks() {
		got, ok := kept[wk.Advert]
		if want := fmt.Sprint(wk); (ok && got != want) || (!ok && want != fresh[wk.Advert]) {
			return fmt.Sprintf("walk of advert %d: kept %s; the record gives %s", wk.Advert, got, want), len(s.record), nil
		}
	}
	res := w.Result()
	if got, want := fmt.Sprint(s.ledger.Lets()), fmt.Sprint(res.Lets); got != want {
		return fmt.Sprintf("lets: kept %s; the record gives %s", got, want), len(s.record), nil
	}
	for _, a := range res.Applications {
		i, ok := slices.BinarySearchFunc(s.reg.Applications, a.ID, func(x register.Application, id int64) int { return cmp.Compare(x.ID, id) })
		if !ok {
			continue
		}
		got := &s.reg.Applications[i]
		if got.Status != a.Status || !slices.Equal(got.Refusals, a.Refusals) || !slices.Equal(got.History, a.History) ||
			!slices.Equal(got.Overrides, a.Overrides) {
			return fmt.Sprintf("application %d: the register holds %v; the record gives %v", a.ID, got.Status, a.Status), len(s.record), nil
		}
	}
	return "", len(s.record), nil
}

// void records void d (see cbl decisions void): the record keeps both, and the ledger and
// the register are rebuilt from the record without the voided decision; refused, with
// nothing changed, if a later decision depended on it.
func (s *Store) void(d allocation.Decision) (*allocation.Step, error) {
	n := int(d.Voids)
	switch {
	case n < 1 || n > len(s.record):
		return nil, fmt.Errorf("void: no decision %d is recorded: %w", d.Voids, allocation.ErrDecision)
	case s.record[n-1].d.Kind == allocation.Void:
		return nil, fmt.Errorf("void: decision %d is itself a void: %w", d.Voids, allocation.ErrDecision)
	case s.voided()[d.Voids]:
		return nil, fmt.Errorf("void: decision %d is voided already: %w", d.Voids, allocation.ErrDecision)
	}
	w, err := allocation.Start(&allocation.Input{Policy: s.policy})
	if err != nil {
		return nil, err
	}
	step, err := w.Apply(d) // checks the void itself (a reason)
	if err != nil {
		return nil, err
	}
	record := append(slices.Clone(s.record), record{at: d.At, policy: s.policy, d: d})
	voided := s.voided()
	voided[d.Voids] = true
	in := s.closedInput(s.base)
	ledger := allocation.NewLedger(in)
	apps := slices.Clone(s.base)
	for i, r := range record {
		if voided[int64(i+1)] {
			continue
		}
		ledger.SetPolicy(r.policy)
		st, err := ledger.Decide(r.d)
		if err != nil {
			return nil, fmt.Errorf("void: the record without decision %d does not replay: decision %d: %w", d.Voids, i+1, err)
		}
		allocation.WriteBack(apps, []*allocation.Step{st})
	}
	ledger.SetPolicy(s.policy)
	s.ledger, s.record, s.reg.Applications = ledger, record, apps
	return step, nil
}

// voided returns the record's numbers of the decisions voided.
func (s *Store) voided() map[int64]bool {
	out := map[int64]bool{}
	for _, r := range s.record {
		if r.d.Kind == allocation.Void {
			out[r.d.Voids] = true
		}
	}
	return out
}

// closedInput is the engine's input for apps with every closed advert and its shortlist.
func (s *Store) closedInput(apps []register.Application) *allocation.Input {
	in := &allocation.Input{Policy: s.policy, Applications: apps, Landlords: s.reg.Landlords}
	for _, ad := range s.reg.Adverts {
		if sl, ok := s.shortlists[ad.ID]; ok {
			in.Adverts = append(in.Adverts, ad)
			in.Shortlists = append(in.Shortlists, sl)
		}
	}
	return in
}
