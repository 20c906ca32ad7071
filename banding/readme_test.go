package banding_test

import (
	"fmt"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Example_embedding is README.md's "Embedding the library" snippet: this file's
// imports and this function's body, checked equal by TestREADME_EmbeddingSnippet.
func Example_embedding() {
	p, err := policy.Builtin("nn-2021") // or policy.Parse(file, data)
	if err != nil {
		panic(err)
	}
	app := register.Application{
		ID: 1001, Registered: register.MustDate("2021-05-10"), Status: register.StatusActive,
		Members: []register.Member{
			{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1986-01-01")},
			{Relationship: register.RelChild, Sex: register.Male, Born: register.MustDate("2015-03-01")},
		},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenurePrivate},
		Connection: register.LocalConnection{NN: true},
		Area:       "Corby",
	}
	today := register.MustDate("2026-11-23") // from a clock: p.Day(time.Now()), the scheme's date
	a, err := banding.Assess(&app, p, today)
	if err != nil {
		panic(err)
	}
	// a.Qualifies, a.NotQualifying (reason codes), a.Band, a.Criteria (every criterion met,
	// with scheme clauses), a.Medical (points arithmetic), a.Bedrooms (need, pairing, sizes
	// allowed); banding.Explain(a, p) lays out every rule checked, as JSON.
	hist, spell := banding.Transition(app.History, app.Registered, app.Overrides,
		banding.Change{Band: a.Band, On: today, Reason: "re-assessment"}, &p.EffectiveDate)
	app.History = hist
	// spell.Effective is the band effective date under the policy's rules (S3 in docs/scheme.md).
	fmt.Println("band", a.Band, "effective", spell.Effective, "- may bid for", a.Bedrooms.AllowedMin, "to", a.Bedrooms.AllowedMax, "bedrooms")
	// Output:
	// band C effective 2021-05-10 - may bid for 2 to 2 bedrooms
}
