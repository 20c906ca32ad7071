package banding_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

var day = register.MustDate("2026-11-23")

func nn2021(t testing.TB) *policy.Policy {
	t.Helper()
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	return p
}

// single returns a qualifying single applicant aged age with a local connection and no
// housing need yet.
func single(age int) register.Application {
	return register.Application{
		ID: 7, Registered: register.MustDate("2023-03-01"), Status: register.StatusActive,
		Members:    []register.Member{{Relationship: register.RelApplicant, Sex: register.Female, Born: bornAged(day, age)}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenurePrivate},
		Connection: register.LocalConnection{NN: true},
	}
}

func cond(name string, severity, impact int) register.Condition {
	return register.Condition{Name: name, Severity: severity, Impact: impact}
}

func codes(a banding.Assessment) []string {
	var out []string
	for _, r := range a.NotQualifying {
		out = append(out, r.Code)
	}
	return out
}

func TestS1_2_Qualification(t *testing.T) {
	p := nn2021(t)
	withNeed := func(a register.Application) register.Application {
		a.Home.SharingFacilities = true // Band D need, so only qualification rules decide
		return a
	}
	cases := []struct {
		name string
		edit func(*register.Application)
		want []string
	}{
		{"qualifies", func(a *register.Application) {}, nil},
		{"under 16", func(a *register.Application) { a.Members[0].Born = bornAged(day, 15) }, []string{"under_age"}},
		{"16 qualifies (guarantor is a bidding check)", func(a *register.Application) { a.Members[0].Born = bornAged(day, 16) }, nil},
		{"immigration", func(a *register.Application) { a.Flags.ImmigrationIneligible = true }, []string{"immigration_ineligible"}},
		{"homeowner", func(a *register.Application) { a.Home.Homeowner = true }, []string{"homeowner"}},
		{"homeowner, sheltered eligible", func(a *register.Application) { a.Home.Homeowner, a.Flags.ShelteredEligible = true, true }, nil},
		{"homeowner, exceptional circumstances", func(a *register.Application) { a.Home.Homeowner, a.Flags.ExceptionalCircumstances = true, true }, nil},
		{"no local connection", func(a *register.Application) { a.Connection.NN = false }, []string{"no_local_connection"}},
		{"no connection, armed forces exempt", func(a *register.Application) { a.Connection.NN, a.Flags.ArmedForces = false, true }, nil},
		{"no connection, domestic abuse exempt", func(a *register.Application) { a.Connection.NN, a.Flags.DomesticAbuse = false, true }, nil},
		{"no connection, care leaver exempt", func(a *register.Application) { a.Connection.NN, a.Flags.CareLeaver = false, true }, nil},
		{"no connection, Right to Move exempt", func(a *register.Application) { a.Connection.NN, a.Connection.RightToMove = false, true }, nil},
		{"housing debt 4 years ago", func(a *register.Application) {
			a.Debt = register.HousingDebt{Amount: decimal.RequireFromString("350.00"), LastOwed: day.AddMonths(-48)}
		}, []string{"housing_debt"}},
		{"housing debt owed now, no date", func(a *register.Application) { a.Debt.Amount = decimal.RequireFromString("10") }, []string{"housing_debt"}},
		{"housing debt cleared over 5 years ago", func(a *register.Application) { a.Debt = register.HousingDebt{LastOwed: day.AddMonths(-61)} }, nil},
		{"unacceptable behaviour", func(a *register.Application) { a.Flags.UnacceptableBehaviour = true }, []string{"unacceptable_behaviour"}},
		{"several at once", func(a *register.Application) { a.Connection.NN, a.Flags.UnacceptableBehaviour = false, true },
			[]string{"no_local_connection", "unacceptable_behaviour"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := withNeed(single(30))
			c.edit(&a)
			got, err := banding.Assess(&a, p, day)
			require.NoError(t, err)
			require.Equal(t, c.want, codes(got))
			require.Equal(t, c.want == nil, got.Qualifies)
			if !got.Qualifies {
				require.Equal(t, register.NoBand, got.Band, "a non-qualifying application gets a reason code, not a band")
			}
		})
	}
	t.Run("no housing need", func(t *testing.T) {
		a := single(30)
		got, err := banding.Assess(&a, p, day)
		require.NoError(t, err)
		require.Equal(t, []string{"no_housing_need"}, codes(got))
	})
}

func TestS4_2_MedicalPointsToBand(t *testing.T) {
	p := nn2021(t)
	cases := []struct {
		conditions []register.Condition
		points     int
		level      string
		band       register.Band
		criterion  string
	}{
		{[]register.Condition{cond("asthma", 1, 1)}, 10, "low", register.BandD, "medical_low"},
		{[]register.Condition{cond("arthritis", 2, 1)}, 20, "medium", register.BandC, "medical_medium"},
		{[]register.Condition{cond("copd", 2, 2)}, 40, "high", register.BandB, "medical_high"},
		{[]register.Condition{cond("copd", 3, 2), cond("falls", 1, 1)}, 70, "urgent", register.BandA, "medical_urgent"},
		{[]register.Condition{cond("a", 3, 3), cond("b", 3, 3)}, 100, "urgent", register.BandA, "medical_urgent"}, // 180 capped
		{[]register.Condition{cond("eczema", 3, 0)}, 0, "none", register.NoBand, ""},                              // home does not worsen it
	}
	for _, c := range cases {
		a := single(40)
		a.Medical = []register.MedicalAssessment{
			{ID: 1, Requested: day.AddDays(-90), Assessed: day.AddDays(-60), Conditions: []register.Condition{cond("old", 1, 1)}},
			{ID: 2, Requested: day.AddDays(-30), Assessed: day.AddDays(-10), Conditions: c.conditions},
			{ID: 3, Requested: day.AddDays(-5)}, // pending: not used
		}
		got, err := banding.Assess(&a, p, day)
		require.NoError(t, err)
		require.Equal(t, int64(2), got.Medical.Assessment, "the latest completed assessment is used")
		require.Equal(t, c.points, got.Medical.Points)
		require.Equal(t, c.level, got.Medical.Level)
		require.Equal(t, c.band, got.Band)
		sum := 0
		for _, term := range got.Medical.Terms {
			require.Equal(t, term.Severity*term.Impact*10, term.Points)
			sum += term.Points
		}
		require.Equal(t, sum, got.Medical.Sum)
		if c.criterion != "" {
			require.Equal(t, c.criterion, got.Criteria[0].ID)
		}
	}
}

func TestS4_3_ExtraBedroomForCarer(t *testing.T) {
	a := single(40)
	a.Medical = []register.MedicalAssessment{{ID: 1, Requested: day.AddDays(-30), Assessed: day.AddDays(-3),
		Conditions: []register.Condition{cond("ms", 2, 2)}, Restrictions: register.Restrictions{ExtraBedrooms: 1, GroundFloorOrLift: true}}}
	got, err := banding.Assess(&a, nn2021(t), day)
	require.NoError(t, err)
	require.Equal(t, 2, got.Bedrooms.Need)
	require.Equal(t, 1, got.Bedrooms.Shortfall)
	require.True(t, got.Medical.Restrictions.GroundFloorOrLift)
}

func TestS2_2_HighestBandWinsAndAllCriteriaReported(t *testing.T) {
	a := single(30)
	a.Home.SharingFacilities = true          // D
	a.Flags.DomesticAbuse = true             // B
	a.Flags.HomelessDuty = register.DutyMain // A
	got, err := banding.Assess(&a, nn2021(t), day)
	require.NoError(t, err)
	require.Equal(t, register.BandA, got.Band)
	var ids []string
	for _, m := range got.Criteria {
		ids = append(ids, m.ID)
	}
	require.Equal(t, []string{"homeless_main_duty", "domestic_abuse", "sharing_no_dependants"}, ids)
}

func TestS2_4_OfficerOverrides(t *testing.T) {
	p := nn2021(t)
	a := single(30)
	a.Home.SharingFacilities = true // D
	a.Overrides = []register.Override{
		{Kind: register.OverrideAwardCriterion, Criterion: "medical_high", Reason: "GP letter pending upload", By: "officer.jones", On: day.AddDays(-10)},
	}
	got, err := banding.Assess(&a, p, day)
	require.NoError(t, err)
	require.Equal(t, register.BandB, got.Band)
	require.Contains(t, got.Criteria[0].Override, "officer.jones")

	// An override survives re-assessment until removed.
	a.Overrides[0].Removed = day
	got, err = banding.Assess(&a, p, day)
	require.NoError(t, err)
	require.Equal(t, register.BandD, got.Band)

	a.Overrides = []register.Override{{Kind: register.OverrideWithdrawCriterion, Criterion: "sharing_no_dependants", Reason: "not sharing", By: "o", On: day}}
	got, err = banding.Assess(&a, p, day)
	require.NoError(t, err)
	require.Equal(t, []string{"no_housing_need"}, codes(got))

	a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideSetBand, Band: register.BandC, Reason: "exceptional: disability", By: "senior", On: day})
	got, err = banding.Assess(&a, p, day)
	require.NoError(t, err)
	require.True(t, got.Qualifies)
	require.Equal(t, register.BandC, got.Band)
	require.Contains(t, got.BandOverride, "exceptional: disability")
}

func TestAssess_InvalidApplication(t *testing.T) {
	p := nn2021(t)
	a := single(30)
	a.Medical = []register.MedicalAssessment{{ID: 4, Assessed: day, Conditions: []register.Condition{cond("x", 4, 1)}}}
	_, err := banding.Assess(&a, p, day)
	require.ErrorIs(t, err, banding.ErrInvalid)
	require.EqualError(t, err, `application 7: medical[0].conditions[0].severity: "4": must be 0 to 3`)

	a = single(30)
	a.Members[0].Sex = "X"
	_, err = banding.Assess(&a, p, day)
	require.ErrorIs(t, err, banding.ErrInvalid)

	a = register.Application{ID: 9}
	_, err = banding.Assess(&a, p, day)
	require.ErrorIs(t, err, banding.ErrInvalid)
}

func mustPolicy(t testing.TB, id string) *policy.Policy {
	t.Helper()
	p, err := policy.Builtin(id)
	require.NoError(t, err)
	return p
}

// TestS5_4_MedicalExtraBedroomUnderReview: under nn-2025-proposed singles and couples
// bid for one bedroom, but a medical award of an extra bedroom (a carer's room) lifts
// both their need and the size they may bid for: need 2, sizes 2 to 2, not 2 to 1.
func TestS5_4_MedicalExtraBedroomUnderReview(t *testing.T) {
	p, err := policy.Builtin("nn-2025-proposed")
	require.NoError(t, err)
	for _, couple := range []bool{false, true} {
		a := single(40)
		if couple {
			a.Members = append(a.Members, register.Member{Relationship: register.RelPartner, Sex: register.Male, Born: bornAged(day, 42)})
		}
		a.Medical = []register.MedicalAssessment{{ID: 1, Requested: day.AddDays(-30), Assessed: day.AddDays(-3),
			Conditions: []register.Condition{cond("ms", 2, 2)}, Restrictions: register.Restrictions{ExtraBedrooms: 1}}}
		got, err := banding.Assess(&a, p, day)
		require.NoError(t, err)
		require.Equal(t, 2, got.Bedrooms.Need)
		require.Equal(t, []int{2, 2}, []int{got.Bedrooms.AllowedMin, got.Bedrooms.AllowedMax}, "couple %v", couple)
	}
}

// TestS5_4_AssessRefusesEmptySizeRange: a policy built in code (not checked by Parse)
// that leaves a household no size gets an error from Assess, not an empty range.
func TestS5_4_AssessRefusesEmptySizeRange(t *testing.T) {
	p := *nn2021(t)
	p.Bedrooms.Allowed = []policy.BedroomRange{{Households: []string{"single"}, Max: 1}, {}}
	a := single(40)
	a.Medical = []register.MedicalAssessment{{ID: 1, Requested: day.AddDays(-30), Assessed: day.AddDays(-3),
		Conditions: []register.Condition{cond("ms", 2, 2)}, Restrictions: register.Restrictions{ExtraBedrooms: 1}}}
	_, err := banding.Assess(&a, &p, day)
	require.ErrorIs(t, err, banding.ErrNoSizes)
	require.ErrorContains(t, err, "bedrooms.allowed[0] leaves a single household needing 2 bedrooms no size to bid for (sizes 2 to 1)")
}

// TestS5_4_SizesAllowed: the default is exactly the need (families and other adults in
// both shipped policies); nn-2021 lets singles and couples bid one size up, which is what
// the 2025 review's seventh change takes away (nn-2025-proposed: one bedroom only).
func TestS5_4_SizesAllowed(t *testing.T) {
	proposed, err := policy.Builtin("nn-2025-proposed")
	require.NoError(t, err)
	family := single(35)
	family.Members = append(family.Members, register.Member{Relationship: register.RelChild, Sex: register.Male, Born: bornAged(day, 7)})
	couple := single(35)
	couple.Members = append(couple.Members, register.Member{Relationship: register.RelPartner, Sex: register.Male, Born: bornAged(day, 36)})
	cases := []struct {
		name   string
		p      *policy.Policy
		app    register.Application
		lo, hi int
	}{
		{"nn-2021 single: need 1, may bid 1 or 2", nn2021(t), single(35), 1, 2},
		{"nn-2021 couple: need 1, may bid 1 or 2", nn2021(t), couple, 1, 2},
		{"nn-2021 family: exactly the need", nn2021(t), family, 2, 2},
		{"nn-2025-proposed single: one bedroom only", proposed, single(35), 1, 1},
		{"nn-2025-proposed couple: one bedroom only", proposed, couple, 1, 1},
		{"nn-2025-proposed family: exactly the need", proposed, family, 2, 2},
	}
	for _, c := range cases {
		got, err := banding.Assess(&c.app, c.p, day)
		require.NoError(t, err)
		require.Equal(t, []int{c.lo, c.hi}, []int{got.Bedrooms.AllowedMin, got.Bedrooms.AllowedMax}, c.name)
	}
}

// TestS7_4_ExplainShowsAdditionalPreference: the assessment lists the preference met and
// the explanation shows it applying, with its effect.
func TestS7_4_ExplainShowsAdditionalPreference(t *testing.T) {
	a := single(50)
	a.Flags.ArmedForces = true
	a.Home.SharingFacilities = true // Band D
	p := nn2021(t)
	got, err := banding.Assess(&a, p, day)
	require.NoError(t, err)
	require.Equal(t, register.BandD, got.Band)
	pr, ok := got.PreferenceIn(got.Band)
	require.True(t, ok)
	require.Equal(t, "armed_forces", pr.ID)
	_, ok = got.PreferenceIn(register.BandE)
	require.False(t, ok, "Band E is outside the preference")
	e := banding.Explain(got, p)
	require.Len(t, e.Preferences, 1)
	require.True(t, e.Preferences[0].Applies)
	require.Equal(t, "top_of_band", e.Preferences[0].Effect)
	require.Equal(t, map[string]string{"armed_forces": "yes"}, e.Preferences[0].Facts)
}
