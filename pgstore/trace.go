package pgstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/replay"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
)

// A close stores no traces (schema version 11): a bid's trace is rebuilt on request by
// ranking the cycle's recorded inputs again, which gives the trace the close computed
// (replay, S7.7). Closes made before keep the traces they stored.

// ReplayCycle ranks cycle's recorded inputs again under the policy its close ran under.
func ReplayCycle(ctx context.Context, db sqlx.QueryerContext, cycle int64) (*shortlist.Closed, *InputsRecord, error) {
	in, rec, err := CycleInputs(ctx, db, cycle)
	if err != nil {
		return nil, rec, err
	}
	p, err := replay.Policy(in)
	if err != nil {
		return nil, rec, fmt.Errorf("cycle %d: %w", cycle, err)
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return nil, rec, err
	}
	closed, err := replay.Run(ctx, rules, in)
	return closed, rec, err
}

// replays remembers the last advert a Store ranked again for a trace, so that a command
// showing every bid's trace on a shortlist ranks it once. Recorded inputs do not change
// after the close, so the digest keys it with the advert.
type replays struct {
	mu     sync.Mutex
	advert int64
	digest []byte
	closed *shortlist.Closed
}

func (r *replays) get(ctx context.Context, db sqlx.QueryerContext, cycle, advert int64) (*shortlist.Closed, error) {
	var digest []byte
	err := sqlx.GetContext(ctx, db, &digest, `SELECT digest FROM cycle_inputs WHERE cycle = $1`, cycle)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed != nil && r.advert == advert && digest != nil && bytes.Equal(r.digest, digest) {
		return r.closed, nil
	}
	closed, err := replayAdvert(ctx, db, cycle, advert)
	if err != nil {
		return nil, err
	}
	r.advert, r.digest, r.closed = advert, digest, closed
	return closed, nil
}

// replayAdvert ranks advert of cycle again from the record (replay.Advert), decoding
// only its bidders' states and taking the autobids its close placed from its entries.
func replayAdvert(ctx context.Context, db sqlx.QueryerContext, cycle, advert int64) (*shortlist.Closed, error) {
	var entries []struct {
		Application int64     `db:"application"`
		Autobid     bool      `db:"autobid"`
		Placed      time.Time `db:"placed"`
	}
	if err := sqlx.SelectContext(ctx, db, &entries, `SELECT e.application, e.autobid, e.placed
		FROM shortlists s JOIN shortlist_entries e ON e.shortlist = s.id AND e.cycle = s.cycle
		WHERE s.cycle = $1 AND s.advert = $2`, cycle, advert); err != nil {
		return nil, err
	}
	bidders := make(map[int64]bool, len(entries))
	var autobids []bidding.Bid
	for _, e := range entries {
		bidders[e.Application] = true
		if e.Autobid {
			autobids = append(autobids, bidding.Bid{Application: e.Application, Advert: advert, Placed: e.Placed,
				Autobid: true, By: bidding.AutobidBy})
		}
	}
	in, _, err := cycleInputs(ctx, db, cycle, func(app int64) bool { return bidders[app] })
	if err != nil {
		return nil, err
	}
	p, err := replay.Policy(in)
	if err != nil {
		return nil, fmt.Errorf("cycle %d: %w", cycle, err)
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return nil, err
	}
	return replay.Advert(ctx, rules, in, advert, autobids)
}

// storedTrace reads app's entry on advert's latest shortlist: the trace stored with it
// (nil if none was: closes from schema version 11 on) and the shortlist's cycle.
func storedTrace(ctx context.Context, db sqlx.QueryerContext, advert, app int64) (json.RawMessage, int64, error) {
	var row struct {
		Trace []byte `db:"trace"`
		Cycle int64  `db:"cycle"`
	}
	err := sqlx.GetContext(ctx, db, &row, `SELECT e.trace, s.cycle FROM shortlists s JOIN shortlist_entries e
		ON e.shortlist = s.id AND e.cycle = s.cycle
		WHERE s.id = (SELECT max(id) FROM shortlists WHERE advert = $1) AND e.application = $2`, advert, app)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("advert %d: application %d has no entry on its stored shortlist (%w)", advert, app, ErrNotShortlisted)
	}
	if err != nil {
		return nil, 0, err
	}
	if notStored(row.Trace) {
		return nil, row.Cycle, nil
	}
	return json.RawMessage(row.Trace), row.Cycle, nil
}

// notStored reports whether an entry's trace column holds no trace: the column's
// default '{}', as closes from schema version 11 on leave it.
func notStored(trace []byte) bool {
	t := bytes.TrimSpace(trace)
	return len(t) == 0 || bytes.Equal(t, []byte("{}"))
}

// traceIn is app's stored trace on advert in closed, as JSON.
func traceIn(closed *shortlist.Closed, advert, app int64) (json.RawMessage, error) {
	i := slices.IndexFunc(closed.Shortlists, func(sl shortlist.Shortlist) bool { return sl.Advert == advert })
	if i < 0 {
		return nil, fmt.Errorf("advert %d: not among its cycle's recorded adverts", advert)
	}
	t, err := shortlist.ExplainStored(closed.Closing, &closed.Results[i], app)
	if err != nil {
		return nil, err
	}
	return json.Marshal(t)
}

// Trace returns app's trace on advert's latest shortlist: rebuilt from the cycle's
// recorded inputs, or as stored by a close from before schema version 11.
func (s *Store) Trace(ctx context.Context, advert, app int64) (json.RawMessage, error) {
	stored, cycle, err := storedTrace(ctx, s.DB, advert, app)
	if err != nil || stored != nil {
		return stored, err
	}
	closed, err := s.replays.get(ctx, s.DB, cycle, advert)
	if err != nil {
		return nil, err
	}
	return traceIn(closed, advert, app)
}

// rebuildTrace is app's trace on advert of cycle, ranked again from the recorded inputs.
func rebuildTrace(ctx context.Context, db sqlx.QueryerContext, cycle, advert, app int64) (json.RawMessage, error) {
	closed, err := replayAdvert(ctx, db, cycle, advert)
	if err != nil {
		return nil, err
	}
	return traceIn(closed, advert, app)
}
