package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the pg_advisory_lock key held while migrating, so two processes
// starting at once do not both apply a migration. Advisory locks are per database.
const migrateLockKey int64 = 0x63626c_6d6967 // "cbl" "mig"

// Migration is one embedded schema change, applied in its own transaction.
type Migration struct {
	Version int    // from the file name: 0001_register.sql is version 1
	Name    string // the file name
	SQL     string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a version number and _", base)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].Name, ms[i].Name, ms[i].Version)
		}
	}
	return ms, nil
}

// Latest returns the version of the newest embedded migration.
func Latest() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Migrate applies every embedded migration the database has not had yet, in order, each
// in one transaction together with its schema_migrations row, while holding an advisory
// lock. It returns the migrations it applied (none when the schema is up to date).
func Migrate(ctx context.Context, db *sqlx.DB) ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var done []int
	if err := conn.SelectContext(ctx, &done, `SELECT version FROM schema_migrations`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []Migration
	for _, m := range ms {
		if slices.Contains(done, m.Version) {
			continue
		}
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		applied = append(applied, m)
	}
	return applied, nil
}

// ErrNotMigrated means the database schema is older than this program: run cbl migrate.
var ErrNotMigrated = errors.New("database schema is not up to date: run cbl migrate")

// Version returns the newest migration applied to the database, 0 if none.
func Version(ctx context.Context, db sqlx.QueryerContext) (int, error) {
	var exists bool
	if err := sqlx.GetContext(ctx, db, &exists, `SELECT to_regclass('schema_migrations') IS NOT NULL`); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := sqlx.GetContext(ctx, db, &v, `SELECT coalesce(max(version), 0) FROM schema_migrations`)
	return v, err
}

// CheckVersion returns ErrNotMigrated unless every embedded migration has been applied.
func CheckVersion(ctx context.Context, db sqlx.QueryerContext) error {
	v, err := Version(ctx, db)
	if err != nil {
		return err
	}
	if v < Latest() {
		return fmt.Errorf("%w (database at version %d, this cbl needs %d)", ErrNotMigrated, v, Latest())
	}
	return nil
}
