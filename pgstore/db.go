// Package store keeps the register in PostgreSQL: embedded schema migrations, and import
// and export of whole snapshots (snapshot.Snapshot) in one transaction.
//
// Officers' decisions are the record: Decide appends one (checked first by replaying
// every recorded decision with it through allocation.Run) together with the offers,
// nominations, lets and events it caused; LoadState replays the record for reports.
//
// SQL is written out in full with $n parameters; no statement is built from input.
package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the postgres driver
)

// DefaultDSN is the server tried when neither a DSN nor PG* variables are given.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DSN returns the connection string to use: explicit if not empty, else $DATABASE_URL,
// else the PG* environment variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,
// PGSSLMODE; sslmode defaults to prefer), else DefaultDSN.
func DSN(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v
	}
	for _, k := range []string{"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"} {
		if os.Getenv(k) != "" {
			// lib/pq reads the PG* variables itself for anything the DSN leaves out.
			if os.Getenv("PGSSLMODE") == "" {
				return "sslmode=prefer"
			}
			return ""
		}
	}
	return DefaultDSN
}

// WithDatabase returns dsn (URL or key=value form) pointing at database name.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// Not err itself: net/url quotes the whole URL, password and all.
			return "", fmt.Errorf("connection string %s: not a valid URL: %s", Redact(dsn), urlProblem(err))
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	// In key=value form a later key wins.
	return strings.TrimSpace(dsn + " dbname='" + strings.ReplaceAll(name, `'`, `\'`) + "'"), nil
}

// Open connects to dsn and checks the server answers within 5 seconds. Its errors never
// hold the password, whatever the shape of dsn (see Redact).
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	if err := CheckDSN(dsn); err != nil {
		return nil, err
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, RedactError(err, dsn)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, RedactError(fmt.Errorf("connect to %s: %w", Redact(dsn), err), dsn)
	}
	return db, nil
}

// readTx checks the schema (CheckVersion) and begins a read-only, repeatable-read
// transaction: one consistent view of the register for a read.
func readTx(ctx context.Context, db *sqlx.DB) (*sqlx.Tx, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	return db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}
