package banding_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// NextChange may be early but never late: on every day from asOf to the day before it,
// Assess gives what it gave on asOf. The register adds to benchRegister's households
// everything that reads the date: pregnancies, medical assessments dated later,
// overrides starting and ending, housing debt on every day of the month (asOf in
// November and in February), birthdays on 29 February and at the turn of the year, and
// children about to reach each age the bedroom rule compares with (10, 16 with a
// sister ten years younger, 18).
func TestNextChange_AssessmentHoldsUntilThen(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	apps := benchRegister(400, 7)
	for i := range apps {
		a := &apps[i]
		soon := func() register.Date { return day.AddDays(1 + r.IntN(200)) }
		switch i % 8 {
		case 0:
			a.Members[0].PregnancyDue = soon().AddDays(120)
		case 1:
			a.Medical = append(a.Medical, register.MedicalAssessment{ID: 1000 + int64(i), Assessed: soon(),
				Conditions: []register.Condition{{Name: "later", Severity: 3, Impact: 3}}})
		case 2:
			a.Overrides = []register.Override{{Kind: register.OverrideSetBand, Band: register.BandA, On: soon(), By: "t"},
				{Kind: register.OverrideWithdrawCriterion, Criterion: "sharing_no_dependants", On: day.AddDays(-5), Removed: soon(), By: "t"}}
		case 3:
			a.Debt = register.HousingDebt{Amount: decimal.NewFromInt(100), LastOwed: day.AddDays(r.IntN(90) - 400)}
		case 4:
			a.Debt = register.HousingDebt{LastOwed: day.AddDays(r.IntN(40))} // owed after asOf
		case 5:
			a.Members[0].Born = register.MustDate("1996-02-29")
		case 6:
			a.Members[0].Born = register.MustDate("1990-01-01")
		case 7:
			near := func(age int) register.Date { return day.AddDays(-(age+1)*365 + 1 + r.IntN(300)) }
			a.Members = append(a.Members[:1],
				register.Member{Relationship: register.RelChild, Sex: register.Female, Born: near(15)},
				register.Member{Relationship: register.RelChild, Sex: register.Female, Born: near(3)},
				register.Member{Relationship: register.RelChild, Sex: register.Male, Born: near(17)},
				register.Member{Relationship: register.RelChild, Sex: register.Male, Born: near(9)},
				register.Member{Relationship: register.RelChild, Sex: register.Female, Born: near(5)})
		}
	}
	feb := register.MustDate("2027-02-01")
	for _, id := range []string{"nn-2021", "nn-2025-proposed"} {
		p := mustPolicy(t, id)
		for i := range apps {
			a := &apps[i]
			for _, asOf := range []register.Date{day.AddDays(i % 40), feb.AddDays(i % 28)} {
				want, err := banding.Assess(a, p, asOf)
				require.NoError(t, err)
				next := banding.NextChange(a, p, asOf)
				require.Greater(t, next, asOf, "application %d", a.ID)
				for d := asOf + 1; d < next && d < asOf+400; d++ {
					got, err := banding.Assess(a, p, d)
					require.NoError(t, err)
					got.AsOf = asOf
					require.Equal(t, want, got, "%s application %d on %s: NextChange said %s", id, a.ID, d, next)
				}
			}
		}
	}
}
