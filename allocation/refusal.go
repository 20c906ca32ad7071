package allocation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

// sanctions applies the refusal rules (S8.4–S8.6) after a refusal was appended to
// a.Refusals. finalCounted: the refusal was a counted refusal of a final offer.
//
// Closure: when the application's counted refusals within the policy's window reach its
// limit, the application is closed for the policy's closure months. "Within 12 months"
// means each earlier counted refusal falls less than WindowMonths calendar months
// before the latest (11 months apart: within; 12 months or more: not).
//
// Duty discharge: a counted refusal of a final offer, while the application meets one of
// the policy's discharge criteria, withdraws those criteria by recording an officer
// override (withdraw_criterion) on the application, and re-bands it. The duty flag
// itself is left as recorded: the override is what banding reads, it keeps who, when and
// why, and an officer can remove it if the discharge is overturned on review.
func (e *engine) sanctions(a *register.Application, finalCounted bool) error {
	rf := &e.p.Refusals
	last := a.Refusals[len(a.Refusals)-1]
	if finalCounted && rf.FinalOfferDischarges {
		if err := e.discharge(a, last); err != nil {
			return err
		}
	}
	if !last.Counted {
		return nil
	}
	var adverts []int64
	for _, r := range a.Refusals {
		if r.Counted && r.On <= last.On && r.On.AddMonths(rf.WindowMonths) > last.On {
			adverts = append(adverts, r.Advert)
		}
	}
	if len(adverts) < rf.CountedLimit || a.Status == register.StatusClosed {
		return nil
	}
	until := last.On.AddMonths(rf.ClosureMonths)
	reason := fmt.Sprintf("%d counted refusals within %d months", len(adverts), rf.WindowMonths)
	a.Status, a.StatusReason, a.StatusUntil = register.StatusClosed, "refusals: "+reason, until
	e.res.Sanctions = append(e.res.Sanctions, Sanction{Application: a.ID, Kind: SanctionClosed, On: last.On,
		Until: until, Reason: reason, Adverts: adverts})
	e.decided("application_closed", a.ID, last.Advert, SanctionClosed,
		fmt.Sprintf("%s (adverts %s); closed until %s", reason, joinIDs(adverts), until))
	e.touch(a.ID)
	return nil
}

func (e *engine) discharge(a *register.Application, r register.Refusal) error {
	before, err := banding.Assess(a, e.p, r.On)
	if err != nil {
		return e.fail("application", err.Error())
	}
	var ids []string
	for _, m := range before.Criteria {
		if slices.Contains(e.p.Refusals.DischargeCriteria, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		e.decided("no_duty_to_discharge", a.ID, r.Advert, "", "final offer refused, but no homeless criterion is met")
		return nil
	}
	reason := fmt.Sprintf("homeless duty discharged: suitable final offer of advert %d refused", r.Advert)
	for _, id := range ids {
		a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideWithdrawCriterion,
			Criterion: id, Reason: reason, By: e.d.Actor, On: r.On})
		e.decided("criterion_withdrawn", a.ID, r.Advert, SanctionDischarge, id)
	}
	e.res.Sanctions = append(e.res.Sanctions, Sanction{Application: a.ID, Kind: SanctionDischarge, On: r.On,
		Reason: reason, Adverts: []int64{r.Advert}, Criteria: ids})
	return e.reband(a, r.On, reason)
}

// reband re-assesses a and records any band change in its history.
func (e *engine) reband(a *register.Application, on register.Date, reason string) error {
	as, err := banding.Assess(a, e.p, on)
	if err != nil {
		return e.fail("application", err.Error())
	}
	return e.transition(a, banding.Change{Band: as.Band, On: on, Reason: reason, By: e.d.Actor})
}

// transition records change c in a's band history, with an event when it changes.
func (e *engine) transition(a *register.Application, c banding.Change) error {
	old, _ := banding.Current(a.History)
	hist, cur := banding.Transition(a.History, a.Registered, a.Overrides, c, &e.p.EffectiveDate)
	if cur == old {
		return nil
	}
	a.History = hist
	e.decided("band_changed", a.ID, 0, c.Reason, fmt.Sprintf("band %s effective %s -> band %s effective %s",
		bandName(old.Band), old.Effective, bandName(cur.Band), cur.Effective))
	return nil
}

func bandName(b register.Band) string {
	if b == register.NoBand {
		return "none"
	}
	return b.String()
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}
