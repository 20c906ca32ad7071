package pgstore_test

import (
	"context"
	"errors"
	"strings"
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
	_, err = pgstore.WithDatabase("postgres://u:S3cret%zz@h/postgres", "cbl_1")
	require.EqualError(t, err, "connection string postgres://u:xxxxx@h/postgres: not a valid URL: a % not followed by two hex digits")
}

func TestRedact(t *testing.T) {
	require.Equal(t, "postgres://u:xxxxx@h/db", pgstore.Redact("postgres://u:secret@h/db"))
	require.Equal(t, "postgres://u@h/db?password=xxxxx", pgstore.Redact("postgres://u@h/db?password=secret"))
	require.Equal(t, "host=h password=xxxxx user=u", pgstore.Redact("host=h password=secret user=u"))
	require.Equal(t, "host=h password=xxxxx", pgstore.Redact("host=h password='se cret'"))
}

func TestRedact_Shapes(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://alice:S3cret%zzPW@127.0.0.1:5432/db": "postgres://alice:xxxxx@127.0.0.1:5432/db",
		"postgres://alice:p/w@h/db":                      "postgres://alice:xxxxx@h/db",
		"postgres://alice:p@w@h/db?sslmode=disable":      "postgres://alice:xxxxx@h/db?sslmode=disable",
		"postgres://u@h/db?password=Qq%zz&sslmode=x":     "postgres://u@h/db?password=xxxxx&sslmode=x",
		"host=h password='S3cret PW":                     "host=h password=xxxxx",
		"host=h password = 'a b' user=u":                 "host=h password = xxxxx user=u",
		"host=h alice:pw@h":                              "host=h xxxxx",
		"alice:pw@host/db":                               "(not shown)",
		"":                                               "",
	} {
		require.Equal(t, want, pgstore.Redact(dsn), dsn)
	}
}

// TestOpen_NeverPrintsPassword tries connection strings of every shape, each holding
// the password "S3cretPW" in some spelling, and checks Open's error never holds it (nor
// the part of it net/url quotes, "%zz").
func TestOpen_NeverPrintsPassword(t *testing.T) {
	t.Setenv("PGPASSWORD", "")
	for _, dsn := range []string{
		"postgres://alice:S3cret%zzPW@127.0.0.1:5432/db",
		"postgresql://alice:S3cret%zzPW@127.0.0.1:5432/db",
		"postgres://alice:S3cret/PW@127.0.0.1/db",
		"postgres://alice:S3cret PW@127.0.0.1/db",
		"postgres://alice:S3cretPW@[::1/db",
		"postgres://alice:S3cretPW@127.0.0.1:99999/db",
		"postgres://alice:S3cretPW@127.0.0.1:5432/db?sslmode=bogus",
		"postgres://alice@127.0.0.1:5432/db?password=S3cret%zzPW&sslmode=bogus",
		"postgres://alice:S3cretPW@127.0.0.1:5432/db?connect_timeout=abc",
		"mysql://alice:S3cretPW@127.0.0.1/db",
		"POSTGRES://alice:S3cretPW@127.0.0.1/db",
		"alice:S3cretPW@127.0.0.1/db",
		"host=127.0.0.1 password=S3cretPW sslmode=bogus",
		"host=127.0.0.1 password='S3cretPW",
		"host=127.0.0.1 password=S3cretPW\\",
		"host=127.0.0.1 S3cretPW",
		"host=127.0.0.1 password=S3cretPW unknownkey=1 sslmode=disable",
		"host=127.0.0.1 port=1 password=S3cretPW connect_timeout=1 sslmode=disable",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		msg := err.Error()
		require.NotContains(t, msg, "S3cret", dsn)
		require.NotContains(t, msg, "zzPW", dsn)
		require.NotContains(t, msg, "%zz", dsn)
		require.True(t, strings.HasPrefix(msg, "connection string") || strings.HasPrefix(msg, "connect to"), msg)
	}
}

func TestRedactError(t *testing.T) {
	t.Setenv("PGPASSWORD", "EnvS3cret")
	base := errors.New(`parse "postgres://alice:S3cret%zzPW@h/db": bad; also S3cret%zzPW, EnvS3cret`)
	err := pgstore.RedactError(base, "postgres://alice:S3cret%zzPW@h/db")
	require.Equal(t, `parse "postgres://alice:xxxxx@h/db": bad; also xxxxx, xxxxx`, err.Error())
	require.ErrorIs(t, err, base)
	plain := errors.New("nothing secret")
	require.Same(t, plain, pgstore.RedactError(plain, "host=h password=x"))
}
