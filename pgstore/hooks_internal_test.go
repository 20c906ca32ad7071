package pgstore

import (
	"context"
	"database/sql"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
)

// ReadForClose is what CloseCycle's read of the register gives (loadForCycle, on two
// connections), in a transaction begun as CloseCycle begins its own; for the external
// tests (pgtest imports store, so they cannot be internal) to compare with Export. Its
// bids are those on cycle's adverts.
func ReadForClose(ctx context.Context, db *sqlx.DB, cycle int64) (*snapshot.Snapshot, error) {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := loadForCycle(ctx, db, tx, cycle, allApps)
	if err != nil {
		return nil, err
	}
	return r.Snapshot, nil
}
