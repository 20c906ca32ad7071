package synth

import (
	"slices"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

// history assesses the application at each date its facts changed — registration, each
// medical decision, each birth, each pregnancy becoming countable, a housing debt, and the
// snapshot date — and records the band spells banding.Transition gives. debtOn, when set,
// is the day a housing debt was recorded: before it the household had no debt.
//
// It also returns the assessment on the snapshot date (nil if it failed).
func (g *gen) history(a *register.Application, debtOn register.Date) ([]register.BandSpell, *banding.Assessment) {
	type event struct {
		on     register.Date
		reason string
	}
	events := []event{{a.Registered, "registration"}}
	later := func(d register.Date, reason string) {
		if d > a.Registered && d < g.asOf {
			events = append(events, event{d, reason})
		}
	}
	for _, m := range a.Medical {
		if !m.Pending() {
			later(m.Assessed, "medical assessment")
		}
	}
	for i, m := range a.Members {
		if i > 0 {
			later(m.Born, "birth")
		}
		if !m.PregnancyDue.IsZero() {
			later(m.PregnancyDue.AddDays(-7*g.p.Bedrooms.PregnancyWeeks), "pregnancy confirmed")
		}
	}
	if !debtOn.IsZero() {
		later(debtOn, "housing debt recorded")
	}
	events = append(events, event{g.asOf, "review"})
	slices.SortStableFunc(events, func(x, y event) int { return int(x.on - y.on) })

	var hist []register.BandSpell
	var last *banding.Assessment
	view := *a
	for _, e := range events {
		view.Members = a.Members
		if hasBornAfter(a.Members, e.on) {
			view.Members = bornBy(a.Members, e.on)
		}
		view.Debt = a.Debt
		if !debtOn.IsZero() && e.on < debtOn {
			view.Debt = register.HousingDebt{}
		}
		as, err := banding.Assess(&view, g.p, e.on)
		if err != nil {
			continue // cannot happen for generated facts; the tests assess every application
		}
		if e.on == g.asOf {
			last = &as
		}
		reason := e.reason
		if len(as.Criteria) > 0 && as.Band != register.NoBand {
			for _, c := range as.Criteria {
				if c.Band == as.Band {
					reason += ": " + c.ID
					break
				}
			}
		} else if len(as.NotQualifying) > 0 {
			reason += ": " + as.NotQualifying[0].Code
		}
		hist, _ = banding.Transition(hist, a.Registered, a.Overrides,
			banding.Change{Band: as.Band, On: e.on, Reason: reason, By: "synthetic"}, &g.p.EffectiveDate)
	}
	return hist, last
}

func hasBornAfter(ms []register.Member, d register.Date) bool {
	for _, m := range ms[1:] {
		if m.Born > d {
			return true
		}
	}
	return false
}

// bornBy is the household on day d: members born after d had not joined it yet.
func bornBy(ms []register.Member, d register.Date) []register.Member {
	out := make([]register.Member, 0, len(ms))
	for i, m := range ms {
		if i == 0 || m.Born <= d {
			out = append(out, m)
		}
	}
	return out
}
