package banding

import (
	"math"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Never is what NextChange returns for an assessment no date can change.
const Never = register.Date(math.MaxInt32)

// NextChange returns the first day after asOf on which Assess(a, p, day) may differ from
// Assess(a, p, asOf) (AsOf aside) while a itself does not change: the assessment holds
// on every day from asOf up to the day before. It is the earliest of the days on which
// Assess reads the date differently: a member's birthday (ages, bedroom sharing, the
// guarantor age), a pregnancy starting to count, a medical assessment dated later
// taking effect, an override starting or ending, and a month passing since housing debt
// was last owed. It may be earlier than the real change, never later, so a caller that
// keeps an assessment until then (bidding.Assessor) gets what Assess would give.
func NextChange(a *register.Application, p *policy.Policy, asOf register.Date) register.Date {
	next := Never
	soon := func(d register.Date) {
		if d > asOf && d < next {
			next = d
		}
	}
	y, m, _ := asOf.YMD()
	for _, mb := range a.Members {
		soon(nextBirthday(mb.Born, asOf, y))
		if !mb.PregnancyDue.IsZero() {
			soon(mb.PregnancyDue.AddDays(-7 * p.Bedrooms.PregnancyWeeks))
		}
	}
	for i := range a.Medical {
		soon(a.Medical[i].Assessed)
	}
	for i := range a.Overrides {
		soon(a.Overrides[i].On)
		soon(a.Overrides[i].Removed)
	}
	if owed := a.Debt.LastOwed; !owed.IsZero() {
		// The months since owed move on either on owed's day of the month or, in a month
		// too short for it, on the 1st; before owed they are 0, as they are a day after.
		_, _, d := owed.YMD()
		soon(register.NewDate(y, m, d))
		soon(register.NewDate(y, m+1, 1))
	}
	return next
}

// nextBirthday returns the first day after asOf, in year y (asOf's) or the next, on which
// someone born on born is a year older; YearsSince moves a 29 February birthday to
// 1 March in other years, as NewDate normalises it.
func nextBirthday(born, asOf register.Date, y int) register.Date {
	_, m, d := born.YMD()
	if b := register.NewDate(y, m, d); b > asOf {
		return b
	}
	return register.NewDate(y+1, m, d)
}
