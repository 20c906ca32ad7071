package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Times print in Europe/London in every format: a summer instant shows +01:00 in JSON
// as in the table, and the rows given are not changed.
func TestPrintRows_TimesInLondon(t *testing.T) {
	t.Parallel()
	type row struct {
		At   time.Time  `json:"at"`
		Seen *time.Time `json:"seen"`
		None *time.Time `json:"none"`
	}
	at := time.Date(2025, 7, 1, 8, 30, 0, 0, time.UTC)
	rows := []row{{At: at, Seen: &at}}
	for format, want := range map[string]string{
		"json":  "[\n  {\n    \"at\": \"2025-07-01T09:30:00+01:00\",\n    \"seen\": \"2025-07-01T09:30:00+01:00\",\n    \"none\": null\n  }\n]\n",
		"csv":   "at,seen,none\n2025-07-01T09:30:00+01:00,2025-07-01T09:30:00+01:00,\n",
		"table": "at                         seen                       none\n2025-07-01T09:30:00+01:00  2025-07-01T09:30:00+01:00  \n",
	} {
		var out bytes.Buffer
		app := &App{Stdout: &out, Output: format}
		require.NoError(t, app.PrintRows(rows))
		require.Equal(t, want, out.String(), format)
	}
	require.Equal(t, time.UTC, rows[0].At.Location())
	require.Equal(t, time.UTC, rows[0].Seen.Location())
}
