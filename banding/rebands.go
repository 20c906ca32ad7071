package banding

import (
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Reband is one application whose band changes on re-assessment: the open spell before
// and after (a zero spell: no band), the criteria met, and the new band history.
type Reband struct {
	Application int64
	Old, New    register.BandSpell
	Criteria    []string // ids of the criteria met (or the qualification codes failed)
	History     []register.BandSpell
}

// Rebands re-assesses apps under p as on asOf (Assess) and returns those whose
// band changes, or whose in-force officer-set effective date is not the one held, with the band history Transition gives under the policy's
// effective-date rules (S3.1–S3.4), in application order. It writes nothing.
func Rebands(apps []register.Application, p *policy.Policy, asOf register.Date, by string) ([]Reband, error) {
	var out []Reband
	for i := range apps {
		a := &apps[i]
		as, err := Assess(a, p, asOf)
		if err != nil {
			return nil, err
		}
		old, _ := Current(a.History)
		if as.Band == old.Band {
			// The same band is a change only when an officer's in-force effective date
			// (S3.5) is not the one held: it takes effect at the next close whether or
			// not the band moves.
			if o := activeOverride(a.Overrides, register.OverrideSetEffective, asOf); o == nil || o.Effective == old.Effective {
				continue
			}
		}
		hist, now := Transition(a.History, a.Registered, a.Overrides,
			Change{Band: as.Band, On: asOf, Reason: ReassessReason(p), By: by}, &p.EffectiveDate)
		r := Reband{Application: a.ID, Old: old, New: now, History: hist}
		for _, m := range as.Criteria {
			r.Criteria = append(r.Criteria, m.ID)
		}
		for _, q := range as.NotQualifying {
			r.Criteria = append(r.Criteria, q.Code)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReassessReason is the reason a reassessment's band spell records.
func ReassessReason(p *policy.Policy) string { return "reassessment under " + p.Name() }
