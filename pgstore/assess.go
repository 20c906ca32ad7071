package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Reassess re-bands every application in the database (banding.Rebands) and, unless dryRun,
// writes the new band histories and one events row (kind "reband", actor) per changed
// application, in one transaction. It returns the changes.
//
// The new band is worked out from the register tables, the applications as they now
// stand: for one that officers' decisions changed, that is its state after them (the
// same as replaying the record gives; it is checked). But the decision record is
// replayed from such an application's state before the decisions (register_base, see
// writeback.go), and the next decision on it rewrites its band history from the replay:
// a spell written only to the register tables would be lost. So the reassessment of
// such an application is also recorded as a decision (allocation.Reband, with the band
// and effective date worked out here), which the replay applies in its place in time;
// replaying the record over the register (cbl decisions --rebuild) then gives the same
// band history. Such a reassessment cannot be dated before the last recorded decision.
func Reassess(ctx context.Context, db *sqlx.DB, p *policy.Policy, asOf register.Date, actor string, dryRun bool) ([]banding.Reband, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	var tx *sqlx.Tx
	var err error
	if dryRun {
		// One snapshot: the register and the record it is checked against agree.
		tx, err = db.BeginTxx(context.WithoutCancel(ctx), &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	} else {
		tx, err = begin(ctx, db)
	}
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Band history is rewritten from what is read here, and decisions may be appended:
	// keep others from changing either meanwhile. The decisions lock comes first, as in
	// Decide, which then writes band history.
	if !dryRun {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, decideLockKey); err != nil {
			return nil, fmt.Errorf("lock decisions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `LOCK TABLE band_history IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return nil, err
		}
	}
	s := &snapshot.Snapshot{}
	if err := exportApplications(ctx, tx, s); err != nil {
		return nil, fmt.Errorf("read the register: %w", err)
	}
	changes, err := banding.Rebands(s.Applications, p, asOf, actor)
	if err != nil || len(changes) == 0 {
		return changes, err
	}
	recorded, err := recordRebands(ctx, tx, changes, p, asOf, actor, !dryRun)
	if err != nil || dryRun {
		return changes, err
	}
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.Application
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM band_history WHERE application = ANY($1)`, pq.Int64Array(ids)); err != nil {
		return nil, err
	}
	w, err := newWriter(ctx, db, tx, nil)
	if err != nil {
		return nil, err
	}
	type spell struct {
		app int64
		seq int
		s   register.BandSpell
	}
	var spells []spell
	for _, c := range changes {
		for j, h := range c.History {
			spells = append(spells, spell{c.Application, j + 1, h})
		}
	}
	if err := w.copy("band_history", []string{"application", "seq", "band", "from_date", "to_date", "effective", "reason", "recorded_by"},
		len(spells), func(i int) ([]any, error) {
			h := spells[i]
			return []any{h.app, h.seq, bandArg(h.s.Band), dateArg(h.s.From), dateArg(h.s.To), dateArg(h.s.Effective), h.s.Reason, h.s.By}, nil
		}); err != nil {
		return nil, err
	}
	if err := w.copy("events", []string{"actor", "kind", "application", "reason", "detail"}, len(changes), func(i int) ([]any, error) {
		c := changes[i]
		detail := map[string]any{"policy": p.Name(), "as_of": asOf,
			"old": map[string]any{"band": c.Old.Band, "effective": c.Old.Effective},
			"new": map[string]any{"band": c.New.Band, "effective": c.New.Effective}, "criteria": c.Criteria}
		if seq, ok := recorded[c.Application]; ok {
			detail["decision"] = seq
		}
		d, err := json.Marshal(detail)
		return []any{actor, "reband", c.Application, "reassessment", string(d)}, err
	}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return changes, tx.Commit()
}

// recordRebands appends, unless !write only checks, a reband decision for each change to
// an application that recorded decisions changed (it has a register_base row), and
// returns their sequence numbers by application. The audit replays the record from such
// an application's state before the decisions, so without the decision the replay would
// lose the spell. Each is dated asOf, at the start of that day in the scheme's time
// zone, and applied like any decision to what it touches: the engine refuses one dated
// before the household's last decision (allocation.Household), and its band history
// must be the one the reassessment writes.
func recordRebands(ctx context.Context, tx *sqlx.Tx, changes []banding.Reband, p *policy.Policy, asOf register.Date, actor string, write bool) (map[int64]int64, error) {
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.Application
	}
	var based []int64
	if err := tx.SelectContext(ctx, &based, `SELECT application FROM register_base WHERE application = ANY($1) ORDER BY application`, pq.Int64Array(ids)); err != nil {
		return nil, fmt.Errorf("read register_base: %w", err)
	}
	if len(based) == 0 {
		return nil, nil
	}
	if err := checkFresh(ctx, tx); err != nil {
		return nil, err
	}
	cp, err := currentPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	loc := locationOf(cp)
	y, m, d := asOf.YMD()
	at := time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
	// On the day of the last recorded decision, after it: the record reads in order.
	var last sql.NullTime
	if err := tx.GetContext(ctx, &last, `SELECT max(at) FROM (SELECT at FROM decisions ORDER BY seq DESC LIMIT 1) l`); err != nil {
		return nil, fmt.Errorf("read the record: %w", err)
	}
	if last.Valid && last.Time.After(at) && cp.Day(last.Time) == asOf {
		at = last.Time.UTC()
	}
	var seq int64
	if err := tx.GetContext(ctx, &seq, `SELECT coalesce(max(seq), 0) + 1 FROM decisions`); err != nil {
		return nil, fmt.Errorf("read the record: %w", err)
	}
	out := make(map[int64]int64, len(based))
	for _, c := range changes {
		if !slices.Contains(based, c.Application) {
			continue
		}
		dec := allocation.Decision{Kind: allocation.Reband, On: asOf, At: at, Actor: actor, Application: c.Application,
			Reason: banding.ReassessReason(p), Band: c.New.Band, Effective: c.New.Effective}
		in, err := loadSlice(ctx, tx, loc, dec)
		if err != nil {
			return nil, err
		}
		in.Policy = cp
		w, err := allocation.Start(in)
		if err != nil {
			return nil, fmt.Errorf("the stored allocation: %w", err)
		}
		step, err := w.Apply(dec)
		if err != nil {
			return nil, fmt.Errorf("as of %s: application %d would change band; decisions changed it, so its reassessment joins the decision record, which refuses it: %w",
				asOf, c.Application, err)
		}
		for _, ch := range step.Applications {
			// The replay must write the band history the register gets.
			if ch.After.ID == c.Application && !slices.Equal(ch.After.History, c.History) {
				return nil, fmt.Errorf("application %d: the reassessment as a decision gives band history %v, not %v", c.Application, ch.After.History, c.History)
			}
		}
		rec := Recorded{Seq: seq, At: at, Decision: dec}
		if write {
			if err := asWriter(ctx, tx); err != nil {
				return nil, err
			}
			if err := insertDecision(ctx, tx, rec, cp.Name()); err != nil {
				return nil, err
			}
			if err := writeStep(ctx, tx, rec, step); err != nil {
				return nil, err
			}
		}
		out[c.Application] = seq
		seq++
	}
	return out, nil
}
