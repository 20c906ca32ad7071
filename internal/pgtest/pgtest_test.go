package pgtest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
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
