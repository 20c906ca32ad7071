package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// TestMigrateStatus: every migration pending on an empty database, every one ok with
// when it was applied after cbl migrate, and a file changed after it was applied shown
// as a mismatch, with exit status 1 and what to do.
func TestMigrateStatus(t *testing.T) {
	t.Parallel()
	dsn := pgtest.EmptyDSN(t)
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	status := func(wantCode int) ([][]string, string) {
		t.Helper()
		code, out, errOut := run(t, "--dsn", dsn, "-o", "csv", "migrate", "status")
		require.Equal(t, wantCode, code, errOut)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Equal(t, "version,migration,applied_at,checksum", lines[0])
		var rows [][]string
		for _, l := range lines[1:] {
			rows = append(rows, strings.Split(l, ","))
		}
		require.Len(t, rows, len(ms))
		return rows, errOut
	}

	rows, errOut := status(0)
	for i, m := range ms {
		require.Equal(t, []string{fmt.Sprint(m.Version), m.Name, "", "pending"}, rows[i])
	}
	require.Contains(t, errOut, fmt.Sprintf("%d migration(s) pending: run cbl migrate", len(ms)))
	// Typed JSON: the version a number, a pending migration's applied_at null.
	_, out, _ := run(t, "--dsn", dsn, "-o", "json", "migrate", "status")
	var typed []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &typed))
	require.Len(t, typed, len(ms))
	require.Equal(t, map[string]any{"version": float64(ms[0].Version), "migration": ms[0].Name, "applied_at": nil,
		"checksum": "pending"}, typed[0])

	mustRun(t, "--dsn", dsn, "migrate")
	rows, errOut = status(0)
	for i, m := range ms {
		require.Equal(t, []string{fmt.Sprint(m.Version), m.Name}, rows[i][:2])
		// RFC 3339 in Europe/London, as every time cbl prints.
		require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+01:00)$`, rows[i][2])
		require.Equal(t, "ok", rows[i][3], m.Name)
	}
	require.Empty(t, errOut)

	// The database records another checksum for migration 2: as if its file had been
	// edited after it was applied.
	_, err = openDSN(t, dsn).Exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2`)
	require.NoError(t, err)
	rows, errOut = status(1)
	require.Equal(t, "mismatch", rows[1][3])
	require.Equal(t, "ok", rows[0][3])
	require.Contains(t, errOut, "a migration was changed after it was applied: "+ms[1].Name)
	require.Contains(t, errOut, "restore the file")

	code, _, errOut := run(t, "--dsn", dsn, "migrate")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "changed after it was applied")
}

// TestNewerDatabase_EveryCommandRefuses: a database migrated by a newer cbl (it has had
// a migration this one does not embed) is refused by every command that opens it,
// saying so, and nothing is written.
func TestNewerDatabase_EveryCommandRefuses(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", smallDir)
	db := openDSN(t, dsn)
	_, err := db.Exec(`INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_from_the_future.sql', 'x')`)
	require.NoError(t, err)
	before := registerRows(t, db)

	for _, args := range [][]string{
		{"migrate"},
		{"import", "--replace", smallDir},
		{"export", t.TempDir()},
		{"assess", "--dry-run"},
		{"assess"},
		{"cycle", "close", "42"},
		{"shortlist", "show", "7001"},
		{"feedback"},
		{"queue"},
		{"explain", "1002"},
		{"decisions"},
		{"offer", "verify", "7001", "1001"},
		{"bid", "place", "7001", "1001"},
		{"bid", "withdraw", "7001", "1001"},
		{"autobid", "exclude", "7001", "1001", "--reason", "r"},
		{"autobid", "list"},
		{"simulate", "--weeks", "1"},
	} {
		code, _, errOut := run(t, append([]string{"--dsn", dsn}, args...)...)
		require.Equal(t, 1, code, "cbl %s: %s", strings.Join(args, " "), errOut)
		require.Contains(t, errOut, "database schema is newer than this cbl", "cbl %s", strings.Join(args, " "))
		require.Contains(t, errOut, "9999_from_the_future.sql", "cbl %s", strings.Join(args, " "))
	}
	require.Equal(t, before, registerRows(t, db))

	code, out, errOut := run(t, "--dsn", dsn, "-o", "csv", "migrate", "status")
	require.Equal(t, 1, code)
	require.Contains(t, out, "9999,9999_from_the_future.sql,")
	require.True(t, strings.HasSuffix(strings.TrimSpace(out), ",unknown"), out)
	require.Contains(t, errOut, "newer than this cbl")
}
