package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

const (
	smallDir = "../../testdata/snapshot/small"
	badDir   = "../../testdata/snapshot/bad"
)

// run runs cbl with args and returns its exit status, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, &out, &errOut)
	return ExitCode(err), out.String(), errOut.String()
}

func openDSN(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func registerRows(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	total := 0
	for _, tbl := range []string{"applications", "members", "medical_assessments", "medical_conditions",
		"band_history", "overrides", "refusals", "landlords", "cycles", "adverts", "advert_local_lettings",
		"bids", "events"} {
		var n int
		require.NoError(t, db.Get(&n, "SELECT count(*) FROM "+tbl))
		total += n
	}
	return total
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"unknown command":  {"frobnicate"},
		"unknown flag":     {"--frobnicate"},
		"import needs DIR": {"import"},
		"export needs DIR": {"export"},
		"migrate takes no": {"migrate", "extra"},
		"bad output":       {"--output", "xml", "migrate"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := run(t, args...)
			require.Equal(t, 2, code)
			require.Empty(t, out)
			require.Contains(t, errOut, "--help' for usage")
		})
	}
	code, out, _ := run(t, "--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "import")
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	dsn := pgtest.EmptyDSN(t)
	code, out, errOut := run(t, "--dsn", dsn, "--output", "csv", "migrate")
	require.Equal(t, 0, code, errOut)
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	want := "version,migration\n"
	for _, m := range ms {
		want += fmt.Sprintf("%d,%s\n", m.Version, m.Name)
	}
	require.Equal(t, want, out)

	code, out, _ = run(t, "--dsn", dsn, "--output", "csv", "migrate")
	require.Equal(t, 0, code)
	require.Equal(t, "version,migration\n", out, "nothing left to apply")
}

func TestImport_Small(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	code, out, errOut := run(t, "--dsn", dsn, "-o", "json", "import", smallDir)
	require.Equal(t, 0, code, errOut)
	var counts []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &counts))
	require.Equal(t, map[string]any{"file": "applications.csv", "rows": 6.0}, counts[0], "typed JSON")
	require.Contains(t, errOut, "imported "+smallDir)

	db := openDSN(t, dsn)
	var apps, bids int
	require.NoError(t, db.Get(&apps, `SELECT count(*) FROM applications`))
	require.NoError(t, db.Get(&bids, `SELECT count(*) FROM bids`))
	require.Equal(t, 6, apps)
	require.Equal(t, 9, bids)

	// A second import into the same register is refused and changes nothing.
	before := registerRows(t, db)
	code, _, errOut = run(t, "--dsn", dsn, "import", smallDir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "already holds a register")
	require.Equal(t, before, registerRows(t, db))
	// ...unless asked to replace it (one more events row).
	code, _, errOut = run(t, "--dsn", dsn, "import", "--replace", smallDir)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, before+1, registerRows(t, db))
}

func TestImport_BadSnapshotNamesEveryRowAndWritesNothing(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	code, out, errOut := run(t, "--dsn", dsn, "import", badDir)
	require.Equal(t, 1, code)
	require.Empty(t, out)

	_, err := snapshot.Read(badDir)
	var ve *snapshot.ValidationError
	require.True(t, errors.As(err, &ve))
	require.NotEmpty(t, ve.Errors)
	for _, e := range ve.Errors {
		require.Contains(t, errOut, e.Error()+"\n")
	}
	require.Equal(t, len(ve.Errors)+1, strings.Count(errOut, "\n"), "one line per bad value, then the summary")
	require.Contains(t, errOut, "nothing imported")
	require.Zero(t, registerRows(t, openDSN(t, dsn)))
}

func TestImport_NotMigrated(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "--dsn", pgtest.EmptyDSN(t), "import", smallDir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "run cbl migrate")
}

func TestExport_ReimportIsIdentical(t *testing.T) {
	t.Parallel()
	first, second := pgtest.DSN(t), pgtest.DSN(t)
	dir1, dir2 := t.TempDir(), t.TempDir()

	code, _, errOut := run(t, "--dsn", first, "import", smallDir)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := run(t, "--dsn", first, "-o", "csv", "export", dir1)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "bids.csv,9\n")

	code, _, errOut = run(t, "--dsn", second, "import", dir1)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = run(t, "--dsn", second, "export", dir2)
	require.Equal(t, 0, code, errOut)

	orig, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	got1, err := snapshot.Read(dir1)
	require.NoError(t, err)
	got2, err := snapshot.Read(dir2)
	require.NoError(t, err)
	require.Equal(t, orig.Canonical(), got1)
	require.Equal(t, got1, got2)
}

func TestImport_CheckOnly(t *testing.T) {
	t.Parallel()
	// No database: the DSN points at a port nothing listens on.
	code, out, errOut := run(t, "--dsn", "postgres://postgres@127.0.0.1:1/x?sslmode=disable", "-o", "csv", "import", "--check", smallDir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "applications.csv,6\n")
	code, _, errOut = run(t, "import", "--check", badDir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `applications.csv:3: status: "actve"`)
}

func TestImport_Interrupted(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as if Ctrl-C arrived before the load
	var out, errOut bytes.Buffer
	err := Run(ctx, []string{"--dsn", dsn, "import", smallDir}, &out, &errOut)
	require.Equal(t, 1, ExitCode(err))
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, registerRows(t, openDSN(t, dsn)))
}

// TestDSN_PasswordNeverPrinted: a connection string that fails, given by --dsn or
// $DATABASE_URL, is named in the message without its password (issue 13).
func TestDSN_PasswordNeverPrinted(t *testing.T) {
	const dsn = "postgres://alice:S3cret%zzPW@127.0.0.1:5432/db"
	code, out, errOut := run(t, "--dsn", dsn, "migrate")
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Equal(t, "cbl: connection string postgres://alice:xxxxx@127.0.0.1:5432/db: not a valid URL: a % not followed by two hex digits (in a URL, a % / @ : ? # or space in the password must be percent-encoded, e.g. % as %25)\n", errOut)

	t.Setenv("DATABASE_URL", dsn)
	code, _, errOut = run(t, "cycle", "close", "1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "alice:xxxxx@")
	require.NotContains(t, errOut, "S3cret")
	require.NotContains(t, errOut, "%zz")
}

// TestImport_MergeIntake: import --merge takes a partial snapshot — a new advert in the
// open cycle and a bid on it — and prints what it added as typed JSON; a delta with a
// bid on a closed cycle's advert is refused by file and line and writes nothing.
func TestImport_MergeIntake(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", smallDir)
	mustRun(t, "--dsn", dsn, "cycle", "close", "42")
	s, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	ad := s.Adverts[0] // 7001, a two-bedroom house in Corby
	ad.ID, ad.Cycle, ad.Closes = 7010, 43, s.Cycles[1].Closes
	delta := &snapshot.Snapshot{Adverts: []bidding.Advert{ad},
		Bids: []bidding.Bid{{Application: 1001, Advert: 7010, Placed: s.Cycles[1].Opens.Add(time.Hour), By: "applicant"}}}
	dir := t.TempDir()
	require.NoError(t, snapshot.Write(dir, delta))
	out := mustRun(t, "--dsn", dsn, "-o", "json", "import", "--merge", dir)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.Equal(t, 1.0, rows[0]["adverts_added"])
	require.Equal(t, 1.0, rows[0]["bids_added"])
	require.Equal(t, 0.0, rows[0]["applications_added"])

	db := openDSN(t, dsn)
	before := registerRows(t, db)
	late := &snapshot.Snapshot{Bids: []bidding.Bid{{Application: 1001, Advert: 7002, Placed: s.Cycles[1].Opens, By: "applicant"}}}
	dir = t.TempDir()
	require.NoError(t, snapshot.Write(dir, late))
	code, out, errOut := run(t, "--dsn", dsn, "import", "--merge", dir)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "bids.csv:2: placed:")
	require.Contains(t, errOut, "nothing merged")
	require.Equal(t, before, registerRows(t, db))
}
