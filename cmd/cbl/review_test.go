package main

import (
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

// TestS9_4_ReviewAndRenewalThroughTheCLI: an applicant asks for a review of their band;
// the officer changes it to Band A — an officer set_band override and a new band spell in
// the register — and both decisions are in the record. A renewal is recorded too. A
// review decided without reasons is refused before anything is written.
func TestS9_4_ReviewAndRenewalThroughTheCLI(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	var app int64
	for _, a := range w.snap.Applications {
		if cur := a.History; a.Status == register.StatusActive && len(cur) > 0 && cur[len(cur)-1].Band == register.BandC {
			app = a.ID
			break
		}
	}
	require.NotZero(t, app, "an active Band C application")
	id := idArg(app)
	of := register.DateOf(w.clock).String()
	w.decide("review", "request", id, "--subject", "band", "--of", of, "--reason", "overcrowding was missed")
	code, _, errOut := w.cbl("review", "decide", id, "--outcome", "changed", "--band", "A", "--reason", "  ")
	require.Equal(t, 2, code, errOut)
	w.decide("review", "decide", id, "--outcome", "changed", "--band", "A", "--reason", "overcrowded by two bedrooms")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM band_history WHERE application = $1 AND to_date IS NULL AND band = 'A'`, app))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM overrides WHERE application = $1 AND kind = 'set_band' AND band = 'A'`, app))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM reviews WHERE application = $1 AND outcome = 'changed'`, app))
	w.decide("application", "renew", id, "--note", "renewed by phone")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM renewals WHERE application = $1`, app))

	code, out, errOut := w.cbl("-o", "csv", "decisions", "--application", id)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	require.Contains(t, lines[1], ",request_review,,"+id+",")
	require.Contains(t, lines[2], ",decide_review,,"+id+",")
	require.Contains(t, lines[3], ",renew,,"+id+",")
	code, _, errOut = w.cbl("decisions", "verify")
	require.Equal(t, 0, code, errOut)
}
