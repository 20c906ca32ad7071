package store_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/stretchr/testify/require"
)

func TestDSN(t *testing.T) {
	for _, k := range []string{"DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGSSLMODE"} {
		t.Setenv(k, "")
	}
	require.Equal(t, store.DefaultDSN, store.DSN(""))
	t.Setenv("PGPORT", "5439")
	require.Equal(t, "sslmode=prefer", store.DSN(""), "PG* variables: lib/pq reads them itself")
	t.Setenv("PGSSLMODE", "disable")
	require.Equal(t, "", store.DSN(""))
	t.Setenv("DATABASE_URL", "postgres://u@h/db")
	require.Equal(t, "postgres://u@h/db", store.DSN(""))
	require.Equal(t, "host=x", store.DSN("host=x"), "an explicit --dsn wins")
}

func TestWithDatabase(t *testing.T) {
	got, err := store.WithDatabase("postgres://u@h:5432/postgres?sslmode=disable", "cbl_1")
	require.NoError(t, err)
	require.Equal(t, "postgres://u@h:5432/cbl_1?sslmode=disable", got)
	got, err = store.WithDatabase("host=h sslmode=disable", "cbl_1")
	require.NoError(t, err)
	require.Equal(t, "host=h sslmode=disable dbname='cbl_1'", got)
}

func TestRedact(t *testing.T) {
	require.Equal(t, "postgres://u:xxxxx@h/db", store.Redact("postgres://u:secret@h/db"))
	require.Equal(t, "postgres://u@h/db?password=xxxxx", store.Redact("postgres://u@h/db?password=secret"))
	require.Equal(t, "host=h password=xxxxx user=u", store.Redact("host=h password=secret user=u"))
	require.Equal(t, "host=h password=xxxxx", store.Redact("host=h password='se cret'"))
}
