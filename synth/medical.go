package synth

import (
	"math/rand/v2"
	"slices"

	"github.com/cbl-lettings/cbl/register"
)

var conditionNames = []string{
	"arthritis", "asthma", "COPD", "heart condition", "mental health", "mobility impairment",
	"epilepsy", "diabetes", "sight loss", "back injury", "learning disability", "autism",
}

// medicalLevelRank orders levels from none (0) to most severe.
var medicalLevelRank = map[string]int{"": 0, "low": 1, "medium": 2, "high": 3, "urgent": 4}

// lowerLevel is a medical level below the target band's own medical criterion, for a
// second criterion that does not change the band ("" for Band E: no medical need there).
func lowerLevel(r *rand.Rand, target register.Band) string {
	switch target {
	case register.BandA:
		return [...]string{"low", "medium", "high"}[r.IntN(3)]
	case register.BandB:
		return [...]string{"low", "medium"}[r.IntN(2)]
	case register.BandC, register.BandD:
		return "low"
	}
	return ""
}

// medicalID numbers an application's k-th medical assessment (k from 1) so that ids are
// unique across the register and read as the application's: application 7's are 701, 702…
func medicalID(app int64, k int) int64 { return app*100 + int64(k) }

// medicalAssessment scores conditions so the total lands in the level's points range.
func (g *gen) medicalAssessment(r *rand.Rand, id int64, level string, registered register.Date) register.MedicalAssessment {
	rng, ok := g.medical[level]
	if !ok {
		rng = [2]int{1, g.p.Medical.Cap}
	}
	m := &g.p.Medical
	var conds []register.Condition
	for try := 0; ; try++ {
		conds = conds[:0]
		sum := 0
		for n := 1 + r.IntN(3); n > 0; n-- {
			c := register.Condition{
				Name:     conditionNames[r.IntN(len(conditionNames))],
				Severity: 1 + r.IntN(m.MaxSeverity),
				Impact:   1 + r.IntN(m.MaxImpact),
			}
			conds = append(conds, c)
			sum += c.Severity * c.Impact * m.PointsPerUnit
		}
		if pts := min(sum, m.Cap); pts >= rng[0] && pts <= rng[1] {
			break
		}
		if try == 50 { // a single condition at the level's floor always fits
			conds = []register.Condition{singleCondition(r, rng, m.MaxSeverity, m.MaxImpact, m.PointsPerUnit)}
			break
		}
	}
	ma := register.MedicalAssessment{ID: id, Requested: registered, Assessed: registered, Assessor: "synthetic", Conditions: slices.Clone(conds)}
	if chance(r, g.cfg.Register.LateMedicalShare) {
		span := int(g.asOf-registered) - 30
		if span > 0 {
			ma.Requested = registered.AddDays(r.IntN(span))
			ma.Assessed = ma.Requested.AddDays(7 + r.IntN(22))
		}
	}
	if medicalLevelRank[level] >= 3 && chance(r, 0.3) {
		ma.Restrictions.GroundFloorOrLift = true
	}
	return ma
}

func singleCondition(r *rand.Rand, rng [2]int, maxSev, maxImp, per int) register.Condition {
	for s := 1; s <= maxSev; s++ {
		for i := 1; i <= maxImp; i++ {
			if p := s * i * per; p >= rng[0] && p <= rng[1] {
				return register.Condition{Name: conditionNames[r.IntN(len(conditionNames))], Severity: s, Impact: i}
			}
		}
	}
	return register.Condition{Name: conditionNames[0], Severity: maxSev, Impact: maxImp}
}
