package pgstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the pg_advisory_lock key held while migrating, so two processes
// starting at once do not both apply a migration. Advisory locks are per database.
const migrateLockKey int64 = 0x63626c_6d6967 // "cbl" "mig"

// Migration is one embedded schema change, applied in its own transaction.
type Migration struct {
	Version  int    // from the file name: 0001_register.sql is version 1
	Name     string // the file name
	SQL      string
	Checksum string // hex SHA-256 of SQL with CRLF line ends read as LF; recorded when applied
}

// checksum is a migration file's checksum. Line ends are normalised so that a checkout
// converting them (git's autocrlf) does not read as a changed migration.
func checksum(sql string) string {
	sum := sha256.Sum256([]byte(strings.ReplaceAll(sql, "\r\n", "\n")))
	return hex.EncodeToString(sum[:])
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	ms, err := embedded()
	return slices.Clone(ms), err
}

// embedded reads and checks the migration files once: CheckVersion, which every store
// call makes, needs their checksums.
var embedded = sync.OnceValues(func() ([]Migration, error) {
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
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b), Checksum: checksum(string(b))})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].Name, ms[i].Name, ms[i].Version)
		}
	}
	return ms, nil
})

// Latest returns the version of the newest embedded migration.
func Latest() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Errors CheckVersion and Migrate return; each comes wrapped with the versions and
// files concerned.
var (
	// ErrNotMigrated means the database schema is older than this program: run cbl migrate.
	ErrNotMigrated = errors.New("database schema is not up to date: run cbl migrate")
	// ErrSchemaNewer means the database has had migrations this program does not have
	// (a newer cbl, or another build, migrated it): nothing may read or write it.
	ErrSchemaNewer = errors.New("database schema is newer than this cbl: use the cbl that migrated it, or a newer one")
	// ErrMigrationChanged means a migration file differs from the one applied to the
	// database (its checksum does not match): the schema may not be what this program
	// expects. Restore the file; a change to the schema needs a new migration.
	ErrMigrationChanged = errors.New("a migration was changed after it was applied")
)

// MigrationState is how an embedded or applied migration stands in a database.
type MigrationState string

const (
	Pending    MigrationState = "pending"    // embedded, not applied yet
	Applied    MigrationState = "ok"         // applied, and its checksum matches the embedded file
	Mismatch   MigrationState = "mismatch"   // applied, but the embedded file has changed since
	Unverified MigrationState = "unverified" // applied by a cbl that kept no checksums (cbl migrate records them)
	Unknown    MigrationState = "unknown"    // applied, but not embedded in this cbl: the database is newer
)

// MigrationStatus is one migration, embedded or applied, as MigrationStatuses reports it.
type MigrationStatus struct {
	Version   int
	Name      string    // the applied name, else the embedded file's
	AppliedAt time.Time // zero when pending
	Checksum  string    // as recorded in the database; "" when pending or unverified
	State     MigrationState
}

// MigrationStatuses returns every embedded migration and every one applied to the
// database, in version order, with its state. It writes nothing and takes no lock.
func MigrationStatuses(ctx context.Context, db sqlx.QueryerContext) ([]MigrationStatus, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return nil, err
	}
	byVersion := map[int]appliedMigration{}
	for _, a := range applied {
		byVersion[a.Version] = a
	}
	var out []MigrationStatus
	for _, m := range ms {
		a, ok := byVersion[m.Version]
		delete(byVersion, m.Version)
		st := MigrationStatus{Version: m.Version, Name: m.Name, State: Pending}
		if ok {
			st.AppliedAt, st.Checksum = a.AppliedAt, a.Checksum.String
			switch {
			case !a.Checksum.Valid:
				st.State = Unverified
			case a.Checksum.String == m.Checksum && a.Name == m.Name:
				st.State = Applied
			default:
				st.State, st.Name = Mismatch, a.Name
			}
		}
		out = append(out, st)
	}
	for _, a := range byVersion {
		out = append(out, MigrationStatus{Version: a.Version, Name: a.Name, AppliedAt: a.AppliedAt,
			Checksum: a.Checksum.String, State: Unknown})
	}
	slices.SortFunc(out, func(a, b MigrationStatus) int { return a.Version - b.Version })
	return out, nil
}

type appliedMigration struct {
	Version   int            `db:"version"`
	Name      string         `db:"name"`
	AppliedAt time.Time      `db:"applied_at"`
	Checksum  sql.NullString `db:"checksum"`
}

// appliedMigrations reads schema_migrations: none if the table is not there, and no
// checksums if a cbl that kept none made it.
func appliedMigrations(ctx context.Context, db sqlx.QueryerContext) ([]appliedMigration, error) {
	var has struct {
		Table    bool `db:"table"`
		Checksum bool `db:"checksum"`
	}
	if err := sqlx.GetContext(ctx, db, &has, `SELECT to_regclass('schema_migrations') IS NOT NULL AS table,
		EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations')
			AND attname = 'checksum' AND NOT attisdropped) AS checksum`); err != nil {
		return nil, err
	}
	if !has.Table {
		return nil, nil
	}
	sum := "NULL::text"
	if has.Checksum {
		sum = "checksum"
	}
	var out []appliedMigration
	err := sqlx.SelectContext(ctx, db, &out, `SELECT version, name, applied_at, `+sum+` AS checksum
		FROM schema_migrations ORDER BY version`)
	return out, err
}

// check turns statuses into the error CheckVersion and Migrate return: a database
// newer than this program first, then a changed migration, then (if pendingErr) one
// not applied yet.
func check(sts []MigrationStatus, pendingErr bool) error {
	var unknown, changed, pending []string
	for _, st := range sts {
		switch st.State {
		case Unknown:
			unknown = append(unknown, st.Name)
		case Mismatch:
			changed = append(changed, st.Name)
		case Pending:
			pending = append(pending, st.Name)
		}
	}
	switch {
	case len(unknown) > 0:
		return fmt.Errorf("%w (the database has had %s; this cbl knows migrations up to version %d)",
			ErrSchemaNewer, strings.Join(unknown, ", "), Latest())
	case len(changed) > 0:
		return fmt.Errorf("%w: %s differ(s) from what was applied (see cbl migrate status); restore the file, and put a schema change in a new migration",
			ErrMigrationChanged, strings.Join(changed, ", "))
	case pendingErr && len(pending) > 0:
		return fmt.Errorf("%w (database lacks %s)", ErrNotMigrated, strings.Join(pending, ", "))
	}
	return nil
}

// Migrate applies every embedded migration the database has not had yet, in order, each
// in one transaction together with its schema_migrations row (and checksum), while
// holding an advisory lock. It returns the migrations it applied (none when the schema
// is up to date). It refuses a database newer than this program (ErrSchemaNewer) or
// holding a migration whose file has changed since (ErrMigrationChanged), applying
// nothing; migrations applied by a cbl that kept no checksums get theirs recorded.
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

	for _, q := range []string{`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now(),
		checksum   text
	)`,
		// Made by a cbl that kept no checksums: NULL until recorded below.
		`ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	sts, err := MigrationStatuses(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := check(sts, false); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	// Applied before checksums were kept: record the embedded file's, taking it to be
	// what was applied (nothing better is known).
	if _, err := conn.ExecContext(ctx, `UPDATE schema_migrations m SET checksum = e.checksum
		FROM unnest($1::int[], $2::text[]) AS e(version, checksum)
		WHERE m.version = e.version AND m.checksum IS NULL`, pq.Array(versions(ms)), pq.Array(checksums(ms))); err != nil {
		return nil, fmt.Errorf("migrate: record checksums: %w", err)
	}
	var applied []Migration
	for _, m := range ms {
		if i := slices.IndexFunc(sts, func(st MigrationStatus) bool { return st.Version == m.Version }); sts[i].State != Pending {
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
			m.Version, m.Name, m.Checksum); err != nil {
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

func versions(ms []Migration) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = int64(m.Version)
	}
	return out
}

func checksums(ms []Migration) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Checksum
	}
	return out
}

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

// CheckVersion returns nil if the database has had exactly the embedded migrations,
// as embedded: ErrSchemaNewer if it has had one this program does not know,
// ErrMigrationChanged if one applied differs from its file now, ErrNotMigrated if one
// is pending. Every store function that reads or writes the register calls it first.
func CheckVersion(ctx context.Context, db sqlx.QueryerContext) error {
	sts, err := MigrationStatuses(ctx, db)
	if err != nil {
		return err
	}
	return check(sts, true)
}
