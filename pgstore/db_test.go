package pgstore_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

func TestDSN(t *testing.T) {
	for _, k := range []string{"DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGSSLMODE"} {
		t.Setenv(k, "")
	}
	require.Equal(t, pgstore.DefaultDSN, pgstore.DSN(""))
	t.Setenv("PGPORT", "5439")
	require.Equal(t, "sslmode=prefer", pgstore.DSN(""), "PG* variables: lib/pq reads them itself")
	t.Setenv("PGSSLMODE", "disable")
	require.Equal(t, "", pgstore.DSN(""))
	t.Setenv("DATABASE_URL", "postgres://u@h/db")
	require.Equal(t, "postgres://u@h/db", pgstore.DSN(""))
	require.Equal(t, "host=x", pgstore.DSN("host=x"), "an explicit --dsn wins")
}

func TestWithDatabase(t *testing.T) {
	got, err := pgstore.WithDatabase("postgres://u@h:5432/postgres?sslmode=disable", "cbl_1")
	require.NoError(t, err)
	require.Equal(t, "postgres://u@h:5432/cbl_1?sslmode=disable", got)
	got, err = pgstore.WithDatabase("host=h sslmode=disable", "cbl_1")
	require.NoError(t, err)
	require.Equal(t, "host=h sslmode=disable dbname='cbl_1'", got)
}

func TestRedact(t *testing.T) {
	require.Equal(t, "postgres://u:xxxxx@h/db", pgstore.Redact("postgres://u:secret@h/db"))
	require.Equal(t, "postgres://u@h/db?password=xxxxx", pgstore.Redact("postgres://u@h/db?password=secret"))
	require.Equal(t, "host=h password=xxxxx user=u", pgstore.Redact("host=h password=secret user=u"))
	require.Equal(t, "host=h password=xxxxx", pgstore.Redact("host=h password='se cret'"))
}
