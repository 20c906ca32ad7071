package letters_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/letters"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

func TestBandLetter(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	day := register.MustDate("2026-11-23")
	app := register.Application{ID: 5, Registered: register.MustDate("2022-01-10"), Status: register.StatusActive,
		Members:    []register.Member{{Relationship: register.RelApplicant, Sex: register.Male, Born: register.MustDate("1980-01-01")}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenurePrivate},
		Connection: register.LocalConnection{NN: true},
		Medical: []register.MedicalAssessment{{ID: 3, Requested: register.MustDate("2025-01-01"), Assessed: register.MustDate("2025-02-01"),
			Conditions: []register.Condition{{Name: "arthritis", Severity: 2, Impact: 1}}}},
	}
	as, err := banding.Assess(&app, p, day)
	require.NoError(t, err)
	spell := register.BandSpell{Band: as.Band, Effective: register.MustDate("2025-02-01")}
	text := letters.Band(banding.Explain(as, p), spell, &letters.Position{Advert: 88, Position: 4, Of: 40,
		Ahead: map[register.Band]int{register.BandA: 1, register.BandC: 2}})
	for _, want := range []string{
		"You are in Band C.",
		"Medium medical need (Band C, scheme S2.5, S4.2)",
		"scored 20 points (arthritis: 2×1×10), which is a medium medical need",
		"Your band effective date is 2025-02-01",
		"On property 88 you are number 4 of 40 eligible bids. Ahead of you: 1 in Band A, 2 in Band C.",
		"High medical need (Band B)",
	} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "Low medical need", "lower-band criteria would not change the band")

	app.Connection.NN = false
	as, err = banding.Assess(&app, p, day)
	require.NoError(t, err)
	text = letters.Band(banding.Explain(as, p), register.BandSpell{}, nil)
	require.Contains(t, text, "You do not currently qualify")
	require.Contains(t, text, "No local connection to North Northamptonshire")
}
