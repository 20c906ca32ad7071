package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBounds_Refused: dates and times outside register's bounds are refused before
// anything is read or written, and the message gives the range (issue 13).
func TestBounds_Refused(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"cycle open in year 9999": {[]string{"cycle", "open", "--at", "9999-12-31"},
			"cbl: --at 9999-12-31T00:00:00Z: want a time from 1900-01-01T00:00:00Z to "},
		"cycle open before 1900": {[]string{"cycle", "open", "--at", "1899-12-31T23:00:00Z"},
			"cbl: --at 1899-12-31T23:00:00Z: want a time from 1900-01-01T00:00:00Z to "},
		"assess as of 2999": {[]string{"assess", "--dry-run", "--register", smallDir, "--as-of", "2999-06-01"},
			"cbl: --as-of 2999-06-01: want a date from 1900-01-01 to "},
		"assess as of year 1": {[]string{"assess", "--as-of", "0001-01-01"},
			"cbl: --as-of 0001-01-01: want a date from 1900-01-01 to "},
	} {
		t.Run(name, func(t *testing.T) {
			// An unreachable server: the refusal comes before any connection.
			code, out, errOut := run(t, append([]string{"--dsn", "host=127.0.0.1 port=1 connect_timeout=1"}, tc.args...)...)
			require.Equal(t, 2, code, errOut)
			require.Empty(t, out)
			require.Contains(t, errOut, tc.want)
		})
	}
}
