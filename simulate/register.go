package simulate

import (
	"fmt"
	"math"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
)

// By is the actor the simulator records in band history.
const By = "simulate"

// reband records in a's band history its band under p on day on (banding.Assess, then
// banding.Transition with p's effective-date rules).
func reband(a *register.Application, p *policy.Policy, on register.Date, why string) (banding.Assessment, error) {
	as, err := banding.Assess(a, p, on)
	if err != nil {
		return as, fmt.Errorf("simulate: application %d: %w", a.ID, err)
	}
	band := as.Band
	if !as.Qualifies {
		band = register.NoBand
	}
	a.History, _ = banding.Transition(a.History, a.Registered, a.Overrides,
		banding.Change{Band: band, On: on, Reason: why, By: By}, &p.EffectiveDate)
	return as, nil
}

// remapArea moves a household whose autobid area p does not have (the review splits
// East Northamptonshire in two) to one of p's areas that holds its old area's
// localities (in the geography policy), chosen by a draw keyed by the application, so
// the same household lands in the same new area in every run.
func remapArea(a *register.Application, geo, p *policy.Policy, seed uint64) {
	for _, ar := range p.Bidding.AutobidAreas {
		if ar.ID == a.Area {
			return
		}
	}
	if id := p.Bidding.AreaOf(a.Area); id != "" { // a locality
		a.Area = id
		return
	}
	var cands []string
	for _, ar := range geo.Bidding.AutobidAreas {
		if ar.ID != a.Area {
			continue
		}
		for _, l := range ar.Localities {
			if id := p.Bidding.AreaOf(l); id != "" {
				cands = append(cands, id)
			}
		}
	}
	if len(cands) > 0 {
		a.Area = cands[int(unit(key(seed, drawArea, a.ID))*float64(len(cands)))]
	}
}

// perWeek converts a monthly probability to a weekly one.
func perWeek(monthly float64) float64 {
	if monthly <= 0 {
		return 0
	}
	return 1 - math.Pow(1-min(monthly, 1), 7/30.44)
}

// newChanger returns the change-of-circumstances model of a run: synth's, with every
// call a change (the simulator has decided who changes), drawn in the geography policy.
func newChanger(cfg synth.Config, geo *policy.Policy, start register.Date) (*synth.Changer, error) {
	cfg.Behaviour.ChangesPerMonth = 1
	cfg.AsOf = start // each change sets its own
	return synth.NewChanger(cfg, geo)
}

// change draws application a's change of circumstances through synth's model, with a
// seed keyed by (seed, cycle, application) so the household changes the same way under
// every policy; the facts are drawn in the geography policy, and the band history moves
// on under p on day on.
func change(ch *synth.Changer, geo, p *policy.Policy, seed uint64, cycle int64, a *register.Application,
	on register.Date) (register.Application, bool, error) {
	c, ok := ch.Change(key(seed, drawChangeSeed, cycle, a.ID), a, on-31, on+1)
	if !ok {
		return register.Application{}, false, nil
	}
	c.History = a.History
	remapArea(&c, geo, p, seed)
	if _, err := reband(&c, p, on, "change of circumstances"); err != nil {
		return register.Application{}, false, err
	}
	return c, true, nil
}
