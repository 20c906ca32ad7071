package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// PurgeInputs removes the households' states recorded by the closes of cycles that
// closed before cutoff (S7.7): each such cycle keeps its digest, adverts, bids and
// exclusions, and says when it was purged; cycle verify and replay then refuse it
// (ErrInputsPurged), and its bids' traces can no longer be rebuilt. A state a later,
// kept cycle still refers to stays. It returns the cycles purged. CloseCycle runs it
// after each close, with the cutoff its policy's upkeep.inputs_retention_days gives.
func PurgeInputs(ctx context.Context, db *sqlx.DB, cutoff time.Time) ([]int64, error) {
	tx, err := begin(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Waits for closes under way: each took this lock shared before reading what is
	// recorded (closeCycle), and may refer to a state this purge would remove.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, cycleLockSpace, inputsLockKey); err != nil {
		return nil, err
	}
	purged, err := purgeInputs(ctx, tx, cutoff)
	if err != nil {
		return nil, err
	}
	return purged, tx.Commit()
}

// inputsLockKey is the advisory lock (in cycleLockSpace) closes take shared and a purge
// of recorded inputs exclusive. Cycle keys are int32 of a cycle id; this one is negative.
const inputsLockKey int32 = -0x696e7074 // "inpt"

func purgeInputs(ctx context.Context, tx *sqlx.Tx, cutoff time.Time) ([]int64, error) {
	var purged []int64
	if err := tx.SelectContext(ctx, &purged, `SELECT ci.cycle FROM cycle_inputs ci JOIN cycles c ON c.id = ci.cycle
		WHERE ci.purged_at IS NULL AND c.closes < $1 ORDER BY ci.cycle`, cutoff); err != nil {
		return nil, fmt.Errorf("purge recorded inputs: %w", err)
	}
	if len(purged) == 0 {
		return nil, nil
	}
	if err := asWriter(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cycle_inputs SET applications = NULL, purged_at = now()
		WHERE cycle = ANY($1) AND purged_at IS NULL`, pq.Array(purged)); err != nil {
		return nil, fmt.Errorf("purge recorded inputs: %w", err)
	}
	// A purged close's states may still be the states of households in kept closes
	// (unchanged since): those lines stay, the rest go.
	var maps []struct {
		Applications []byte `db:"applications"`
	}
	if err := tx.SelectContext(ctx, &maps, `SELECT applications FROM cycle_inputs WHERE purged_at IS NULL`); err != nil {
		return nil, fmt.Errorf("purge recorded inputs: %w", err)
	}
	needed := map[[2]int64]bool{}
	for _, m := range maps {
		lines, err := gunzipLines(m.Applications)
		if err != nil || len(lines) != 1 {
			return nil, fmt.Errorf("purge recorded inputs: a kept cycle's map does not read: %v", err)
		}
		var held [][2]int64
		if err := json.Unmarshal(lines[0], &held); err != nil {
			return nil, fmt.Errorf("purge recorded inputs: %w", err)
		}
		for _, h := range held {
			needed[h] = true
		}
	}
	for _, cycle := range purged {
		var states []byte
		if err := tx.GetContext(ctx, &states, `SELECT coalesce(states, '') FROM cycle_inputs WHERE cycle = $1`, cycle); err != nil {
			return nil, err
		}
		if len(states) == 0 {
			continue
		}
		lines, err := gunzipLines(states)
		if err != nil {
			return nil, fmt.Errorf("purge recorded inputs of cycle %d: %w", cycle, err)
		}
		var keep [][]byte
		var apps []int64
		for _, l := range lines {
			app, err := lineApplication(l)
			if err != nil {
				return nil, fmt.Errorf("purge recorded inputs of cycle %d: %w", cycle, err)
			}
			if needed[[2]int64{app, cycle}] {
				keep = append(keep, l)
				apps = append(apps, app)
			}
		}
		var kept any // NULL when no kept cycle needs any of them
		if len(keep) > 0 {
			kept = gzipLines(keep)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cycle_inputs SET states = $2 WHERE cycle = $1;`, cycle, kept); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recorded_states WHERE cycle = $1 AND NOT application = ANY($2)`,
			cycle, pq.Array(apps)); err != nil {
			return nil, err
		}
	}
	return purged, nil
}
