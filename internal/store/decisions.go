package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
)

// Recorded is one officer's decision as stored in the decisions table: its sequence
// number, the moment it was made, and the decision itself (whose On is At's local date
// under the policy).
type Recorded struct {
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	allocation.Decision
}

// State is the allocation as it stands: the engine's input loaded from the register and
// the stored shortlists, the cycles held, every recorded decision in order, and the
// result of replaying them with allocation.Run. Nothing in it is read from the derived
// offers, nominations or lets tables. Input holds the register as it stood before the
// decisions changed it (register_base, see writeback.go); Result.Applications holds the
// applications they changed as they now stand, which is what the register tables hold.
type State struct {
	Input     *allocation.Input
	Cycles    []bidding.Cycle
	Decisions []Recorded
	Result    *allocation.Result
	// held is the register state, as the tables hold it, of each application whose
	// pre-decision state Input carries instead (see writeback.go).
	held map[int64]regState
}

// decisions returns the recorded decisions as the engine takes them.
func (s *State) decisions() []allocation.Decision {
	ds := make([]allocation.Decision, len(s.Decisions))
	for i := range s.Decisions {
		ds[i] = s.Decisions[i].Decision
	}
	return ds
}

// Location is the time zone decision times are read in (the policy's, else UTC).
func (s *State) Location() *time.Location {
	if loc := s.Input.Policy.Location(); loc != nil {
		return loc
	}
	return time.UTC
}

// replayError explains a failure to replay the record: the register or the stored
// shortlists no longer fit a recorded decision (say, after import --replace).
func (s *State) replayError(err error) error {
	var de *allocation.DecisionError
	if errors.As(err, &de) && de.Index < len(s.Decisions) {
		r := s.Decisions[de.Index]
		return fmt.Errorf("replay the recorded decisions: decision %d (%s at %s by %s) no longer applies to the register and shortlists held: %s: %s",
			r.Seq, r.Kind, r.At.Format(time.RFC3339), r.Actor, de.Field, de.Msg)
	}
	return fmt.Errorf("replay the recorded decisions: %w", err)
}

// LoadState reads the register, the latest shortlist of each advert and the recorded
// decisions in one read-only, repeatable-read transaction and replays the decisions.
func LoadState(ctx context.Context, db *sqlx.DB) (*State, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, err := loadState(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	st.Result, err = allocation.Run(st.Input, st.decisions())
	if err != nil {
		return nil, st.replayError(err)
	}
	return st, tx.Commit()
}

// loadState reads the engine's input and the recorded decisions (it does not run them).
// The input holds every advert with a stored shortlist, every advert a recorded decision
// names, and extraAdvert if not 0.
func loadState(ctx context.Context, tx *sqlx.Tx, extraAdvert int64) (*State, error) {
	s := &snapshot.Snapshot{}
	for _, step := range []func(context.Context, *sqlx.Tx, *snapshot.Snapshot) error{
		exportApplications, exportLandlords, exportCycles, exportAdverts, exportBids,
	} {
		if err := step(ctx, tx, s); err != nil {
			return nil, fmt.Errorf("load the register: %w", err)
		}
	}
	held, err := loadBases(ctx, tx, s.Applications)
	if err != nil {
		return nil, err
	}
	st := &State{Cycles: s.Cycles, held: held}
	ds, err := loadDecisions(ctx, tx)
	if err != nil {
		return nil, err
	}
	st.Decisions = ds
	shortlists, err := loadShortlists(ctx, tx)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, sl := range shortlists {
		want[sl.Advert] = true
	}
	for _, d := range ds {
		if d.Advert != 0 {
			want[d.Advert] = true
		}
	}
	if extraAdvert != 0 {
		want[extraAdvert] = true
	}
	in := &allocation.Input{Applications: s.Applications, Landlords: s.Landlords, Shortlists: shortlists, Bids: s.Bids}
	cycles := map[int64]bool{}
	for _, ad := range s.Adverts {
		if want[ad.ID] {
			in.Adverts = append(in.Adverts, ad)
			cycles[ad.Cycle] = true
		}
	}
	p, err := cyclePolicy(s.Cycles, cycles)
	if err != nil {
		return nil, err
	}
	in.Policy = p
	st.Input = in
	return st, nil
}

// insertDecision appends rec to the decisions table.
func insertDecision(ctx context.Context, tx *sqlx.Tx, rec Recorded) error {
	payload, err := json.Marshal(rec.Decision)
	if err != nil {
		return err
	}
	d := rec.Decision
	if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (seq, at, actor, kind, advert, application, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, rec.Seq, rec.At, d.Actor, string(d.Kind), nullID(d.Advert), nullID(d.Application), payload); err != nil {
		return fmt.Errorf("record decision: %w", err)
	}
	return nil
}

func loadDecisions(ctx context.Context, tx *sqlx.Tx) ([]Recorded, error) {
	var rows []struct {
		Seq     int64     `db:"seq"`
		At      time.Time `db:"at"`
		Payload []byte    `db:"payload"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT seq, at, payload FROM decisions ORDER BY seq`); err != nil {
		return nil, fmt.Errorf("load decisions: %w", err)
	}
	out := make([]Recorded, len(rows))
	for i, r := range rows {
		out[i] = Recorded{Seq: r.Seq, At: r.At.UTC()}
		if err := json.Unmarshal(r.Payload, &out[i].Decision); err != nil {
			return nil, fmt.Errorf("decision %d: payload: %w", r.Seq, err)
		}
	}
	return out, nil
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
	// State is the allocation with the decision applied.
	State *State
}

// decideLockKey serialises writers of decisions (readers are not blocked).
const decideLockKey int64 = 0x63626c_646563 // "cbl" "dec"

// Decide records decision d made at the moment at. It replays the recorded decisions
// with d appended; if the engine refuses d it returns a *RejectedError and writes
// nothing. Otherwise, in one transaction, it appends the decisions row, upserts the
// offers, nominations and lets that changed, writes back to the register the
// applications d changed (status, refusals, band history, overrides; see writeback.go),
// and appends the events d caused, each at at.
// d.On is set from at (its local date under the policy); at must not be before the last
// recorded decision's, nor (except for a direct let) before the advert closed.
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
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, decideLockKey); err != nil {
		return nil, fmt.Errorf("lock decisions: %w", err)
	}
	st, err := loadState(ctx, tx, d.Advert)
	if err != nil {
		return nil, err
	}
	at = at.UTC().Truncate(time.Microsecond) // what timestamptz keeps
	if d.Kind != allocation.DirectLet && d.Advert != 0 && !slices.ContainsFunc(st.Input.Shortlists,
		func(sl shortlist.Shortlist) bool { return sl.Advert == d.Advert }) {
		return nil, &RejectedError{Decision: d, Field: "advert", Msg: fmt.Sprintf("%d has no stored shortlist: close its cycle first (cbl cycle close)", d.Advert)}
	}
	if d.Kind != allocation.DirectLet {
		for _, ad := range st.Input.Adverts {
			if ad.ID == d.Advert && at.Before(ad.Closes) {
				return nil, &RejectedError{Decision: d, Field: "at", Msg: fmt.Sprintf("%s is before advert %d closed (%s)",
					at.In(st.Location()).Format(time.RFC3339), ad.ID, ad.Closes.In(st.Location()).Format(time.RFC3339))}
			}
		}
	}
	var seq int64 = 1
	if n := len(st.Decisions); n > 0 {
		last := st.Decisions[n-1]
		if at.Before(last.At) {
			return nil, &RejectedError{Decision: d, Field: "at", Msg: fmt.Sprintf("%s is before the last recorded decision's %s (decision %d)",
				at.In(st.Location()).Format(time.RFC3339), last.At.In(st.Location()).Format(time.RFC3339), last.Seq)}
		}
		seq = last.Seq + 1
	}
	d.On = register.DateOf(at.In(st.Location()))
	prev := st.decisions()
	before, err := allocation.Run(st.Input, prev)
	if err != nil {
		return nil, st.replayError(err)
	}
	after, err := allocation.Run(st.Input, append(prev, d))
	var de *allocation.DecisionError
	if errors.As(err, &de) && de.Index == len(prev) {
		return nil, &RejectedError{Decision: d, Field: de.Field, Msg: de.Msg}
	}
	if err != nil {
		return nil, st.replayError(err)
	}
	rec := Recorded{Seq: seq, At: at, Decision: d}
	if err := insertDecision(ctx, tx, rec); err != nil {
		return nil, err
	}
	st.Decisions = append(st.Decisions, rec)
	st.Result = after
	if err := writeDerived(ctx, tx, st, before, rec); err != nil {
		return nil, err
	}
	events := after.Events[len(before.Events):]
	for _, ev := range events {
		detail, err := json.Marshal(map[string]any{"decision": seq, "on": ev.At, "detail": ev.Detail})
		if err != nil {
			return nil, err
		}
		if _, err := AppendEvent(ctx, tx, Event{At: at, Actor: ev.Actor, Kind: ev.Kind, Application: ev.Application,
			Advert: ev.Advert, Reason: ev.Reason, Detail: detail}); err != nil {
			return nil, err
		}
	}
	if err := writeRegister(ctx, tx, st, before, rec); err != nil {
		return nil, err
	}
	if commit {
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	return &Decided{Recorded: rec, Events: events, State: st}, nil
}
