package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Reband is one application whose band changes on re-assessment: the open spell before
// and after (a zero spell: no band), the criteria met, and the new band history.
type Reband struct {
	Application int64
	Old, New    register.BandSpell
	Criteria    []string // ids of the criteria met (or the qualification codes failed)
	History     []register.BandSpell
}

// Rebands re-assesses apps under p as on asOf (banding.Assess) and returns those whose
// band changes, with the band history banding.Transition gives under the policy's
// effective-date rules (SCHEME.md §3), in application order. It writes nothing.
func Rebands(apps []register.Application, p *policy.Policy, asOf register.Date, by string) ([]Reband, error) {
	var out []Reband
	for i := range apps {
		a := &apps[i]
		as, err := banding.Assess(a, p, asOf)
		if err != nil {
			return nil, err
		}
		old, _ := banding.Current(a.History)
		if as.Band == old.Band {
			continue
		}
		hist, now := banding.Transition(a.History, a.Registered, a.Overrides,
			banding.Change{Band: as.Band, On: asOf, Reason: "reassessment under " + p.Name(), By: by}, &p.EffectiveDate)
		r := Reband{Application: a.ID, Old: old, New: now, History: hist}
		for _, m := range as.Criteria {
			r.Criteria = append(r.Criteria, m.ID)
		}
		for _, q := range as.NotQualifying {
			r.Criteria = append(r.Criteria, q.Code)
		}
		out = append(out, r)
	}
	return out, nil
}

// Reassess re-bands every application in the database (Rebands) and, unless dryRun,
// writes the new band histories and one events row (kind "reband", actor) per changed
// application, in one transaction. It returns the changes.
func Reassess(ctx context.Context, db *sqlx.DB, p *policy.Policy, asOf register.Date, actor string, dryRun bool) ([]Reband, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := begin(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Band history is rewritten from what is read here: keep others from changing it
	// meanwhile (officer decisions take the same rows' locks).
	if !dryRun {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE band_history IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return nil, err
		}
	}
	s := &snapshot.Snapshot{}
	if err := exportApplications(ctx, tx, s); err != nil {
		return nil, fmt.Errorf("assess: %w", err)
	}
	changes, err := Rebands(s.Applications, p, asOf, actor)
	if err != nil || dryRun || len(changes) == 0 {
		return changes, err
	}
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.Application
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM band_history WHERE application = ANY($1)`, pq.Int64Array(ids)); err != nil {
		return nil, err
	}
	w, err := newWriter(ctx, db, tx)
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
		d, err := json.Marshal(map[string]any{"policy": p.Name(), "as_of": asOf,
			"old": map[string]any{"band": c.Old.Band, "effective": c.Old.Effective},
			"new": map[string]any{"band": c.New.Band, "effective": c.New.Effective}, "criteria": c.Criteria})
		return []any{actor, "reband", c.Application, "reassessment", string(d)}, err
	}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return changes, tx.Commit()
}
