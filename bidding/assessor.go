package bidding

import (
	"cmp"
	"errors"
	"slices"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

// Assessor is Assess for a run of closes over one register, as a simulation's weeks are.
// Most applications do not change from one week to the next, and assessing every one
// at every close was half of a simulation's time, so an Assessor keeps each profile from
// the last close and assesses again only the applications that are new, that the caller
// said Changed, or whose profile may differ on the new closing day: on
// banding.NextChange, or when a band-history spell starts or ends (Profile reads no
// other date; it counts children under the bedroom rule's adult age, an age
// NextChange watches for).
//
// Its index is the one Assess would build provided every change to an application is
// reported. A close earlier than the last assesses everything.
//
// An index it returns is valid until the next Assess but one: that Assess writes its
// profiles into the index's Profiles. Allocating a fresh slice of every profile at every
// close (2 MB a week at Birmingham scale, in each policy's run) was much of the
// assessor's cost and of a simulation's heap growth; the next Assess still reads the
// last index, so the one before it is the buffer to reuse.
type Assessor struct {
	rules   *Rules
	last    *Index          // the last close's profiles; nil before the first
	close   register.Date   // the last close
	until   []register.Date // until[k]: the first day last.Profiles[k] may not hold
	changed map[int64]bool

	// spare and spareUntil are the profiles and dates of the index before last, which no
	// one may read any more: the next Assess writes into them.
	spare      []Profile
	spareUntil []register.Date

	// given and givenUntil are profiles as at givenOn made from the caller's assessments
	// (Keep), which the next Assess takes as its last close's.
	given      []Profile
	givenUntil []register.Date
	givenOn    register.Date
}

// NewAssessor returns an Assessor under r with nothing kept yet.
func NewAssessor(r *Rules) *Assessor {
	return &Assessor{rules: r, changed: map[int64]bool{}}
}

// Changed says application id changed since the last Assess (its facts, status, band
// history, overrides or medical assessments): the next Assess assesses it afresh.
func (s *Assessor) Changed(id int64) { s.changed[id] = true }

// Keep gives the assessor the profile of application a as it stands, from as, the
// caller's banding.Assess of it under the rules' policy on day: the next Assess keeps it
// as if its own last close had been on day, until it may change or is reported Changed.
// A simulation assesses its whole register on the day a policy comes into force, a week
// before the first close; assessing it all again at that close was a fifth of the
// assessor's work in a year's run. Keep with another day than the profiles given so far
// drops those.
func (s *Assessor) Keep(a *register.Application, as *banding.Assessment, day register.Date) {
	if s.rules == nil || s.rules.Policy == nil {
		return // Assess says why
	}
	if day != s.givenOn {
		s.given, s.givenUntil, s.givenOn = s.given[:0], s.givenUntil[:0], day
	}
	s.given = append(s.given, s.rules.Profile(a, as, day))
	s.givenUntil = append(s.givenUntil, min(banding.NextChange(a, s.rules.Policy, day), nextSpell(a.History, day)))
}

// takeGiven makes the profiles given by Keep the last close's.
func (s *Assessor) takeGiven() error {
	ps, until := s.given, s.givenUntil
	s.given, s.givenUntil = nil, nil
	if !slices.IsSortedFunc(ps, func(a, b Profile) int { return cmp.Compare(a.ID, b.ID) }) {
		order := make([]int, len(ps))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(i, j int) int { return cmp.Compare(ps[i].ID, ps[j].ID) })
		byID, untilByID := make([]Profile, len(ps)), make([]register.Date, len(ps))
		for k, i := range order {
			byID[k], untilByID[k] = ps[i], until[i]
		}
		ps, until = byID, untilByID
	}
	ix, err := NewIndex(s.rules, ps)
	if err != nil {
		return err
	}
	s.last, s.close, s.until = ix, s.givenOn, until
	return nil
}

// Assess returns what Assess(rules, apps, close) would, assessing only the applications
// whose kept profile may not hold on close.
func (s *Assessor) Assess(apps []register.Application, close register.Date) (*Index, error) {
	r := s.rules
	if r == nil || r.Policy == nil {
		return nil, errors.New("bidding: Assessor: no rules (compile a policy with Compile)")
	}
	if len(s.given) > 0 {
		if err := s.takeGiven(); err != nil {
			return nil, err
		}
	}
	// Every element of ps and until is written below (kept or assessed), so nothing of
	// the index before last survives in them.
	ps := slices.Grow(s.spare[:0], len(apps))[:len(apps)]
	until := slices.Grow(s.spareUntil[:0], len(apps))[:len(apps)]
	s.spare, s.spareUntil = nil, nil // in use until a later Assess hands them back
	var todo []int
	next := 0 // where the last index's walk in id order stands
	for i := range apps {
		if k, ok := s.kept(apps[i].ID, close, &next); ok {
			ps[i], until[i] = s.last.Profiles[k], s.until[k]
			continue
		}
		todo = append(todo, i)
	}
	errs := make([]error, len(todo))
	inParallel(len(todo), func(j int) {
		i := todo[j]
		a := &apps[i]
		as, err := banding.Assess(a, r.Policy, close)
		if err != nil {
			errs[j] = err
			return
		}
		ps[i] = r.Profile(a, &as, close)
		until[i] = min(banding.NextChange(a, r.Policy, close), nextSpell(a.History, close))
	})
	clear(s.changed)
	prev, prevUntil := s.last, s.until
	s.last = nil
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	sorted := slices.IsSortedFunc(ps, func(a, b Profile) int { return cmp.Compare(a.ID, b.ID) })
	ix, err := NewIndex(r, ps) // sorts ps by id
	if err != nil {
		return nil, err
	}
	if !sorted {
		byID := make([]register.Date, len(apps))
		for i := range apps {
			k, _ := ix.Find(apps[i].ID)
			byID[k] = until[i]
		}
		until = byID
	}
	s.last, s.close, s.until = ix, close, until
	if prev != nil {
		s.spare, s.spareUntil = prev.Profiles, prevUntil
	}
	return ix, nil
}

// kept returns the position in the last index of application id's profile if it holds
// on close. Applications usually come in id order, as the index is, so it walks the
// index from *next, and searches it only for an application out of order or new: an
// index over a register whose ids are sparse has no table by id, and a binary search
// per application per close cost more than the walk.
func (s *Assessor) kept(id int64, close register.Date, next *int) (int, bool) {
	if s.last == nil || close < s.close || s.changed[id] {
		return 0, false
	}
	ps := s.last.Profiles
	k := *next
	for k < len(ps) && ps[k].ID < id {
		k++
	}
	*next = k
	if k == len(ps) || ps[k].ID != id {
		at, ok := s.last.Find(id)
		if !ok {
			return 0, false
		}
		k = int(at)
	}
	return k, close < s.until[k]
}

// nextSpell returns the first day after d on which a spell of hist starts or ends
// (banding.Never if none does).
func nextSpell(hist []register.BandSpell, d register.Date) register.Date {
	next := banding.Never
	for _, sp := range hist {
		if sp.From > d {
			next = min(next, sp.From)
		}
		if sp.To > d {
			next = min(next, sp.To)
		}
	}
	return next
}
