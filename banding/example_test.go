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
