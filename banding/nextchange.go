package banding

import (
	"math"
	"time"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Never is what NextChange returns for an assessment no date can change.
const Never = register.Date(math.MaxInt32)

// NextChange returns the first day after asOf on which Assess(a, p, day) may differ from
// Assess(a, p, asOf) (AsOf aside) while a itself does not change: the assessment holds
// on every day from asOf up to the day before. It is the earliest of the days on which
// Assess reads the date differently: the main applicant's birthday (the age is a fact),
// another member reaching an age the bedroom rule compares with (p's adult age and
// sharing ages), a pregnancy starting to count, a medical assessment dated later taking
// effect, an override starting or ending, and a month passing since housing debt was
// last owed. It may be earlier than the real change, never later, so a caller that
// keeps an assessment until then (bidding.Assessor) gets what Assess would give.
func NextChange(a *register.Application, p *policy.Policy, asOf register.Date) register.Date {
	next := Never
	soon := func(d register.Date) {
		if d > asOf && d < next {
			next = d
		}
	}
	r := &p.Bedrooms
	for i, mb := range a.Members {
		if i == 0 {
			soon(birthday(mb.Born, asOf.YearsSince(mb.Born)+1))
		} else {
			age := asOf.YearsSince(mb.Born)
			for _, t := range [...]int{r.AdultAge, r.ShareAnySexUnder, r.SameSexGapElderMinAge} {
				if t > age {
					soon(birthday(mb.Born, t))
				}
			}
		}
		if !mb.PregnancyDue.IsZero() {
			soon(mb.PregnancyDue.AddDays(-7 * r.PregnancyWeeks))
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
		soon(nextMonthOf(owed, asOf)) // before owed the months are 0, as they are a day after
	}
	return next
}

// birthday returns the day someone born on born turns age: YearsSince moves a
// 29 February birthday to 1 March in other years, as NewDate normalises it.
func birthday(born register.Date, age int) register.Date {
	y, m, d := born.YMD()
	return register.NewDate(y+age, m, d)
}

// nextMonthOf returns the first day after asOf on which the whole months since owed
// (monthsBetween) move on: owed's day of the month, or the 1st after a month too
// short for it.
func nextMonthOf(owed, asOf register.Date) register.Date {
	_, _, day := owed.YMD()
	y, m, _ := asOf.YMD()
	for k := time.Month(0); ; k++ {
		d := register.NewDate(y, m+k, day)
		_, want, _ := register.NewDate(y, m+k, 1).YMD()
		if _, got, _ := d.YMD(); got != want {
			d = register.NewDate(y, m+k+1, 1) // the month has no such day
		}
		if d > asOf {
			return d
		}
	}
}
