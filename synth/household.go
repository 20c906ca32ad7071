package synth

import (
	"math/rand/v2"
	"slices"

	"github.com/cbl-lettings/cbl/register"
)

// Household kinds (RegisterMix.Households keys).
const (
	kindSingle       = "single"
	kindCouple       = "couple"
	kindSingleParent = "single_parent"
	kindCoupleFamily = "couple_family"
	kindPregnant     = "pregnant" // a single woman or a couple expecting a first child
	kindAdults       = "adults"   // the applicant (and partner) with adult relatives
)

// bornAged returns a birth date that makes someone age years old on asOf.
func bornAged(r *rand.Rand, asOf register.Date, age int) register.Date {
	return asOf.AddDays(-(age*365 + r.IntN(365)) - age/4)
}

func sexOf(r *rand.Rand, femaleShare float64) register.Sex {
	if chance(r, femaleShare) {
		return register.Female
	}
	return register.Male
}

func other(s register.Sex) register.Sex {
	if s == register.Female {
		return register.Male
	}
	return register.Female
}

// members builds a household of the given kind as it stands on asOf.
func (g *gen) members(r *rand.Rand, kind string) []register.Member {
	mix := &g.cfg.Register
	asOf := g.asOf
	ms := make([]register.Member, 0, 3)
	add := func(age int, sex register.Sex, rel register.Relationship) *register.Member {
		ms = append(ms, register.Member{Born: bornAged(r, asOf, age), Sex: sex, Relationship: rel})
		return &ms[len(ms)-1]
	}
	partner := func(age int, sex register.Sex) {
		pa := max(18, age+r.IntN(9)-4)
		m := add(pa, other(sex), register.RelPartner)
		m.Joint = chance(r, 0.7)
	}
	switch kind {
	case kindSingle, kindCouple:
		age := g.applicantAges.draw(r)
		sex := sexOf(r, mix.FemaleShare)
		add(age, sex, register.RelApplicant)
		if kind == kindCouple {
			partner(max(age, 18), sex)
		}
	case kindPregnant:
		age := min(g.parentAges.draw(r), 42)
		couple := chance(r, 0.5)
		add(age, register.Female, register.RelApplicant)
		if couple {
			partner(age, register.Female)
		}
		ms[0].PregnancyDue = asOf.AddDays(7 + r.IntN(7*23))
	case kindSingleParent, kindCoupleFamily:
		age := g.parentAges.draw(r)
		sex := register.Female
		if kind == kindSingleParent {
			sex = sexOf(r, mix.SingleParentFemaleShare)
		} else {
			sex = sexOf(r, mix.FemaleShare)
		}
		add(age, sex, register.RelApplicant)
		if kind == kindCoupleFamily {
			partner(age, sex)
		}
		n := g.children.drawIndex(r) + 1
		ms = slices.Grow(ms, n+2)
		oldest := min(17, age-16)
		for range n {
			add(r.IntN(oldest+1), sexOf(r, 0.5), register.RelChild)
		}
		if chance(r, mix.FamilyPregnancyShare) && age <= 42 {
			mother := 0
			if ms[0].Sex != register.Female && kind == kindCoupleFamily {
				mother = 1
			}
			if ms[mother].Sex == register.Female {
				ms[mother].PregnancyDue = asOf.AddDays(7 + r.IntN(7*23))
			}
		}
	case kindAdults:
		age := 40 + r.IntN(35)
		sex := sexOf(r, mix.FemaleShare)
		add(age, sex, register.RelApplicant)
		if chance(r, 0.5) {
			partner(age, sex)
		}
		rel := register.RelChild
		adultAge := 18 + r.IntN(min(15, age-36))
		if chance(r, 0.3) {
			rel, adultAge = register.RelOther, 18+r.IntN(60)
		}
		add(adultAge, sexOf(r, 0.5), rel)
	}
	return ms
}
