package pgstore

import (
	"context"
	"database/sql"
	"strings"

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
	r, err := loadForCycle(ctx, db, tx, cycle, nil)
	if err != nil {
		return nil, err
	}
	return r.Snapshot, nil
}

// CopyText writes rows to table as a close writes its rows (copyText: COPY text
// encoded here, sent a batch at a time on the transaction's connection), and commits.
func CopyText(ctx context.Context, db *sqlx.DB, table string, cols []string, rows [][]any) error {
	w, end, err := beginWriter(ctx, db)
	if err != nil {
		return err
	}
	defer end()
	if err := w.copy(table, cols, len(rows), func(i int) ([]any, error) { return rows[i], nil }); err != nil {
		return err
	}
	return w.tx.Commit()
}

// Filtered is which of 0..n a close's filter of the applications ids (someApps)
// selects, as PostgreSQL evaluates its condition, and whether it was the bit string.
func Filtered(ctx context.Context, db *sqlx.DB, ids []int64, n int64) ([]int64, bool, error) {
	f := someApps(ids)
	args := append([]any{n}, f.args()...)
	// $1 is n; the filter's own parameters follow.
	cond := strings.NewReplacer("$1", "$2", "$2", "$3").Replace(f.cond("g"))
	var got []int64
	err := db.SelectContext(ctx, &got, `SELECT g FROM generate_series(-3, $1::int8) g WHERE `+cond+` ORDER BY g`, args...)
	return got, f.bits != "", err
}
