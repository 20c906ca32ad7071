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
	"fmt"
	"net/url"
	"os"
	"regexp"
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
			return "", fmt.Errorf("dsn: %w", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	// In key=value form a later key wins.
	return strings.TrimSpace(dsn + " dbname='" + strings.ReplaceAll(name, `'`, `\'`) + "'"), nil
}

// Redact returns dsn with any password replaced, for messages.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return keyPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

// keyPassword finds the password of a key=value connection string.
var keyPassword = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// Open connects to dsn and checks the server answers within 5 seconds.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", Redact(dsn), err)
	}
	return db, nil
}
