package pgstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
)

// Recorded is one officer's decision as stored in the decisions table: its sequence
// number, the moment it was made, and the decision itself (whose On is At's local date
// under the policy).
type Recorded struct {
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	// Policy is the policy the decision was applied under ("" if recorded before cbl kept it).
	Policy string `json:"policy,omitempty"`
	allocation.Decision
}

// State is the allocation as it stands: the register as the tables hold it, the stored
// shortlists and everything kept of the walks (Input), the cycles held, the recorded
// decisions in order, and the result as stored: offers, nominations, lets, sanctions,
// reviews, renewals, and where each advert's walk stands and what it waits for. Nothing
// is replayed (Verify and Rebuild replay the record).
type State struct {
	Input     *allocation.Input
	Cycles    []bidding.Cycle
	Decisions []Recorded
	Result    *allocation.Result
}

// Location is the time zone decision times are read in (the policy's, else UTC).
func (s *State) Location() *time.Location { return locationOf(s.Input.Policy) }

func locationOf(p *policy.Policy) *time.Location {
	if p != nil {
		if loc := p.Location(); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// LoadState reads the register, the stored shortlists, walks, offers, nominations, lets,
// reviews, renewals and sanctions, and the recorded decisions, in one read-only,
// repeatable-read transaction. Its cost grows with the register, not with the record.
func LoadState(ctx context.Context, db *sqlx.DB) (*State, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := checkFresh(ctx, tx); err != nil {
		return nil, err
	}
	p, err := currentPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	in, err := loadStored(ctx, tx, locationOf(p))
	if err != nil {
		return nil, err
	}
	in.Policy = p
	st := &State{Input: in}
	if err := tx.SelectContext(ctx, &st.Cycles, `SELECT id AS "id", opens AS "opens", closes AS "closes",
		policy AS "policy" FROM cycles ORDER BY id`); err != nil {
		return nil, fmt.Errorf("read cycles: %w", err)
	}
	if st.Decisions, err = loadDecisions(ctx, tx); err != nil {
		return nil, err
	}
	w, err := allocation.Start(in)
	if err != nil {
		return nil, fmt.Errorf("the stored allocation: %w", err)
	}
	st.Result = w.Result()
	if st.Result.Lets, err = readLets(ctx, tx, ``); err != nil {
		return nil, err
	}
	if st.Result.Sanctions, err = readSanctions(ctx, tx); err != nil {
		return nil, err
	}
	return st, tx.Commit()
}

// insertDecision appends rec, applied under policy, to the decisions table.
func insertDecision(ctx context.Context, tx *sqlx.Tx, rec Recorded, policy string) error {
	payload, err := json.Marshal(rec.Decision)
	if err != nil {
		return err
	}
	d := rec.Decision
	if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (seq, at, actor, kind, advert, application, payload, policy)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, rec.Seq, rec.At, d.Actor, string(d.Kind), nullID(d.Advert),
		nullID(d.Application), payload, policy); err != nil {
		return fmt.Errorf("record decision: %w", err)
	}
	return nil
}

func loadDecisions(ctx context.Context, tx *sqlx.Tx) ([]Recorded, error) {
	var rows []struct {
		Seq     int64          `db:"seq"`
		At      time.Time      `db:"at"`
		Payload []byte         `db:"payload"`
		Policy  sql.NullString `db:"policy"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT seq, at, payload, policy FROM decisions ORDER BY seq`); err != nil {
		return nil, fmt.Errorf("load decisions: %w", err)
	}
	out := make([]Recorded, len(rows))
	for i, r := range rows {
		out[i] = Recorded{Seq: r.Seq, At: r.At.UTC(), Policy: r.Policy.String}
		if err := json.Unmarshal(r.Payload, &out[i].Decision); err != nil {
			return nil, fmt.Errorf("decision %d: payload: %w", r.Seq, err)
		}
	}
	return out, nil
}

// LoadDecisions reads the recorded decisions in order, and the time zone of the policy
// decisions are applied under now (to show their times in).
func LoadDecisions(ctx context.Context, db *sqlx.DB) ([]Recorded, *time.Location, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	recs, err := loadDecisions(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	loc := time.UTC
	if len(recs) > 0 {
		p, err := currentPolicy(ctx, tx)
		if err != nil {
			return nil, nil, err
		}
		loc = locationOf(p)
	}
	return recs, loc, tx.Commit()
}

// RejectedError is a decision the engine refused: it does not fit the state the recorded
// decisions leave. Nothing was written.
type RejectedError struct {
	Decision allocation.Decision
	Field    string // the decision's field at fault
	Msg      string
}

// Error says what was refused and why.
func (e *RejectedError) Error() string {
	d := e.Decision
	s := string(d.Kind)
	if d.Advert != 0 {
		s += fmt.Sprintf(" advert %d", d.Advert)
	}
	if d.Application != 0 {
		s += fmt.Sprintf(" application %d", d.Application)
	}
	s += " refused"
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg + "; nothing recorded"
}

// Unwrap makes errors.Is(err, allocation.ErrDecision) true.
func (e *RejectedError) Unwrap() error { return allocation.ErrDecision }

// Decided is what recording a decision did.
type Decided struct {
	Recorded
	// Events are the audit events the decision caused (also written to events).
	Events []allocation.Event
	// Step is everything the decision changed (what was written).
	Step *allocation.Step
	// Waiting is what the decision's advert waits for now, and Status where its walk
	// stands (open, let, withdrawn; empty for a decision on no advert).
	Waiting []allocation.Wait
	Status  string
}

// decideLockKey serialises writers of decisions (readers are not blocked).
const decideLockKey int64 = 0x63626c_646563 // "cbl" "dec"

// Decide records decision d made at the moment at. It reads only what d touches (the
// advert's shortlist and walk, the applications ranked on it and on the other adverts
// d's application is ranked on, their open offers; see allocation.Ledger), asks the
// engine to apply d, and in one transaction appends the decisions row and writes the step
// the engine hands back: offers, nominations, lets, walks, reviews, renewals, sanctions,
// household clocks, the applications d changed (status, refusals, band history,
// overrides; with register_base and an events row per change) and the events d caused,
// each at at. If the engine refuses d it returns a *RejectedError and writes nothing.
// d.On is set from at (its local date under the policy), and d.At to at.
func Decide(ctx context.Context, db *sqlx.DB, at time.Time, d allocation.Decision) (*Decided, error) {
	return decide(ctx, db, at, d, true)
}

// Check is Decide without the commit: d is validated and written inside a transaction
// that is then rolled back, so the database's own constraints are checked too. It
// returns what Decide would (Seq is the number d would get); nothing is kept.
func Check(ctx context.Context, db *sqlx.DB, at time.Time, d allocation.Decision) (*Decided, error) {
	return decide(ctx, db, at, d, false)
}

func decide(ctx context.Context, db *sqlx.DB, at time.Time, d allocation.Decision, commit bool) (*Decided, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// cbl writes the kept state (asWriter). A decision reads a few rows by key: starting
	// parallel workers for them (as the planner may when its estimates are off, right
	// after an import) costs more than the reads.
	if _, err := tx.ExecContext(ctx, `SET LOCAL cbl.writer = 'on'; SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
		return nil, err
	}
	var stale bool
	if err := tx.GetContext(ctx, &stale, `SELECT stale FROM allocation_state, pg_advisory_xact_lock($1)`, decideLockKey); err != nil {
		return nil, fmt.Errorf("lock decisions: %w", err)
	}
	if stale {
		return nil, ErrStale
	}
	p, err := currentPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	loc := locationOf(p)
	at = at.UTC().Truncate(time.Microsecond) // what timestamptz keeps
	// The record is append-only: one mistyped year would date every later decision on
	// that advert or household before it, for good.
	if err := register.UpTo(time.Now(), register.ClockSkew).CheckTime(at); err != nil {
		return nil, &RejectedError{Decision: d, Field: "at", Msg: err.Error()}
	}
	d.On, d.At = p.Day(at), at
	if d.Kind == allocation.Void {
		return voidDecision(ctx, tx, p, rec0(at, d), commit)
	}
	in, err := loadSlice(ctx, tx, loc, d)
	if err != nil {
		return nil, err
	}
	in.Policy = p
	w, err := allocation.Start(in)
	if err != nil {
		return nil, fmt.Errorf("the stored allocation: %w", err)
	}
	step, err := w.Apply(d)
	var de *allocation.DecisionError
	if errors.As(err, &de) {
		return nil, &RejectedError{Decision: d, Field: de.Field, Msg: de.Msg}
	}
	if err != nil {
		return nil, err
	}
	var seq int64
	if err := tx.GetContext(ctx, &seq, `SELECT coalesce(max(seq), 0) + 1 FROM decisions`); err != nil {
		return nil, fmt.Errorf("read the record: %w", err)
	}
	rec := Recorded{Seq: seq, At: at, Decision: d}
	if err := insertDecision(ctx, tx, rec, p.Name()); err != nil {
		return nil, err
	}
	if err := writeStep(ctx, tx, rec, step); err != nil {
		return nil, err
	}
	if err := writeEvents(ctx, tx, rec, step.Events); err != nil {
		return nil, err
	}
	if err := writeApplications(ctx, tx, rec, step); err != nil {
		return nil, err
	}
	out := &Decided{Recorded: rec, Events: step.Events, Step: step, Waiting: w.Waiting(d.Advert)}
	for _, wk := range step.Walks {
		if wk.Advert == d.Advert {
			out.Status = wk.Status
		}
	}
	if commit {
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LoadLets reads what the let table and the landlords' report print, and nothing else:
// the lets with their adverts (Input.Adverts, Input.Landlords, Input.Policy) and, in
// the result, the lets and their adverts in processing order (closing time, then id).
func LoadLets(ctx context.Context, db *sqlx.DB) (*allocation.Input, *allocation.Result, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	if err := checkFresh(ctx, tx); err != nil {
		return nil, nil, err
	}
	in := &allocation.Input{}
	if in.Policy, err = currentPolicy(ctx, tx); err != nil {
		return nil, nil, err
	}
	if err := tx.SelectContext(ctx, &in.Landlords, `SELECT id AS "id", name AS "name", council AS "council",
		nomination_share AS "nominationshare" FROM landlords ORDER BY id`); err != nil {
		return nil, nil, fmt.Errorf("read landlords: %w", err)
	}
	res := &allocation.Result{Policy: in.Policy.Name()}
	if res.Lets, err = readLets(ctx, tx, ``); err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(res.Lets))
	for i, l := range res.Lets {
		ids[i] = l.Advert
	}
	if in.Adverts, err = readAdverts(ctx, tx, ids); err != nil {
		return nil, nil, err
	}
	order := slices.Clone(in.Adverts)
	slices.SortFunc(order, func(a, b bidding.Advert) int { return cmp.Or(a.Closes.Compare(b.Closes), cmp.Compare(a.ID, b.ID)) })
	tenant := map[int64]int64{}
	for _, l := range res.Lets {
		tenant[l.Advert] = l.Application
	}
	for _, ad := range order {
		res.Adverts = append(res.Adverts, allocation.AdvertStatus{Advert: ad.ID, Status: allocation.AdvertLet, Application: tenant[ad.ID]})
	}
	return in, res, tx.Commit()
}

func rec0(at time.Time, d allocation.Decision) Recorded { return Recorded{At: at, Decision: d} }

// voidDecision records void rec (tx holds the decisions lock): the decision it names must
// be recorded, not itself a void and not voided already. The kept state is then rewritten
// from the record without the voided decision (rebuild); if a later decision depended on
// it, that replay fails and the void is refused, naming it, with nothing written.
func voidDecision(ctx context.Context, tx *sqlx.Tx, p *policy.Policy, rec Recorded, commit bool) (*Decided, error) {
	d := rec.Decision
	w, err := allocation.Start(&allocation.Input{Policy: p})
	if err != nil {
		return nil, err
	}
	step, err := w.Apply(d)
	var de *allocation.DecisionError
	if errors.As(err, &de) {
		return nil, &RejectedError{Decision: d, Field: de.Field, Msg: de.Msg}
	}
	if err != nil {
		return nil, err
	}
	var target struct {
		Kind   string `db:"kind"`
		Voided bool   `db:"voided"`
	}
	err = tx.GetContext(ctx, &target, `SELECT kind, EXISTS (SELECT 1 FROM decisions v WHERE v.kind = 'void'
		AND (v.payload->>'voids')::bigint = d.seq) AS voided FROM decisions d WHERE seq = $1`, d.Voids)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, &RejectedError{Decision: d, Field: "voids", Msg: fmt.Sprintf("no decision %d is recorded", d.Voids)}
	case err != nil:
		return nil, fmt.Errorf("read decision %d: %w", d.Voids, err)
	case target.Kind == string(allocation.Void):
		return nil, &RejectedError{Decision: d, Field: "voids", Msg: fmt.Sprintf("decision %d is itself a void", d.Voids)}
	case target.Voided:
		return nil, &RejectedError{Decision: d, Field: "voids", Msg: fmt.Sprintf("decision %d is voided already", d.Voids)}
	}
	if err := tx.GetContext(ctx, &rec.Seq, `SELECT coalesce(max(seq), 0) + 1 FROM decisions`); err != nil {
		return nil, fmt.Errorf("read the record: %w", err)
	}
	if err := insertDecision(ctx, tx, rec, p.Name()); err != nil {
		return nil, err
	}
	if err := writeEvents(ctx, tx, rec, step.Events); err != nil {
		return nil, err
	}
	if _, err := rebuild(ctx, tx); err != nil {
		return nil, &RejectedError{Decision: d, Field: "voids", Msg: fmt.Sprintf("the record without decision %d does not replay: %v", d.Voids, err)}
	}
	if commit {
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	return &Decided{Recorded: rec, Events: step.Events, Step: step}, nil
}
