package pgstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
)

// Writing decisions back to the register.
//
// Officers' decisions change applications: a let closes one as rehoused, counted
// refusals close one for the policy's closure months, a refused final offer under a
// homeless duty withdraws the homeless criteria (withdraw_criterion overrides) and
// re-bands it, a review may set its band. Decide writes each such change to the register
// tables (applications, band_history, overrides, refusals) in the decision's transaction
// (writeApplications, from the step the engine hands back), so that export, assess,
// explain, the next decision and the next cycle's close see it: the register tables are
// what decisions read.
//
// The audit replay (Verify, Rebuild) runs the record from the register facts as they
// stood before any decision changed them. The first time a decision changes an application,
// its pre-decision state (regState) is kept in register_base; the audit puts it back
// into the engine's input. So the engine never sees its own changes twice (a refusal
// counted again, a let household found closed before its offer), and replaying the
// record over a register that already reflects it gives the same result. The register
// tables hold the state as it now stands; register_base holds what the record started
// from. (Register facts the decisions do not touch — members, medical, flags — are read
// from the register as they stand.) A reassessment (Reassess) of an application with a
// register_base row is therefore appended to the record as a reband decision, so the
// replay that rewrites its band history here keeps the new spell. Export and Import
// carry register_base with the register (register_base*.csv, see bases.go).

// regState is the part of an application's register record that decisions change.
type regState struct {
	Status       register.Status      `json:"status"`
	StatusReason string               `json:"status_reason,omitempty"`
	StatusUntil  register.Date        `json:"status_until,omitempty"`
	History      []register.BandSpell `json:"history,omitempty"`
	Refusals     []register.Refusal   `json:"refusals,omitempty"`
	Overrides    []register.Override  `json:"overrides,omitempty"`
}

func stateOf(a *register.Application) regState {
	return regState{Status: a.Status, StatusReason: a.StatusReason, StatusUntil: a.StatusUntil,
		History: a.History, Refusals: a.Refusals, Overrides: a.Overrides}
}

// set puts s into a (copying the slices).
func (s regState) set(a *register.Application) {
	a.Status, a.StatusReason, a.StatusUntil = s.Status, s.StatusReason, s.StatusUntil
	a.History, a.Refusals, a.Overrides = slices.Clone(s.History), slices.Clone(s.Refusals), slices.Clone(s.Overrides)
}

func (s regState) equal(t regState) bool {
	return s.Status == t.Status && s.StatusReason == t.StatusReason && s.StatusUntil == t.StatusUntil &&
		slices.Equal(s.History, t.History) && slices.Equal(s.Refusals, t.Refusals) && slices.Equal(s.Overrides, t.Overrides)
}

// loadBases reads register_base and puts each pre-decision state into apps (sorted by
// id). It returns the register state each based application held before.
func loadBases(ctx context.Context, tx *sqlx.Tx, apps []register.Application) (map[int64]regState, error) {
	var rows []struct {
		Application int64  `db:"application"`
		State       []byte `db:"state"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT application, state FROM register_base ORDER BY application`); err != nil {
		return nil, fmt.Errorf("load register_base: %w", err)
	}
	held := make(map[int64]regState, len(rows))
	for _, r := range rows {
		var base regState
		if err := json.Unmarshal(r.State, &base); err != nil {
			return nil, fmt.Errorf("register_base of application %d: %w", r.Application, err)
		}
		i, ok := slices.BinarySearchFunc(apps, r.Application, byID)
		if !ok {
			continue // cannot happen: the row references its application
		}
		held[r.Application] = stateOf(&apps[i])
		base.set(&apps[i])
	}
	return held, nil
}

func byID(a register.Application, id int64) int { return cmp.Compare(a.ID, id) }

// inputApp returns the engine's input application id (its pre-decision state), or nil.
func inputApp(in *allocation.Input, id int64) *register.Application {
	i, ok := slices.BinarySearchFunc(in.Applications, id, byID)
	if !ok {
		return nil
	}
	return &in.Applications[i]
}

// keepBase records an application's pre-decision state unless it is already kept.
func keepBase(ctx context.Context, tx *sqlx.Tx, app, seq int64, base regState) error {
	b, err := json.Marshal(base)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO register_base (application, decision, state) VALUES ($1, $2, $3)
		ON CONFLICT (application) DO NOTHING`, app, seq, b); err != nil {
		return fmt.Errorf("keep the register state of application %d: %w", app, err)
	}
	return nil
}

// putState writes s as application app's status, band history, overrides and refusals.
func putState(ctx context.Context, tx *sqlx.Tx, app int64, s regState) error {
	fail := func(err error) error { return fmt.Errorf("write back application %d: %w", app, err) }
	if _, err := tx.ExecContext(ctx, `UPDATE applications SET status = $2, status_reason = $3, status_until = $4 WHERE id = $1`,
		app, string(s.Status), s.StatusReason, dateArg(s.StatusUntil)); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM band_history WHERE application = $1`, app); err != nil {
		return fail(err)
	}
	for j, h := range s.History {
		if _, err := tx.ExecContext(ctx, `INSERT INTO band_history (application, seq, band, from_date, to_date, effective,
			reason, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, app, j+1, bandArg(h.Band), dateArg(h.From),
			dateArg(h.To), dateArg(h.Effective), h.Reason, h.By); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM overrides WHERE application = $1`, app); err != nil {
		return fail(err)
	}
	for j, v := range s.Overrides {
		if _, err := tx.ExecContext(ctx, `INSERT INTO overrides (application, seq, kind, band, criterion, effective,
			reason, recorded_by, made_on, removed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, app, j+1,
			string(v.Kind), bandArg(v.Band), v.Criterion, dateArg(v.Effective), v.Reason, v.By, dateArg(v.On),
			dateArg(v.Removed)); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM refusals WHERE application = $1`, app); err != nil {
		return fail(err)
	}
	for j, v := range s.Refusals {
		if _, err := tx.ExecContext(ctx, `INSERT INTO refusals (application, seq, advert, refused_on, kind, counted,
			final, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, app, j+1, v.Advert, dateArg(v.On),
			string(v.Kind), v.Counted, v.Final, v.By); err != nil {
			return fail(err)
		}
	}
	return nil
}

// change is one written-back change, before its events row is made.
type change struct {
	Event
	from, to any
}

// changeEvents lists what changed from from to to, one entry per change: the status,
// each refusal or override added (or the whole list when an earlier one changed), the
// band history.
func changeEvents(app int64, from, to regState) []change {
	var out []change
	add := func(kind, reason string, f, t any) {
		out = append(out, change{Event: Event{Kind: kind, Application: app, Reason: reason}, from: f, to: t})
	}
	if from.Status != to.Status || from.StatusReason != to.StatusReason || from.StatusUntil != to.StatusUntil {
		st := func(s regState) any {
			return map[string]any{"status": s.Status, "reason": s.StatusReason, "until": s.StatusUntil}
		}
		add("register_status", to.StatusReason, st(from), st(to))
	}
	if !slices.Equal(from.Refusals, to.Refusals) {
		if len(to.Refusals) > len(from.Refusals) && slices.Equal(from.Refusals, to.Refusals[:len(from.Refusals)]) {
			for _, r := range to.Refusals[len(from.Refusals):] {
				add("register_refusal", fmt.Sprintf("%s of advert %d", r.Kind, r.Advert), nil, r)
			}
		} else {
			add("register_refusals", "refusals rewritten", from.Refusals, to.Refusals)
		}
	}
	if !slices.Equal(from.Overrides, to.Overrides) {
		if len(to.Overrides) > len(from.Overrides) && slices.Equal(from.Overrides, to.Overrides[:len(from.Overrides)]) {
			for _, o := range to.Overrides[len(from.Overrides):] {
				add("register_override", o.Reason, nil, o)
			}
		} else {
			add("register_overrides", "overrides rewritten", from.Overrides, to.Overrides)
		}
	}
	if !slices.Equal(from.History, to.History) {
		reason := "band history rewritten"
		if n := len(to.History); n > 0 && to.History[n-1].To.IsZero() {
			reason = to.History[n-1].Reason // the spell opened
		} else if n > 0 {
			reason = "band spell closed: no band"
		}
		add("register_band_history", reason, from.History, to.History)
	}
	return out
}

// appendChange writes c's events row; detail names the decision and the values before
// and after.
func appendChange(ctx context.Context, tx *sqlx.Tx, c change, seq int64, kind string) error {
	d := map[string]any{"from": c.from, "to": c.to}
	if seq != 0 {
		d["decision"], d["decision_kind"] = seq, kind
	}
	detail, err := json.Marshal(d)
	if err != nil {
		return err
	}
	c.Detail = detail
	_, err = AppendEvent(ctx, tx, c.Event)
	return err
}
