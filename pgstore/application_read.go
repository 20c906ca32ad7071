package pgstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
)

// ErrNoApplication means the application asked for is not in the register (cbl's).
var ErrNoApplication = cbl.ErrNoApplication

// LoadApplication reads application id as the register tables hold it, with its members,
// medical assessments, band history, overrides and refusals, in one read-only,
// repeatable-read transaction, and nothing else. Decide writes every decision's changes
// back to those tables (writeback.go), so this is the application as it stands after the
// recorded decisions — what LoadState's replay gives for it — without reading the whole
// register. An error wrapping ErrNoApplication if there is none.
func LoadApplication(ctx context.Context, db *sqlx.DB, id int64) (*register.Application, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	if id <= 0 {
		return nil, fmt.Errorf("application %d: %w", id, ErrNoApplication)
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	apps, err := readApplications(ctx, tx, oneApp(id))
	if err != nil {
		return nil, fmt.Errorf("read application %d: %w", id, err)
	}
	if len(apps) == 0 {
		return nil, fmt.Errorf("application %d: %w", id, ErrNoApplication)
	}
	return &apps[0], tx.Commit()
}
