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

// TestS3_5_OverridesAndStatusThroughTheCLI: an officer sets a band and an effective date,
// ends the set band (the application is re-assessed), cancels the application and
// reinstates it — each a decision in the record, the register written back, the audit
// clean. A cancel without a reason is refused before anything is written.
func TestS3_5_OverridesAndStatusThroughTheCLI(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	var app int64
	for _, a := range w.snap.Applications {
		if h := a.History; a.Status == register.StatusActive && len(h) > 0 && h[len(h)-1].Band == register.BandD {
			app = a.ID
			break
		}
	}
	require.NotZero(t, app, "an active Band D application")
	id := idArg(app)
	w.decide("override", "band", id, "--band", "A", "--reason", "fleeing violence")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM band_history WHERE application = $1 AND to_date IS NULL AND band = 'A'`, app))
	w.decide("override", "date", id, "--effective", "2024-03-01", "--reason", "date of the first application")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM band_history WHERE application = $1 AND to_date IS NULL
		AND effective = '2024-03-01'`, app))
	w.decide("override", "clear", id, "--subject", "band", "--reason", "circumstances resolved")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM overrides WHERE application = $1 AND kind = 'set_band' AND removed_on IS NOT NULL`, app))
	require.Zero(t, w.count(`SELECT count(*) FROM band_history WHERE application = $1 AND to_date IS NULL AND band = 'A'`, app),
		"re-assessed: back to the band its facts give")
	code, _, errOut := w.cbl("application", "cancel", id)
	require.Equal(t, 2, code, errOut)
	w.decide("application", "cancel", id, "--reason", "moved out of the area")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM applications WHERE id = $1 AND status = 'closed'`, app))
	w.decide("application", "reinstate", id, "--reason", "came back")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM applications WHERE id = $1 AND status = 'active'`, app))
	code, _, errOut = w.cbl("decisions", "verify")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 5, w.count(`SELECT count(*) FROM decisions WHERE application = $1`, app))
}
