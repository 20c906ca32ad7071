package banding_test

import (
	"fmt"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// A family of three in a one-bedroom private let, with a child whose asthma the damp
// home makes worse, assessed under the scheme in force.
func ExampleAssess() {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	app := register.Application{
		ID:         1042,
		Registered: register.MustDate("2024-02-12"),
		Status:     register.StatusActive,
		Members: []register.Member{
			{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1991-05-03")},
			{Relationship: register.RelChild, Sex: register.Male, Born: register.MustDate("2013-09-30")},
			{Relationship: register.RelChild, Sex: register.Female, Born: register.MustDate("2016-04-18")},
		},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenurePrivate},
		Connection: register.LocalConnection{NN: true},
		Area:       "Corby",
		Medical: []register.MedicalAssessment{{
			ID: 1, Requested: register.MustDate("2025-01-06"), Assessed: register.MustDate("2025-02-03"),
			Conditions: []register.Condition{{Name: "asthma (child)", Severity: 2, Impact: 2}},
		}},
	}
	a, err := banding.Assess(&app, p, register.MustDate("2026-11-23"))
	if err != nil {
		panic(err)
	}
	fmt.Println("qualifies:", a.Qualifies, "band:", a.Band)
	for _, m := range a.Criteria {
		fmt.Printf("  %s (band %s, %s): %s\n", m.ID, m.Band, m.Clause, m.Label)
	}
	fmt.Printf("medical: %d points, %s\n", a.Medical.Points, a.Medical.Level)
	fmt.Printf("bedrooms: need %d, have %d, short by %d; may bid for %d\n",
		a.Bedrooms.Need, a.Bedrooms.Current, a.Bedrooms.Shortfall, a.Bedrooms.AllowedMax)
	// Output:
	// qualifies: true band: B
	//   medical_high (band B, S2.5, S4.2): High medical need
	//   overcrowded_two (band B, S2.5, S5.3): Overcrowded: lacking two or more bedrooms
	// medical: 40 points, high
	// bedrooms: need 3, have 1, short by 2; may bid for 3
}

// Band history: a move up takes the date of the move; a move back down restores the
// effective date last held in the lower band (S3 in docs/scheme.md).
func ExampleTransition() {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	registered := register.MustDate("2021-05-10")
	var hist []register.BandSpell
	for _, c := range []banding.Change{
		{Band: register.BandC, On: registered, Reason: "registered"},
		{Band: register.BandB, On: register.MustDate("2025-09-01"), Reason: "medical need"},
		{Band: register.BandC, On: register.MustDate("2026-11-23"), Reason: "medical need ended"},
	} {
		var spell register.BandSpell
		hist, spell = banding.Transition(hist, registered, nil, c, &p.EffectiveDate)
		fmt.Printf("%s: band %s, effective %s (%s)\n", c.On, spell.Band, spell.Effective, c.Reason)
	}
	// Output:
	// 2021-05-10: band C, effective 2021-05-10 (registered)
	// 2025-09-01: band B, effective 2025-09-01 (medical need)
	// 2026-11-23: band C, effective 2021-05-10 (medical need ended)
}

// Explain lays out every rule an assessment checked, for an officer or a letter.
func ExampleExplain() {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	app := register.Application{
		ID: 1001, Registered: register.MustDate("2021-05-10"), Status: register.StatusActive,
		Members:    []register.Member{{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1986-01-01")}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenureFamily},
		Connection: register.LocalConnection{NN: true},
		Area:       "Corby",
	}
	a, err := banding.Assess(&app, p, register.MustDate("2026-11-23"))
	if err != nil {
		panic(err)
	}
	e := banding.Explain(a, p)
	fmt.Println("application", e.Application, "under", e.Policy, "as of", e.AsOf, "- band", e.Band)
	for _, q := range e.Qualification {
		if q.Applies {
			fmt.Println("  fails", q.ID, q.Clause)
		}
	}
	for _, c := range e.Criteria {
		if c.Applies {
			fmt.Printf("  meets %s (band %s, %s)\n", c.ID, c.Band, c.Clause)
		}
	}
	fmt.Println("  checked", len(e.Qualification), "qualification rules and", len(e.Criteria), "criteria")
	// Output:
	// application 1001 under nn-2021@1 as of 2026-11-23 - band D
	//   meets sharing_no_dependants (band D, S2.5)
	//   checked 6 qualification rules and 16 criteria
}
