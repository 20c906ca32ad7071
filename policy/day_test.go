package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// TestPolicy_Day: 00:30 BST on 12 June is still 11 June in UTC. The day is the scheme's
// local date however the moment is written down; only a policy with no time zone (or no
// policy) counts in UTC.
func TestPolicy_Day(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	at := time.Date(2025, 6, 12, 0, 30, 0, 0, london)
	for _, tt := range []time.Time{at, at.UTC(), at.In(time.FixedZone("AEST", 10*3600)), at.In(time.FixedZone("EST", -5*3600))} {
		require.Equal(t, register.MustDate("2025-06-12"), p.Day(tt), tt.String())
	}
	require.Equal(t, register.MustDate("2025-06-12"), p.Day(time.Date(2025, 6, 12, 23, 59, 59, 0, london)))
	winter := time.Date(2025, 12, 12, 0, 30, 0, 0, time.UTC) // GMT: London and UTC agree
	require.Equal(t, register.MustDate("2025-12-12"), p.Day(winter))

	var none *policy.Policy
	require.Equal(t, register.MustDate("2025-06-11"), none.Day(at))
	inCode := &policy.Policy{ID: "in-code"} // built without Parse: no time zone
	require.Equal(t, register.MustDate("2025-06-11"), inCode.Day(at))
}

// TestSet_AtTime picks the version in force on the policy's day of t.
func TestSet_AtTime(t *testing.T) {
	s := policy.Builtins()
	now := time.Date(2025, 6, 11, 23, 30, 0, 0, time.UTC)
	p, err := s.AtTime("nn-2021", now)
	require.NoError(t, err)
	q, err := s.At("nn-2021", p.Day(now))
	require.NoError(t, err)
	require.Same(t, q, p)
	_, err = s.AtTime("nope", now)
	require.ErrorContains(t, err, `no policy "nope"`)
}
