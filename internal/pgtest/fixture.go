package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// fixtureLockKey serialises fixture builds across test processes.
const fixtureLockKey int64 = 0x63626c_666978 // "cbl" "fix"

// Fixture returns a new database copied from a fixture database: one built once per
// server by build (into a migrated, empty database) and kept, like the migrations'
// template, under a name that carries a hash of key and of the migrations, so a changed
// key or migration builds a new one. Use it for fixtures that take minutes to build
// (a register worked through a year of cycles): each caller gets its own copy in about a
// second, dropped when the test ends. key must change whenever build does.
func Fixture(t testing.TB, key string, build func(ctx context.Context, db *sqlx.DB) error) *sqlx.DB {
	t.Helper()
	once.Do(setup)
	if setupErr != nil {
		unavailable(t, setupErr)
	}
	ctx := context.Background()
	name, err := FixtureName(key)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	conn, err := admin.Connx(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, fixtureLockKey); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, fixtureLockKey)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if !exists {
		building := name + "_building"
		for _, q := range []string{
			"DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(building) + " WITH (FORCE)",
			"CREATE DATABASE " + pq.QuoteIdentifier(building) + " TEMPLATE " + pq.QuoteIdentifier(tmpl),
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("pgtest: fixture %s: %v", key, err)
			}
		}
		dsn, err := pgstore.WithDatabase(adminDSN, building)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		db, err := pgstore.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		err = build(ctx, db)
		db.Close()
		if err != nil {
			t.Fatalf("pgtest: build fixture %s: %v", key, err)
		}
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+pq.QuoteIdentifier(building)+" RENAME TO "+pq.QuoteIdentifier(name)); err != nil {
			t.Fatalf("pgtest: fixture %s: %v", key, fmt.Errorf("rename: %w", err))
		}
	}
	db := open(t, create(t, name))
	// A fixture outlives cbl versions whose migrations are the same; bring the copy's
	// migration records up to this runner's (it records checksums a older one did not).
	if _, err := pgstore.Migrate(ctx, db); err != nil {
		t.Fatalf("pgtest: fixture %s: %v", key, err)
	}
	return db
}

// FixtureName is the name of the database Fixture keeps for key: a hash of key and of
// the migrations' names and text.
func FixtureName(key string) (string, error) {
	ms, err := pgstore.Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s\x00%s\x00", m.Name, m.SQL)
	}
	fmt.Fprintf(h, "fixture\x00%s", key)
	return "cbl_fix_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}
