package main

import (
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

// FuzzParseAt feeds the --at parsers (cycle open and bids: parseAt; decisions:
// parseDecisionAt, in the scheme's zone) whatever an officer might type. Neither may
// panic; a bad value is a usage error (exit 2); a time they accept within the bounds,
// written in RFC 3339, reads back as the same instant.
func FuzzParseAt(f *testing.F) {
	for _, s := range []string{"", "2025-11-07", "2025-11-07T10:00:00Z", "2025-11-07T10:00:00.123456789+01:00",
		"2025-04-10T10:00", "2025-04-10T10:00:59", "9999-12-31", "0000-01-01", "2025-13-01", "2025-03-30T01:30",
		"2025-10-26T01:30", "yesterday", "2025-11-07T10:00:00+25:00", "-2025-01-01"} {
		f.Add(s)
	}
	london, err := time.LoadLocation("Europe/London")
	require.NoError(f, err)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		check := func(at time.Time, err error) {
			if err != nil {
				require.Equal(t, 2, ExitCode(err), "%q: %v", s, err)
				return
			}
			if at.Year() < register.MinYear || at.Year() > 9999 {
				// Out of every command's bounds (register.UpTo), and RFC 3339 can show
				// neither five-digit years nor the local mean time offsets (London's
				// -00:01:15) zones had before 1900.
				return
			}
			back, err := time.Parse(time.RFC3339Nano, at.Format(time.RFC3339Nano))
			require.NoError(t, err, "%q gave %v", s, at)
			require.True(t, back.Equal(at), "%q: %v read back as %v", s, at, back)
		}
		check(parseAt(s))
		check(parseDecisionAt(s, london, now))
	})
}
