package pgtest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// TestDB_NoServer runs this test binary again against a port nothing listens on: the
// database test is skipped with advice, or fails with it when CI=true.
func TestDB_NoServer(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		pgtest.DB(t)
		return
	}
	for _, tc := range []struct {
		ci, want string
		fails    bool
	}{
		{ci: "", want: "--- SKIP", fails: false},
		{ci: "true", want: "--- FAIL", fails: true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDB_NoServer$", "-test.v")
		cmd.Env = append(os.Environ(), "PGTEST_CHILD=1", "PGTEST_REQUIRE=", "CI="+tc.ci,
			"DATABASE_URL=postgres://postgres@127.0.0.1:1/postgres?sslmode=disable")
		out, err := cmd.CombinedOutput()
		require.Equal(t, tc.fails, err != nil, "CI=%q: %s", tc.ci, out)
		require.Contains(t, string(out), tc.want)
		require.True(t, strings.Contains(string(out), "Run scripts/test.sh"), "%s", out)
	}
}

func TestDB_FreshAndMigrated(t *testing.T) {
	a, b := pgtest.DB(t), pgtest.DB(t)
	var n int
	require.NoError(t, a.Get(&n, `SELECT count(*) FROM schema_migrations`))
	require.NotZero(t, n)
	_, err := a.Exec(`INSERT INTO landlords (id, name, nomination_share) VALUES ('x', 'X', 100)`)
	require.NoError(t, err)
	require.NoError(t, b.Get(&n, `SELECT count(*) FROM landlords`))
	require.Zero(t, n, "each test database is separate")
}

// TestDB_NamedForThisRun: a test database's name carries the run's id, so whoever
// started the run can drop what it left (scripts/test.sh does) and nothing else.
func TestDB_NamedForThisRun(t *testing.T) {
	db := pgtest.DB(t)
	var name string
	require.NoError(t, db.Get(&name, `SELECT current_database()`))
	require.True(t, strings.HasPrefix(name, pgtest.Prefix()), "%s under %s", name, pgtest.Prefix())
	if run := os.Getenv("PGTEST_RUN"); run != "" {
		require.Equal(t, "cbl_test_"+run+"_", pgtest.Prefix())
	}
}

// TestDB_LeavesOtherRunsDatabases: a database named as test databases used to be, hours
// old, survives another run's setup; pgtest drops only what it created.
func TestDB_LeavesOtherRunsDatabases(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "2" {
		pgtest.DB(t)
		return
	}
	pgtest.DB(t) // skips, or fails in CI, without a server
	ctx := context.Background()
	admin, err := pgstore.Open(ctx, pgstore.DSN(""))
	require.NoError(t, err)
	defer admin.Close()
	other := fmt.Sprintf("cbl_test_1000000000_%x", time.Now().UnixNano())
	_, err = admin.Exec(`CREATE DATABASE ` + other)
	require.NoError(t, err)
	defer admin.Exec(`DROP DATABASE IF EXISTS ` + other)

	cmd := exec.Command(os.Args[0], "-test.run=^TestDB_LeavesOtherRunsDatabases$", "-test.v")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=2", "PGTEST_RUN=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var n int
	require.NoError(t, admin.Get(&n, `SELECT count(*) FROM pg_database WHERE datname = $1`, other))
	require.Equal(t, 1, n, "another run's database was dropped")
}
