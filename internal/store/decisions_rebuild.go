package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/jmoiron/sqlx"
)

// Rebuild rewrites the offers, nominations and lets tables from the record: it empties
// them and replays the recorded decisions one at a time, writing what each changed with
// its time, as Decide did. Use it when the derived tables no longer match the record (a
// register replaced and its cycles closed again). The events log is not touched. It
// returns the state rebuilt.
func Rebuild(ctx context.Context, db *sqlx.DB) (*State, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, decideLockKey); err != nil {
		return nil, fmt.Errorf("lock decisions: %w", err)
	}
	st, err := loadState(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM offers; DELETE FROM nominations; DELETE FROM lets`); err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	w, err := allocation.Start(st.Input)
	if err != nil {
		return nil, err
	}
	before := cloneResult(w.Result())
	all := st.Decisions
	for i, rec := range all {
		if err := w.Apply(rec.Decision); err != nil {
			return nil, st.replayError(err)
		}
		st.Decisions, st.Result = all[:i+1], w.Result()
		if err := writeDerived(ctx, tx, st, before, rec); err != nil {
			return nil, err
		}
		before = cloneResult(st.Result)
	}
	st.Decisions = all
	st.Result = w.Result()
	return st, tx.Commit()
}

// cloneResult copies what writeDerived compares, which a Walk changes in place.
func cloneResult(r *allocation.Result) *allocation.Result {
	return &allocation.Result{Offers: slices.Clone(r.Offers), Nominations: slices.Clone(r.Nominations),
		Lets: slices.Clone(r.Lets)}
}
