package synth

import (
	"math/rand/v2"
	"slices"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/shopspring/decimal"
)

// Kinds of change of circumstances (Behaviour.ChangeKinds keys).
const (
	ChangeMedical  = "medical"   // a new medical assessment is decided
	ChangeBirth    = "birth"     // a baby is born (a recorded pregnancy ends)
	ChangeHomeless = "homeless"  // the council accepts a relief or main homelessness duty
	ChangeResolved = "resolved"  // a need eases: sharing ends, repairs done, duty ends, a bigger home
	ChangeDebt     = "debt"      // housing debt is recorded (the application stops qualifying)
	ChangeArea     = "move_area" // the household moves to another autobid area
)

// Leavers returns, in register order, the ids of the applications that leave the
// register in [from, to) for reasons of their own (housed elsewhere, moved away,
// withdrew): each application not already closed leaves with probability
// Behaviour.LeaversPerMonthPercent a month. Lets made by the engine are on top of these.
func Leavers(cfg Config, apps []register.Application, from, to register.Date) []int64 {
	months := float64(to-from) / 30.44
	p := 1 - pow1m(cfg.Behaviour.LeaversPerMonthPercent/100, months)
	r := newRand(cfg.Seed, streamLeavers, uint64(from))
	var out []int64
	for i := range apps {
		if apps[i].Status != register.StatusClosed && r.Float64() < p {
			out = append(out, apps[i].ID)
		}
	}
	return out
}

// pow1m is (1-q)^m, the chance of surviving m months at a monthly rate q.
func pow1m(q, m float64) float64 {
	if q <= 0 || m <= 0 {
		return 1
	}
	out := 1.0
	for ; m >= 1; m-- {
		out *= 1 - q
	}
	return out * (1 - q*m)
}

// ChangeCircumstances draws the changes of circumstances of [from, to): each active or
// suspended application changes with probability Behaviour.ChangesPerMonth a month, on a
// day drawn in the window, of a kind drawn from Behaviour.ChangeKinds. It returns the
// changed applications as copies (apps is not modified), each with its new facts and its
// band history moved on by banding.Transition on the day of the change, as the
// effective-date rules of p say (S3).
func ChangeCircumstances(cfg Config, p *policy.Policy, apps []register.Application, from, to register.Date) ([]register.Application, error) {
	cfg.AsOf = to
	g, err := newGen(&cfg, p)
	if err != nil {
		return nil, err
	}
	if to <= from {
		return nil, nil
	}
	kinds := newTable(cfg.Behaviour.ChangeKinds)
	pChange := 1 - pow1m(cfg.Behaviour.ChangesPerMonth, float64(to-from)/30.44)
	n := len(apps)
	chunks := (n + chunkSize - 1) / chunkSize
	out := make([][]register.Application, chunks)
	parallel(chunks, func(k int) {
		r := newRand(cfg.Seed, streamChanges, uint64(from)<<20|uint64(k))
		for i := k * chunkSize; i < min(n, (k+1)*chunkSize); i++ {
			if c, ok := g.changeOne(r, &kinds, pChange, &apps[i], from, to); ok {
				out[k] = append(out[k], c)
			}
		}
	})
	var changed []register.Application
	for _, cs := range out {
		changed = append(changed, cs...)
	}
	return changed, nil
}

// Changer is ChangeCircumstances for one application at a time, with the generator
// built once: the simulator decides itself who changes and when, and calls it for each
// changed household, where building the generator per call was most of the cost. A
// Changer is not safe for concurrent use.
type Changer struct {
	cfg   Config
	g     *gen
	kinds table
}

// NewChanger returns a Changer drawing with cfg's rates in p.
func NewChanger(cfg Config, p *policy.Policy) (*Changer, error) {
	c := &Changer{cfg: cfg}
	var err error
	if c.g, err = newGen(&c.cfg, p); err != nil {
		return nil, err
	}
	c.kinds = newTable(cfg.Behaviour.ChangeKinds)
	return c, nil
}

// Change returns what ChangeCircumstances(cfg with Seed seed, p, {*a}, from, to) would:
// a's change, if it has one, and whether it has.
func (c *Changer) Change(seed uint64, a *register.Application, from, to register.Date) (register.Application, bool) {
	if to <= from {
		return register.Application{}, false
	}
	c.cfg.Seed, c.cfg.AsOf, c.g.asOf = seed, to, to
	pChange := 1 - pow1m(c.cfg.Behaviour.ChangesPerMonth, float64(to-from)/30.44)
	return c.g.changeOne(newRand(seed, streamChanges, uint64(from)<<20), &c.kinds, pChange, a, from, to)
}

// changeOne draws whether a changes in [from, to) with probability pChange and, if it
// does, returns the changed copy with its band history moved on.
func (g *gen) changeOne(r *rand.Rand, kinds *table, pChange float64, a *register.Application, from, to register.Date) (register.Application, bool) {
	p := g.p
	if a.Status != register.StatusActive && a.Status != register.StatusSuspended {
		return register.Application{}, false
	}
	if r.Float64() >= pChange {
		return register.Application{}, false
	}
	on := from.AddDays(r.IntN(int(to - from)))
	if on < a.Registered {
		return register.Application{}, false
	}
	c := clone(a)
	kind := g.change(r, &c, kinds.draw(r), on)
	as, err := banding.Assess(&c, p, on)
	if err != nil {
		return register.Application{}, false // a change that cannot be assessed is not made
	}
	why := ""
	for _, m := range as.Criteria {
		if m.Band == as.Band {
			why = m.ID
			break
		}
	}
	if !as.Qualifies && len(as.NotQualifying) > 0 {
		why = as.NotQualifying[0].Code
	}
	c.History, _ = banding.Transition(c.History, c.Registered, c.Overrides,
		banding.Change{Band: as.Band, On: on, Reason: g.reason("change: "+kind, why), By: "synthetic"}, &p.EffectiveDate)
	return c, true
}

// clone copies a with its own slices, so changes never reach the caller's register.
func clone(a *register.Application) register.Application {
	c := *a
	c.Members = slices.Clone(a.Members)
	c.Medical = slices.Clone(a.Medical)
	c.History = slices.Clone(a.History)
	c.Connection.LegalAgreementAreas = slices.Clone(a.Connection.LegalAgreementAreas)
	return c
}

// change applies one change of kind to a on day on and returns the kind made (a kind
// that does not fit the household becomes a medical assessment).
func (g *gen) change(r *rand.Rand, a *register.Application, kind string, on register.Date) string {
	switch kind {
	case ChangeBirth:
		for i := range a.Members {
			if !a.Members[i].PregnancyDue.IsZero() {
				a.Members[i].PregnancyDue = 0
				a.Members = append(a.Members, register.Member{Born: on, Sex: sexOf(r, 0.5), Relationship: register.RelChild})
				return kind
			}
		}
		if a.Members[0].Sex == register.Female && on.YearsSince(a.Members[0].Born) < 45 && len(a.Members) > 1 {
			a.Members = append(a.Members, register.Member{Born: on, Sex: sexOf(r, 0.5), Relationship: register.RelChild})
			return kind
		}
	case ChangeHomeless:
		if a.Flags.HomelessDuty != register.DutyMain {
			if chance(r, 0.3) {
				a.Flags.HomelessDuty, a.Home.Tenure = register.DutyMain, register.TenureTemporary
			} else {
				a.Flags.HomelessDuty = register.DutyRelief
			}
			return kind
		}
	case ChangeResolved:
		switch {
		case a.Home.SharingFacilities:
			a.Home.SharingFacilities = false
			return kind
		case a.Home.Disrepair:
			a.Home.Disrepair = false
			return kind
		case a.Flags.HomelessDuty != register.DutyNone:
			a.Flags.HomelessDuty = register.DutyNone
			a.Home.Tenure = register.TenurePrivate
			return kind
		}
		bd := banding.BedroomNeed(a.Members, &g.p.Bedrooms, on)
		if a.Home.Bedrooms < bd.Need {
			a.Home.Bedrooms, a.Home.Tenure = bd.Need, register.TenurePrivate
			return kind
		}
	case ChangeDebt:
		a.Debt = register.HousingDebt{Amount: decimal.New(int64(200+r.IntN(2800))*100, -2), LastOwed: on}
		return kind
	case ChangeArea:
		if len(g.areas.keys) > 1 {
			i := indexOf(g.areas.keys, a.Area)
			a.Area = g.areas.keys[(max(i, 0)+1+r.IntN(len(g.areas.keys)-1))%len(g.areas.keys)]
			return kind
		}
	}
	level := [...]string{"low", "low", "medium", "medium", "high", "urgent"}[r.IntN(6)]
	id := medicalID(a.ID, 1)
	for _, m := range a.Medical {
		id = max(id, m.ID+1)
	}
	ma := g.medicalAssessment(r, id, level, on)
	ma.Requested, ma.Assessed = on.AddDays(-14), on
	a.Medical = append(a.Medical, ma)
	return ChangeMedical
}
