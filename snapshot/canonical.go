package snapshot

import (
	"cmp"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// Canonical returns a deep copy of s in the one form that Read, Write and the store's
// Export agree on, so two snapshots holding the same register compare equal with
// reflect.DeepEqual:
//
//   - applications, landlords, cycles and adverts ordered by id; bids by advert, then
//     application; bases by application (rows nested in an application, advert or base
//     keep their order);
//   - empty slices are nil;
//   - money is rounded to pence (see Money);
//   - times are in UTC, truncated to the microsecond (PostgreSQL's precision).
//
// s is not modified.
func (s *Snapshot) Canonical() *Snapshot {
	c := &Snapshot{
		Applications: nilIfEmpty(slices.Clone(s.Applications)),
		Landlords:    nilIfEmpty(slices.Clone(s.Landlords)),
		Cycles:       nilIfEmpty(slices.Clone(s.Cycles)),
		Adverts:      nilIfEmpty(slices.Clone(s.Adverts)),
		Bids:         nilIfEmpty(slices.Clone(s.Bids)),
		Bases:        nilIfEmpty(slices.Clone(s.Bases)),
	}
	for i := range c.Bases {
		b := &c.Bases[i]
		b.History = nilIfEmpty(slices.Clone(b.History))
		b.Refusals = nilIfEmpty(slices.Clone(b.Refusals))
		b.Overrides = nilIfEmpty(slices.Clone(b.Overrides))
	}
	for i := range c.Applications {
		a := &c.Applications[i]
		a.Members = nilIfEmpty(slices.Clone(a.Members))
		a.Connection.LegalAgreementAreas = nilIfEmpty(slices.Clone(a.Connection.LegalAgreementAreas))
		a.Debt.Amount = Money(a.Debt.Amount)
		a.Medical = nilIfEmpty(slices.Clone(a.Medical))
		for j := range a.Medical {
			a.Medical[j].Conditions = nilIfEmpty(slices.Clone(a.Medical[j].Conditions))
		}
		a.History = nilIfEmpty(slices.Clone(a.History))
		a.Refusals = nilIfEmpty(slices.Clone(a.Refusals))
		a.Overrides = nilIfEmpty(slices.Clone(a.Overrides))
	}
	for i := range c.Cycles {
		c.Cycles[i].Opens = canonicalTime(c.Cycles[i].Opens)
		c.Cycles[i].Closes = canonicalTime(c.Cycles[i].Closes)
	}
	for i := range c.Adverts {
		a := &c.Adverts[i]
		a.WeeklyRent = Money(a.WeeklyRent)
		a.Closes = canonicalTime(a.Closes)
		a.LocalLettings = nilIfEmpty(slices.Clone(a.LocalLettings))
		for j := range a.LocalLettings {
			l := &a.LocalLettings[j]
			l.Is, l.Gte, l.Lte = clonePtr(l.Is), clonePtr(l.Gte), clonePtr(l.Lte)
		}
	}
	for i := range c.Bids {
		c.Bids[i].Placed = canonicalTime(c.Bids[i].Placed)
		c.Bids[i].Withdrawn = canonicalTime(c.Bids[i].Withdrawn)
	}
	slices.SortStableFunc(c.Applications, func(a, b register.Application) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(c.Landlords, func(a, b bidding.Landlord) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(c.Cycles, func(a, b bidding.Cycle) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(c.Adverts, func(a, b bidding.Advert) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(c.Bids, func(a, b bidding.Bid) int {
		return cmp.Or(cmp.Compare(a.Advert, b.Advert), cmp.Compare(a.Application, b.Application))
	})
	slices.SortStableFunc(c.Bases, func(a, b Base) int { return cmp.Compare(a.Application, b.Application) })
	return c
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func canonicalTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
