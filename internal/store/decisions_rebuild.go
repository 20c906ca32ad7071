package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/jmoiron/sqlx"
)

// Rebuild rewrites the offers, nominations and lets tables from the record: it empties
// them and replays the recorded decisions one at a time, writing what each changed with
// its time, as Decide did. It also leaves the register in the state the record implies:
// every application the decisions changed holds its state after them (with its
// pre-decision state kept in register_base), and an application they no longer change
// gets its pre-decision state back. Use it when the derived tables or the register no
// longer match the record (a register replaced and its cycles closed again, or decisions
// recorded before decisions were written back). Only register rows it changes get an
// events row (actor "rebuild"). It returns the state rebuilt.
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
	first := map[int64]int64{} // application -> the first decision that changed its register state
	for i, rec := range all {
		if _, err := w.Apply(rec.Decision); err != nil {
			return nil, st.replayError(err)
		}
		st.Decisions, st.Result = all[:i+1], w.Result()
		if err := writeDerived(ctx, tx, st, before, rec); err != nil {
			return nil, err
		}
		for j := range st.Result.Applications {
			a := &st.Result.Applications[j]
			if _, ok := first[a.ID]; !ok && !stateOf(a).equal(stateOf(inputApp(st.Input, a.ID))) {
				first[a.ID] = rec.Seq
			}
		}
		before = cloneResult(st.Result)
	}
	st.Decisions = all
	st.Result = w.Result()
	if err := rebuildRegister(ctx, tx, st, first); err != nil {
		return nil, err
	}
	return st, tx.Commit()
}

// rebuildRegister writes the register state st.Result implies: first lists the
// applications the record changes (with the decision that first did).
func rebuildRegister(ctx context.Context, tx *sqlx.Tx, st *State, first map[int64]int64) error {
	want := map[int64]regState{}
	for i := range st.Result.Applications {
		a := &st.Result.Applications[i]
		if seq, ok := first[a.ID]; ok {
			want[a.ID] = stateOf(a)
			if err := keepBase(ctx, tx, a.ID, seq, stateOf(inputApp(st.Input, a.ID))); err != nil {
				return err
			}
		}
	}
	for id := range st.held {
		if _, ok := want[id]; !ok {
			want[id] = stateOf(inputApp(st.Input, id))
			if _, err := tx.ExecContext(ctx, `DELETE FROM register_base WHERE application = $1`, id); err != nil {
				return fmt.Errorf("rebuild: %w", err)
			}
		}
	}
	ids := slices.Sorted(maps.Keys(want))
	for _, id := range ids {
		cur, ok := st.held[id]
		if !ok {
			cur = stateOf(inputApp(st.Input, id))
		}
		to := want[id]
		if cur.equal(to) {
			continue
		}
		if err := putState(ctx, tx, id, to); err != nil {
			return err
		}
		for _, c := range changeEvents(id, cur, to) {
			c.Actor = "rebuild"
			if err := appendChange(ctx, tx, c, 0, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// cloneResult copies what writeDerived compares, which a Walk changes in place.
func cloneResult(r *allocation.Result) *allocation.Result {
	return &allocation.Result{Offers: slices.Clone(r.Offers), Nominations: slices.Clone(r.Nominations),
		Lets: slices.Clone(r.Lets)}
}
