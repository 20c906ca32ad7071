package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDemo_PrintsFeedbackAndRepeats(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "demo", "--seed", "3")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "Applications  7000")
	require.Contains(t, out, "Shortlists (top 5 of each advert)")
	require.Contains(t, out, "\nFeedback\nadvert  locality")
	require.Contains(t, out, "days_to_offer")

	_, again, _ := run(t, "demo", "--seed", "3")
	require.Equal(t, out, again, "the same seed prints the same demo")
	_, other, _ := run(t, "demo", "--seed", "4")
	require.NotEqual(t, out, other)
}

func TestDemo_Formats(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "demo", "--output", "csv")
	require.Equal(t, 0, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "advert", rows[0][0])
	require.Greater(t, len(rows), 10, "most of the 30 homes are let")

	code, out, errOut = run(t, "demo", "--output", "json", "--policy", "nn-2025-proposed")
	require.Equal(t, 0, code, errOut)
	var v struct {
		Summary struct {
			Policy string         `json:"policy"`
			Bands  map[string]int `json:"bands"`
			Lets   int            `json:"lets"`
		} `json:"summary"`
		Adverts  []json.RawMessage `json:"adverts"`
		Feedback []json.RawMessage `json:"feedback"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, "nn-2025-proposed@1", v.Summary.Policy)
	require.Zero(t, v.Summary.Bands["E"], "the review removes Band E")
	require.Len(t, v.Adverts, 30)
	require.Len(t, v.Feedback, v.Summary.Lets)
}

func TestDemo_UnknownPolicyIsUsageError(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "demo", "--policy", "nn-1999")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "nn-1999")
}
