// Package pgtest gives each test its own PostgreSQL database, migrated to the latest
// schema, in milliseconds: the migrations run once into a template database, and each
// test gets CREATE DATABASE ... TEMPLATE of it, dropped when the test ends.
//
// The server is the one pgstore.DSN("") names: $DATABASE_URL, else the PG* variables,
// else postgres://postgres@127.0.0.1:5432/postgres. If none answers, tests are skipped
// with a message saying what to do — or fail, when CI=true or PGTEST_REQUIRE=1 (as
// scripts/test.sh sets), so a missing server never passes silently in CI.
//
// pgtest touches only databases it created in this run: each test database is named
// cbl_test_<run>_<random>, where <run> is $PGTEST_RUN (scripts/test.sh sets one per run
// and drops that run's leftovers at exit, should a test process be killed before its
// cleanups) or else one chosen per test process, and is dropped when its test ends.
// The one database shared between runs is the template, cbl_tmpl_<hash of the
// migrations>: created once per server and schema, never changed or dropped after.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// templateLockKey serialises template builds across test processes (go test runs
// packages in parallel).
const templateLockKey int64 = 0x63626c_746d706c // "cbl" "tmpl"

var (
	once     sync.Once
	admin    *sqlx.DB
	adminDSN string
	tmpl     string
	setupErr error
)

// DB returns a connection pool to a new, migrated, empty database that is dropped when
// the test ends.
func DB(t testing.TB) *sqlx.DB {
	t.Helper()
	return open(t, DSN(t))
}

func open(t testing.TB, dsn string) *sqlx.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN creates a new, migrated, empty database for the test and returns its connection
// string (for code under test that opens its own connections, such as the CLI). The
// database is dropped when the test ends, after the test's own cleanups.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if setupErr != nil {
		unavailable(t, setupErr)
	}
	return create(t, tmpl)
}

// EmptyDSN is DSN for a database with no schema at all (for testing migrations).
func EmptyDSN(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if setupErr != nil {
		unavailable(t, setupErr)
	}
	return create(t, "template0")
}

// EmptyDB is DB for a database with no schema at all.
func EmptyDB(t testing.TB) *sqlx.DB {
	t.Helper()
	return open(t, EmptyDSN(t))
}

// create makes a database from template, dropped when the test ends.
func create(t testing.TB, template string) string {
	t.Helper()
	name := Prefix() + randomHex(6)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)+" TEMPLATE "+pq.QuoteIdentifier(template)+strategy); err != nil {
		t.Fatalf("pgtest: create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	dsn, err := pgstore.WithDatabase(adminDSN, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// strategy is how CREATE DATABASE copies the template; see copyStrategy.
var strategy string

// copyStrategy is " STRATEGY FILE_COPY" on a server running with fsync off (the
// throwaway cluster scripts/test.sh starts), else "" (the server's default, WAL_LOG,
// since PostgreSQL 15). WAL_LOG writes the whole template through the WAL: ~100 ms of
// server CPU per test database, measured here, against ~50 ms for FILE_COPY, and a
// run makes ~90 of them on 2 cores. FILE_COPY checkpoints the whole cluster each time,
// though, which on a server with fsync on is slower and slows everyone else using it.
func copyStrategy(ctx context.Context) string {
	var v struct {
		Version int    `db:"version"`
		Fsync   string `db:"fsync"`
	}
	err := admin.GetContext(ctx, &v, `SELECT current_setting('server_version_num')::int AS version,
		current_setting('fsync') AS fsync`)
	if err != nil || v.Version < 150000 || v.Fsync != "off" {
		return ""
	}
	return " STRATEGY FILE_COPY"
}

// Prefix is how every database this run creates is named: cbl_test_<run>_. A script
// running the tests may drop what is left under it when they end (scripts/test.sh does).
func Prefix() string { return testPrefix + run() + "_" }

// unavailable skips or fails the test because there is no server.
func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("pgtest: no usable PostgreSQL: %v\n"+
		"  Run scripts/test.sh (it finds or starts a server), or start PostgreSQL and set\n"+
		"  DATABASE_URL (or PGHOST/PGPORT/PGUSER) to a server where this user may CREATE DATABASE.", err)
	if os.Getenv("CI") == "true" || os.Getenv("PGTEST_REQUIRE") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func setup() {
	adminDSN = pgstore.DSN("")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := pgstore.Open(ctx, adminDSN)
	if err != nil {
		setupErr = err
		return
	}
	if !runPattern.MatchString(run()) {
		db.Close()
		setupErr = fmt.Errorf("PGTEST_RUN=%q: want 1-32 of a-z, 0-9 and _", run())
		return
	}
	admin = db
	strategy = copyStrategy(ctx)
	tmpl, setupErr = buildTemplate(ctx)
}

// testPrefix starts every test database name; the run id and a random suffix follow.
const testPrefix = "cbl_test_"

// run is this run's id: $PGTEST_RUN, or one chosen for this test process.
var run = sync.OnceValue(func() string {
	if r := os.Getenv("PGTEST_RUN"); r != "" {
		return r
	}
	return fmt.Sprintf("p%d%s", os.Getpid(), randomHex(3))
})

// runPattern is what a run id may be: it becomes part of database names, and with
// the prefix and suffix must fit PostgreSQL's 63-byte identifiers.
var runPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// runnerVersion goes into the template's name with the migrations: bump it when
// pgstore.Migrate changes what it records beyond them, so a template an older runner
// built is not reused (2: schema_migrations.checksum).
const runnerVersion = 2

// buildTemplate creates the template database for the current migrations, once per
// server: its name carries a hash of the migrations, so a changed migration gets a
// fresh template. It is built under another name and renamed when complete, so a
// crash never leaves a half-migrated template behind.
func buildTemplate(ctx context.Context) (string, error) {
	ms, err := pgstore.Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "runner %d\x00", runnerVersion)
	for _, m := range ms {
		fmt.Fprintf(h, "%s\x00%s\x00", m.Name, m.SQL)
	}
	name := "cbl_tmpl_" + hex.EncodeToString(h.Sum(nil))[:12]
	// Built under a name of this run's, so a build left half done is dropped here or
	// with the run's other leftovers, and one another run left is never ours to drop.
	building := Prefix() + "tmpl" + randomHex(3)

	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLockKey); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, templateLockKey)

	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(building)); err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	err = migrate(ctx, building)
	if err == nil {
		_, err = conn.ExecContext(ctx, "ALTER DATABASE "+pq.QuoteIdentifier(building)+" RENAME TO "+pq.QuoteIdentifier(name))
	}
	if err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(building)+" WITH (FORCE)")
		return "", fmt.Errorf("template: %w", err)
	}
	return name, nil
}

// migrate applies the migrations to database name on the admin server.
func migrate(ctx context.Context, name string) error {
	dsn, err := pgstore.WithDatabase(adminDSN, name)
	if err != nil {
		return err
	}
	db, err := pgstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = pgstore.Migrate(ctx, db)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
