package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/intake"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
)

// Merge applies the partial snapshot in delta (the week's intake, package intake) to the
// register held in db, as actor, in one transaction: nothing is written on any error.
// Stored shortlists and the record of decisions are not touched.
func Merge(ctx context.Context, db *sqlx.DB, delta fs.FS, actor string) (*MergeResult, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := begin(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Decisions read the register: an intake waits for them, and they for it.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, decideLockKey); err != nil {
		return nil, fmt.Errorf("merge: lock: %w", err)
	}
	held := &snapshot.Snapshot{}
	for _, step := range []func(context.Context, *sqlx.Tx, *snapshot.Snapshot) error{
		exportApplications, exportLandlords, exportCycles, exportAdverts, exportBids,
	} {
		if err := step(ctx, tx, held); err != nil {
			return nil, fmt.Errorf("merge: read the register: %w", err)
		}
	}
	var closed []int64
	if err := tx.SelectContext(ctx, &closed, `SELECT id FROM cycles WHERE closed_at IS NOT NULL`); err != nil {
		return nil, err
	}
	plan, err := intake.Merge(held, delta, closed)
	if err != nil {
		return nil, err
	}
	w, err := newWriter(ctx, db, tx, nil)
	if err != nil {
		return nil, err
	}
	if err := writeMerge(ctx, tx, w, plan.Delta); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	detail, err := json.Marshal(plan.Result)
	if err != nil {
		return nil, err
	}
	if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "intake", Reason: "merge of a partial snapshot", Detail: detail}); err != nil {
		return nil, err
	}
	for _, g := range []struct {
		kind string
		ids  []int64
	}{{"added", plan.Added}, {"updated", plan.Updated}} {
		for _, id := range g.ids {
			if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "intake_application", Application: id, Reason: g.kind}); err != nil {
				return nil, err
			}
		}
	}
	res := plan.Result
	return &res, tx.Commit()
}

// MergeResult counts what a merge added and updated.
type MergeResult = intake.Result

// writeMerge writes d: parents upserted, the children of those given replaced.
func writeMerge(ctx context.Context, tx *sqlx.Tx, w *closeWriter, d *snapshot.Snapshot) error {
	byName := map[string]table{}
	for _, t := range tables(d) {
		byName[t.name] = t
	}
	stage := func(name string) error {
		t := byName[name]
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE m_%s (LIKE %s INCLUDING DEFAULTS) ON COMMIT DROP`, name, name)); err != nil {
			return err
		}
		return w.copy("m_"+name, t.cols, t.n, func(i int) ([]any, error) { return t.row(i), nil })
	}
	upsert := func(name, key string) error {
		if err := stage(name); err != nil {
			return err
		}
		t := byName[name]
		var set []string
		for _, c := range t.cols {
			if !slices.Contains(strings.Split(key, ", "), c) {
				set = append(set, c+" = EXCLUDED."+c)
			}
		}
		cols := strings.Join(t.cols, ", ")
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM m_%s ON CONFLICT (%s) DO UPDATE SET %s`,
			name, cols, cols, name, key, strings.Join(set, ", ")))
		return err
	}
	replace := func(name, parent, by, parentKey string) error {
		if err := stage(name); err != nil {
			return err
		}
		cols := strings.Join(byName[name].cols, ", ")
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT %s FROM m_%s);
			INSERT INTO %s (%s) SELECT %s FROM m_%s`, name, by, parentKey, parent, name, cols, cols, name))
		return err
	}
	for _, s := range []struct{ name, key string }{{"landlords", "id"}, {"cycles", "id"}, {"applications", "id"}, {"adverts", "id"}} {
		if err := upsert(s.name, s.key); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	// Assessments go before their conditions (which cascade with them).
	if _, err := tx.ExecContext(ctx, `DELETE FROM medical_assessments WHERE application IN (SELECT id FROM m_applications)`); err != nil {
		return err
	}
	for _, c := range []struct{ name, parent, by, key string }{
		{"members", "applications", "application", "id"},
		{"medical_assessments", "applications", "application", "id"},
		{"medical_conditions", "medical_assessments", "assessment", "id"},
		{"band_history", "applications", "application", "id"},
		{"overrides", "applications", "application", "id"},
		{"refusals", "applications", "application", "id"},
		{"advert_local_lettings", "adverts", "advert", "id"},
	} {
		if c.name == "band_history" || c.name == "overrides" || c.name == "refusals" {
			// Only new applications bring them (held ones keep the register's).
			if err := stage(c.name); err != nil {
				return err
			}
			cols := strings.Join(byName[c.name].cols, ", ")
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM m_%s`, c.name, cols, cols, c.name)); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			continue
		}
		if err := replace(c.name, c.parent, c.by, c.key); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	if err := upsert("bids", "application, advert"); err != nil {
		return fmt.Errorf("bids: %w", err)
	}
	return nil
}

// Merge takes the week's intake into the register held (the package's Merge).
func (s *Store) Merge(ctx context.Context, delta fs.FS, actor string) (*intake.Result, error) {
	return Merge(ctx, s.DB, delta, actor)
}
