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
// It also returns the assessment on the snapshot date (ok false if it failed).
func (g *gen) history(a *register.Application, debtOn register.Date) (hist []register.BandSpell, last banding.Assessment, ok bool) {
	type event struct {
		on     register.Date
		reason string
	}
	var buf [8]event
	events := append(buf[:0], event{a.Registered, "registration"})
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

	// A household of adults whose facts never changed holds one band throughout: assess
	// it once, on the snapshot date. (Under nn-2021 adults' ages do not move bands.)
	if len(events) == 2 && debtOn.IsZero() && adultsOnly(a.Members) {
		events = append(events[:0], event{a.Registered, "registration"})
	}
	view := *a
	for _, e := range events {
		on := e.on
		if len(events) == 1 {
			on = g.asOf
		}
		view.Members = a.Members
		if hasBornAfter(a.Members, on) {
			view.Members = bornBy(a.Members, on)
		}
		view.Debt = a.Debt
		if !debtOn.IsZero() && on < debtOn {
			view.Debt = register.HousingDebt{}
		}
		as, err := banding.Assess(&view, g.p, on)
		if err != nil {
			continue // cannot happen for generated facts; the tests assess every application
		}
		if on == g.asOf {
			last, ok = as, true
		}
		why := ""
		if len(as.Criteria) > 0 && as.Band != register.NoBand {
			for _, c := range as.Criteria {
				if c.Band == as.Band {
					why = c.ID
					break
				}
			}
		} else if len(as.NotQualifying) > 0 {
			why = as.NotQualifying[0].Code
		}
		reason := g.reason(e.reason, why)
		hist, _ = banding.Transition(hist, a.Registered, a.Overrides,
			banding.Change{Band: as.Band, On: e.on, Reason: reason, By: "synthetic"}, &g.p.EffectiveDate)
	}
	return hist, last, ok
}

// adultsOnly reports whether the household is an applicant and partner with no pregnancy.
func adultsOnly(ms []register.Member) bool {
	for i, m := range ms {
		if !m.PregnancyDue.IsZero() || (i > 0 && m.Relationship != register.RelPartner) {
			return false
		}
	}
	return true
}

// eventLabels are the reasons history gives for a reassessment.
var eventLabels = []string{"registration", "medical assessment", "birth", "pregnancy confirmed", "housing debt recorded", "review"}

// reasons precomputes "event: criterion" strings so that history does not allocate them.
func reasons(g *gen) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, e := range eventLabels {
		m := map[string]string{"": e}
		for _, c := range g.p.Criteria {
			m[c.ID] = e + ": " + c.ID
		}
		for _, q := range g.p.Qualification.Rules {
			m[q.Code] = e + ": " + q.Code
		}
		if c := g.p.Qualification.NoNeedCode; c != "" {
			m[c] = e + ": " + c
		}
		out[e] = m
	}
	return out
}

func (g *gen) reason(event, why string) string {
	if s, ok := g.reasons[event][why]; ok {
		return s
	}
	if why == "" {
		return event
	}
	return event + ": " + why
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
