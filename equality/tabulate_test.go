package equality_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

func household(id int64, sex register.Sex, born string, d register.Disability) register.Application {
	return register.Application{ID: id, Registered: register.MustDate("2024-01-01"),
		Members:    []register.Member{{Relationship: register.RelApplicant, Sex: sex, Born: register.MustDate(born)}},
		Monitoring: register.Monitoring{Disability: d}}
}

// Small counts are suppressed (1 to 4 at the default 5), a lone suppressed cell takes the
// next smallest of its column with it, zero is shown, totals never are suppressed, and
// the median wait of a group with fewer lets than the threshold is not shown.
func TestTabulate_Suppression(t *testing.T) {
	var apps []register.Application
	var reg []int64
	for i := range int64(30) {
		d := register.DisabilityNo
		switch {
		case i < 3:
			d = register.DisabilityYes
		case i < 10:
			d = register.DisabilityRefused
		}
		apps = append(apps, household(100+i, register.Female, "1980-05-05", d))
		reg = append(reg, 100+i)
	}
	var lets []equality.Let
	for i := range int64(20) { // 3 disabled, 7 refused, 10 not disabled
		lets = append(lets, equality.Let{Application: 100 + i, On: register.MustDate("2024-01-01").AddDays(int(10 * i))})
	}
	in := &equality.Input{AsOf: register.MustDate("2025-01-01"), Applications: apps, Register: reg, Lets: lets,
		Bids: []int64{999}} // a bidder not among the applications: Not known
	tab, err := equality.Tabulate(in, equality.ByDisability, 5)
	require.NoError(t, err)
	rows := map[string]equality.Row{}
	for _, r := range tab.Rows {
		rows[r.Group] = r
	}
	require.True(t, rows["Disabled"].Lets.Suppressed, "3 lets")
	require.Nil(t, rows["Disabled"].Lets.Count)
	require.Nil(t, rows["Disabled"].MedianWaitDays)
	require.True(t, rows["Prefer not to say"].Lets.Suppressed, "7 lets, the next smallest, so 3 cannot be worked out from the total")
	require.Equal(t, 10, *rows["Not disabled"].Lets.Count)
	require.Equal(t, 50.0, *rows["Not disabled"].Lets.Percent)
	require.Equal(t, 50.0-66.67, *rows["Not disabled"].Lets.VsRegister, "against its 20 of 30 on the register")
	require.Equal(t, 140, *rows["Not disabled"].MedianWaitDays, "waits 100..190 days, lower middle")
	require.Equal(t, 0, *rows[equality.NotKnown].Lets.Count, "zero is shown")
	require.True(t, rows[equality.NotKnown].Bids.Suppressed, "1 bid")
	require.Equal(t, 20, *tab.Total.Lets.Count)
	require.Equal(t, 1, *tab.Total.Bids.Count, "totals are not suppressed")

	none, err := equality.Tabulate(in, equality.ByDisability, 0)
	require.NoError(t, err)
	for _, r := range none.Rows {
		require.False(t, r.Lets.Suppressed || r.Bids.Suppressed)
	}
	_, err = equality.Tabulate(in, "religion", 5)
	require.ErrorContains(t, err, `unknown dimension "religion"`)
}

func TestGroups_AgeAndFlags(t *testing.T) {
	a := household(1, register.Male, "2001-06-01", "")
	on := register.MustDate("2026-05-31")
	require.Equal(t, []string{"Under 25"}, equality.Groups(equality.ByAge, &a, on))
	require.Equal(t, []string{"25-34"}, equality.Groups(equality.ByAge, &a, on+1))
	require.Equal(t, []string{equality.NoneOfThese}, equality.Groups(equality.ByFlag, &a, on))
	a.Flags.ArmedForces, a.Flags.HomelessDuty, a.Home.Tenure = true, register.DutyMain, register.TenureTemporary
	require.Equal(t, []string{equality.FlagArmedForces, equality.FlagHomelessDuty, equality.FlagTemporary},
		equality.Groups(equality.ByFlag, &a, on))
	require.Equal(t, []string{"Male"}, equality.Groups(equality.BySex, &a, on))
	require.Equal(t, []string{equality.NotKnown}, equality.Groups(equality.ByEthnicity, &a, on))
}

func TestCompareLets(t *testing.T) {
	apps := []register.Application{
		household(1, register.Female, "1950-01-01", register.DisabilityYes),
		household(2, register.Male, "1995-01-01", register.DisabilityNo),
	}
	var base, alt []equality.Let
	for i := range 6 {
		base = append(base, equality.Let{Application: 1, On: register.MustDate("2025-01-01").AddDays(i)})
		alt = append(alt, equality.Let{Application: 2, On: register.MustDate("2025-01-01").AddDays(i)})
	}
	alt = append(alt, equality.Let{Application: 1, On: register.MustDate("2025-02-01")})
	c, err := equality.CompareLets(equality.ByDisability, register.MustDate("2025-01-01"), apps, base, alt, 5)
	require.NoError(t, err)
	require.Equal(t, "Disabled", c.Rows[0].Group)
	require.Equal(t, 6, *c.Rows[0].Base.Count)
	require.True(t, c.Rows[0].Alt.Suppressed, "1 let under the alternative")
	require.Nil(t, c.Rows[0].Difference, "a difference with a suppressed side would give it away")
	require.True(t, c.Rows[1].Alt.Suppressed, "6, the next smallest: with the total it would give the 1 away")
	require.Equal(t, 0, *c.Rows[1].Base.Count, "0 is shown")
	require.Equal(t, 1, *c.Total.Difference)
}
