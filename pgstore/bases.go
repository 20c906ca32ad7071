package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// register_base in snapshots (snapshot.Base, register_base*.csv).
//
// Export writes register_base with the register, so that importing the export with
// replace under the same record of decisions keeps what the record is replayed from (see
// writeback.go): without it the replay would start from the register as the decisions
// left it and apply them twice (a counted refusal counted again, a let household found
// closed before its offer).
//
// A base only means something next to the decision it names. Import loads the bases
// only into a database that records decisions, and then each base's decision must be
// recorded there. A database that records none (a fresh one) takes the imported register
// as it stands as where its record starts: the bases are not loaded, and Import says so
// (ImportOptions.Note), since the decisions they came after are not there to replay.

func exportBases(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	var rows []struct {
		Application int64  `db:"application"`
		Decision    int64  `db:"decision"`
		State       []byte `db:"state"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT application, decision, state FROM register_base ORDER BY application`); err != nil {
		return err
	}
	for _, r := range rows {
		var st regState
		if err := json.Unmarshal(r.State, &st); err != nil {
			return fmt.Errorf("register_base of application %d: %w", r.Application, err)
		}
		s.Bases = append(s.Bases, snapshot.Base{Application: r.Application, Decision: r.Decision,
			Status: st.Status, StatusReason: st.StatusReason, StatusUntil: st.StatusUntil,
			History: st.History, Refusals: st.Refusals, Overrides: st.Overrides})
	}
	return nil
}

func baseState(b *snapshot.Base) regState {
	return regState{Status: b.Status, StatusReason: b.StatusReason, StatusUntil: b.StatusUntil,
		History: b.History, Refusals: b.Refusals, Overrides: b.Overrides}
}

// checkBases decides whether s's bases are loaded into the database tx writes to: not
// if it records no decisions (note says why), else all of them, each naming a recorded
// decision (a *snapshot.ValidationError lists every one that does not).
func checkBases(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot, note func(string)) (bool, error) {
	if len(s.Bases) == 0 {
		return false, nil
	}
	var last int64
	if err := tx.GetContext(ctx, &last, `SELECT coalesce(max(seq), 0) FROM decisions`); err != nil {
		return false, fmt.Errorf("import: read the decisions recorded: %w", err)
	}
	if last == 0 {
		if note != nil {
			note(fmt.Sprintf("%s: %d application(s) not loaded: this database records no decisions, so the register "+
				"imported is where its record starts (docs/snapshot.md)", snapshot.FileBase, len(s.Bases)))
		}
		return false, nil
	}
	seqs := make([]int64, len(s.Bases))
	for i, b := range s.Bases {
		seqs[i] = b.Decision
	}
	var held []int64
	if err := tx.SelectContext(ctx, &held, `SELECT seq FROM decisions WHERE seq = ANY($1)`, pq.Array(seqs)); err != nil {
		return false, fmt.Errorf("import: read the decisions recorded: %w", err)
	}
	var bad []snapshot.RowError
	for _, b := range s.Bases {
		if !slices.Contains(held, b.Decision) {
			bad = append(bad, snapshot.RowError{File: snapshot.FileBase, Key: fmt.Sprintf("application %d", b.Application),
				Column: "decision", Value: fmt.Sprint(b.Decision),
				Reason: fmt.Sprintf("no such decision recorded in this database (it holds decisions up to %d)", last)})
		}
	}
	if len(bad) > 0 {
		return false, &snapshot.ValidationError{Errors: bad}
	}
	return true, nil
}

// baseTable lays out s's bases as register_base rows.
func baseTable(s *snapshot.Snapshot) (string, []string, int, func(i int) ([]any, error)) {
	return "register_base", []string{"application", "decision", "state"}, len(s.Bases), func(i int) ([]any, error) {
		b := &s.Bases[i]
		state, err := json.Marshal(baseState(b))
		if err != nil {
			return nil, err
		}
		return []any{b.Application, b.Decision, string(state)}, nil
	}
}
