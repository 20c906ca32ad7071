package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrNoCycle means the cycle named is not in the database.
var ErrNoCycle = errors.New("no such cycle")

// cycleLockSpace is the first key of the two-key advisory locks taken on a cycle: an
// exclusive lock while it is closed, a shared one while a bid is placed or withdrawn, so
// bids and the close never interleave and two closes run one after the other.
const cycleLockSpace int32 = 0x63626c63 // "cblc"

// cycleOpenLock serialises cbl cycle open (it reads the highest cycle id and adds one).
const cycleOpenLock int64 = 0x63626c_6f70656e // "cbl" "open"

// lockMode is how a cycle is locked: a close holds the exclusive lock for its session
// (taken before its transaction starts, so the transaction's snapshot sees whatever a
// close that held the lock before committed); a bid holds a shared transaction lock.
type lockMode int

const (
	lockShared  lockMode = iota // pg_advisory_xact_lock_shared, for bids
	lockSession                 // pg_advisory_lock, for a close; release with unlockCycle
)

var lockSQL = map[lockMode][2]string{ // try, then wait
	lockShared:  {`SELECT pg_try_advisory_xact_lock_shared($1, $2)`, `SELECT pg_advisory_xact_lock_shared($1, $2)`},
	lockSession: {`SELECT pg_try_advisory_lock($1, $2)`, `SELECT pg_advisory_lock($1, $2)`},
}

type queryExecer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// cycleKey is the second advisory lock key of a cycle. Distinct cycles may share a key:
// they then only wait for each other.
func cycleKey(cycle int64) int32 { return int32(cycle ^ cycle>>32) }

// lockCycle takes the cycle's advisory lock in mode, calling waiting (if not nil) when
// another holds it and this one has to wait. The wait ends with the context (lib/pq
// cancels the query).
func lockCycle(ctx context.Context, q queryExecer, cycle int64, mode lockMode, waiting func()) error {
	var got bool
	if err := sqlx.GetContext(ctx, q, &got, lockSQL[mode][0], cycleLockSpace, cycleKey(cycle)); err != nil {
		return fmt.Errorf("lock cycle %d: %w", cycle, err)
	}
	if got {
		return nil
	}
	if waiting != nil {
		waiting()
	}
	if _, err := q.ExecContext(ctx, lockSQL[mode][1], cycleLockSpace, cycleKey(cycle)); err != nil {
		if ctx.Err() != nil { // say why the wait ended, not how lib/pq ended it
			err = ctx.Err()
		}
		return fmt.Errorf("waiting for cycle %d's lock: %w", cycle, err)
	}
	return nil
}

// CycleState is a cycle row: the window, its policy and whether it has been closed.
type CycleState struct {
	bidding.Cycle
	ClosedAt time.Time // zero while open
	ClosedBy string
}

func getCycle(ctx context.Context, q sqlx.QueryerContext, id int64) (CycleState, error) {
	var r struct {
		ID       int64        `db:"id"`
		Opens    time.Time    `db:"opens"`
		Closes   time.Time    `db:"closes"`
		Policy   string       `db:"policy"`
		ClosedAt sql.NullTime `db:"closed_at"`
		ClosedBy string       `db:"closed_by"`
	}
	err := sqlx.GetContext(ctx, q, &r, `SELECT id, opens, closes, policy, closed_at, closed_by FROM cycles WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return CycleState{}, fmt.Errorf("cycle %d: %w", id, ErrNoCycle)
	}
	if err != nil {
		return CycleState{}, err
	}
	c := CycleState{Cycle: bidding.Cycle{ID: r.ID, Opens: r.Opens.UTC(), Closes: r.Closes.UTC(), Policy: r.Policy},
		ClosedBy: r.ClosedBy}
	if r.ClosedAt.Valid {
		c.ClosedAt = r.ClosedAt.Time.UTC()
	}
	return c, nil
}

// CyclePolicy returns the shipped policy a cycle runs under, from its "id@version" name
// (PolicyByName).
func CyclePolicy(c bidding.Cycle) (*policy.Policy, error) {
	p, err := PolicyByName(c.Policy, register.DateOf(c.Closes))
	if err != nil {
		return nil, fmt.Errorf("cycle %d: %w", c.ID, err)
	}
	return p, nil
}

// OpenCycle creates the cycle of the week containing at under p's cycle rules
// (bidding.CycleAt), numbered one above the highest cycle held, and returns it. If a
// cycle with that opening time exists already it is returned with created false.
func OpenCycle(ctx context.Context, db *sqlx.DB, p *policy.Policy, at time.Time, actor string) (c bidding.Cycle, created bool, err error) {
	if err := CheckVersion(ctx, db); err != nil {
		return c, false, err
	}
	tx, err := begin(ctx, db)
	if err != nil {
		return c, false, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, cycleOpenLock); err != nil {
		return c, false, err
	}
	var next int64
	if err := tx.GetContext(ctx, &next, `SELECT coalesce(max(id), 0) + 1 FROM cycles`); err != nil {
		return c, false, err
	}
	c, err = bidding.CycleAt(p, next, at)
	if err != nil {
		return c, false, err
	}
	var held int64
	err = tx.GetContext(ctx, &held, `SELECT id FROM cycles WHERE opens = $1`, c.Opens)
	if err == nil {
		s, err := getCycle(ctx, tx, held)
		return s.Cycle, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return c, false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cycles (id, opens, closes, policy) VALUES ($1, $2, $3, $4)`,
		c.ID, timeArg(c.Opens), timeArg(c.Closes), c.Policy); err != nil {
		return c, false, fmt.Errorf("open cycle %d: %w", c.ID, err)
	}
	detail, _ := json.Marshal(map[string]any{"cycle": c.ID, "opens": c.Opens, "closes": c.Closes, "policy": c.Policy})
	if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "cycle_open", Detail: detail}); err != nil {
		return c, false, err
	}
	return c, true, tx.Commit()
}

// CloseOptions adjust CloseCycle.
type CloseOptions struct {
	// Actor is recorded as closed_by and in the events rows; "cbl" when empty.
	Actor string
	// Waiting is called if another close of the same cycle holds the lock (to say so).
	Waiting func()
	// Progress, if set, is called after every batch of rows written, with the count so
	// far (tests cancel the context from it to kill a close part way).
	Progress func(rows int)
	// Now, if set, is the time of the close: a cycle still open for bids at Now is not
	// closed (ErrCycleOpen).
	Now time.Time
}

// ErrCycleOpen means the cycle is still taking bids: it closes later.
var ErrCycleOpen = errors.New("cycle is still open for bidding")

// CloseResult is what CloseCycle did.
type CloseResult struct {
	Cycle CycleState
	// AlreadyClosed: the cycle was closed before; nothing was done.
	AlreadyClosed bool
	// Closed is the cycle shortlisted (nil when AlreadyClosed).
	Closed *shortlist.Closed
	// Autobids is how many autobids the close placed.
	Autobids int
	// Entries is how many shortlist entries were written.
	Entries int
	// Read, Shortlist and Write are how long reading the register, shortlisting (with
	// autobids) and writing (including the traces, and the commit) took.
	Read, Shortlist, Write time.Duration
}

// CloseCycle closes cycle id (SCHEME.md §6–7): it reads the register, runs
// shortlist.CloseCycle under the cycle's policy, and writes the autobids, one shortlist
// per advert with every entry (ranked with position, or skipped with code and check)
// and its JSON trace, the events and the cycle's closed_at — all in one transaction
// holding the cycle's advisory lock. A second close of the same cycle waits for the
// first and then finds it closed; closing a closed cycle returns AlreadyClosed and
// writes nothing. If ctx ends (or anything fails) part way, nothing is written.
func CloseCycle(ctx context.Context, db *sqlx.DB, id int64, opts CloseOptions) (*CloseResult, error) {
	res, err := closeCycle(ctx, db, id, opts)
	if err != nil && ctx.Err() != nil {
		// However lib/pq or a COPY loop noticed, say why it stopped.
		return nil, fmt.Errorf("close cycle %d interrupted; nothing written: %w", id, ctx.Err())
	}
	return res, err
}

func closeCycle(ctx context.Context, db *sqlx.DB, id int64, opts CloseOptions) (*CloseResult, error) {
	if opts.Actor == "" {
		opts.Actor = "cbl"
	}
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := lockCycle(ctx, conn, id, lockSession, opts.Waiting); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, $2)`, cycleLockSpace, cycleKey(id))
	// Repeatable read, begun after the lock: one consistent view of the register that
	// includes a close committed by whoever held the lock before us. (Not ended by ctx:
	// see begin.)
	tx, err := conn.BeginTxx(context.WithoutCancel(ctx), &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := getCycle(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	res := &CloseResult{Cycle: c}
	if !c.ClosedAt.IsZero() {
		res.AlreadyClosed = true
		return res, nil
	}
	if !opts.Now.IsZero() && opts.Now.Before(c.Closes) {
		return nil, fmt.Errorf("cycle %d closes at %s: %w", id, c.Closes.Format(time.RFC3339), ErrCycleOpen)
	}
	p, err := CyclePolicy(c.Cycle)
	if err != nil {
		return nil, err
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	s, err := loadForCycle(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("close cycle %d: %w", id, err)
	}
	res.Read = time.Since(start)
	start = time.Now()
	closed, err := shortlist.CloseCycle(rules, c.Cycle, s.Applications, s.Adverts, s.Bids, nil)
	if err != nil {
		return nil, fmt.Errorf("close cycle %d: %w", id, err)
	}
	res.Closed = closed
	for _, sl := range closed.Shortlists {
		res.Entries += len(sl.Ranked) + len(sl.Skipped)
	}
	res.Shortlist = time.Since(start)
	start = time.Now()
	w, err := newWriter(ctx, db, tx)
	if err != nil {
		return nil, err
	}
	w.progress = opts.Progress
	added, err := w.autobids(closed, s.Bids)
	if err != nil {
		return nil, err
	}
	res.Autobids = len(added)
	if err := w.shortlists(c.ID, closed); err != nil {
		return nil, err
	}
	if err := w.events(c.ID, opts.Actor, closed, added); err != nil {
		return nil, err
	}
	r, err := tx.ExecContext(ctx, `UPDATE cycles SET closed_at = now(), closed_by = $2 WHERE id = $1 AND closed_at IS NULL`, id, opts.Actor)
	if err != nil {
		return nil, err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("close cycle %d: closed by someone else meanwhile", id)
	}
	if err := ctx.Err(); err != nil { // interrupted after the last batch: keep nothing
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	res.Write = time.Since(start)
	res.Cycle, err = getCycle(ctx, db, id)
	return res, err
}

// loadForCycle reads what a close needs: applications, adverts and bids.
func loadForCycle(ctx context.Context, tx *sqlx.Tx) (*snapshot.Snapshot, error) {
	s := &snapshot.Snapshot{}
	for _, step := range []func(context.Context, *sqlx.Tx, *snapshot.Snapshot) error{
		exportApplications, exportAdverts, exportBids,
	} {
		if err := step(ctx, tx, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// closeWriter writes a close's rows with COPY, checking ctx between batches.
type closeWriter struct {
	ctx      context.Context
	tx       *sqlx.Tx
	progress func(rows int)
	rows     int
	// db and pid, when set, let an interrupted COPY be cancelled on the server: ending a
	// COPY normally makes PostgreSQL run every row's foreign-key checks first (minutes
	// for millions of rows), only for the rollback to discard them.
	db  *sqlx.DB
	pid int
}

// newWriter returns a writer for tx, a transaction of db.
func newWriter(ctx context.Context, db *sqlx.DB, tx *sqlx.Tx) (*closeWriter, error) {
	w := &closeWriter{ctx: ctx, tx: tx, db: db}
	if err := tx.GetContext(ctx, &w.pid, `SELECT pg_backend_pid()`); err != nil {
		return nil, err
	}
	return w, nil
}

// abort cancels whatever the transaction's backend is running.
func (w *closeWriter) abort() {
	if w.db != nil && w.pid != 0 {
		w.db.ExecContext(context.WithoutCancel(w.ctx), `SELECT pg_cancel_backend($1)`, w.pid)
	}
}

// batch is how many rows go between checks of the context.
const batch = 1024

func (w *closeWriter) copy(table string, cols []string, n int, row func(i int) ([]any, error)) error {
	if n == 0 {
		return nil
	}
	stmt, err := w.tx.PrepareContext(w.ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	defer stmt.Close()
	for i := range n {
		if i%batch == 0 {
			if i > 0 {
				w.rows += batch
				if w.progress != nil {
					w.progress(w.rows)
				}
			}
			if err := w.ctx.Err(); err != nil {
				if i > 0 {
					w.abort()
				}
				return err
			}
		}
		args, err := row(i)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(w.ctx, args...); err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(w.ctx); err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	return stmt.Close()
}

// autobids keeps the autobids the close placed (those not already held as bids).
func (w *closeWriter) autobids(closed *shortlist.Closed, held []bidding.Bid) ([]bidding.Bid, error) {
	have := make(map[[2]int64]bool)
	for _, b := range held {
		if b.Autobid {
			have[[2]int64{b.Application, b.Advert}] = true
		}
	}
	var add []bidding.Bid
	for _, b := range closed.Closing.Autobids() {
		if !have[[2]int64{b.Application, b.Advert}] {
			add = append(add, b)
		}
	}
	err := w.copy("bids", []string{"application", "advert", "placed", "autobid", "placed_by"}, len(add), func(i int) ([]any, error) {
		b := add[i]
		return []any{b.Application, b.Advert, timeArg(b.Placed), true, b.By}, nil
	})
	return add, err
}

// shortlists writes one shortlist row per advert and every entry with its trace.
func (w *closeWriter) shortlists(cycle int64, closed *shortlist.Closed) error {
	n := len(closed.Shortlists)
	var ids []int64
	if err := w.tx.SelectContext(w.ctx, &ids, `SELECT nextval('shortlists_id_seq') FROM generate_series(1, $1)`, n); err != nil {
		return err
	}
	var madeAt time.Time
	if err := w.tx.GetContext(w.ctx, &madeAt, `SELECT now()`); err != nil {
		return err
	}
	err := w.copy("shortlists", []string{"id", "advert", "policy", "made_at", "trace", "cycle"}, n, func(i int) ([]any, error) {
		sl := &closed.Shortlists[i]
		tr, err := json.Marshal(map[string]any{"cycle": cycle, "policy": sl.Policy, "bids": len(sl.Ranked) + len(sl.Skipped),
			"ranked": len(sl.Ranked), "skipped": len(sl.Skipped)})
		return []any{ids[i], sl.Advert, sl.Policy, madeAt, string(tr), cycle}, err
	})
	if err != nil {
		return err
	}
	type ref struct{ sl, entry int }
	var refs []ref
	for i, sl := range closed.Shortlists {
		for j := range len(sl.Ranked) + len(sl.Skipped) {
			refs = append(refs, ref{i, j})
		}
	}
	return w.copy("shortlist_entries", []string{"shortlist", "application", "position", "skip", "check_name", "clause",
		"note", "skipped_by", "skipped_at", "band", "effective", "registered", "autobid", "placed", "trace"}, len(refs),
		func(k int) ([]any, error) {
			r := refs[k]
			sl := &closed.Shortlists[r.sl]
			e := entryAt(sl, r.entry)
			tr, err := shortlist.Explain(closed.Closing, &closed.Results[r.sl], e.Application)
			if err != nil {
				return nil, err
			}
			trace, err := json.Marshal(tr)
			if err != nil {
				return nil, err
			}
			var pos, skip any
			if e.Skip != "" {
				skip = e.Skip
			} else {
				pos = e.Position
			}
			return []any{ids[r.sl], e.Application, pos, skip, e.Check, e.Clause, e.Note, e.By, timeArg(e.At),
				bandArg(e.Band), dateArg(e.Effective), dateArg(e.Registered), e.Autobid, timeArg(e.Placed), string(trace)}, nil
		})
}

// entryAt is a shortlist's j-th entry counting ranked then skipped.
func entryAt(sl *shortlist.Shortlist, j int) *shortlist.Entry {
	if j < len(sl.Ranked) {
		return &sl.Ranked[j]
	}
	return &sl.Skipped[j-len(sl.Ranked)]
}

// events logs the close: one row for the cycle, one per advert's shortlist and one per
// autobid placed.
func (w *closeWriter) events(cycle int64, actor string, closed *shortlist.Closed, autobids []bidding.Bid) error {
	type ev struct {
		kind        string
		app, advert int64
		reason      string
		detail      any
	}
	var evs []ev
	total := 0
	for _, sl := range closed.Shortlists {
		total += len(sl.Ranked) + len(sl.Skipped)
		evs = append(evs, ev{"shortlist", 0, sl.Advert, "cycle close", map[string]any{"cycle": cycle,
			"ranked": len(sl.Ranked), "skipped": len(sl.Skipped)}})
	}
	for _, b := range autobids {
		evs = append(evs, ev{"autobid", b.Application, b.Advert, "autobid at cycle close", map[string]any{"cycle": cycle}})
	}
	evs = append(evs, ev{"cycle_close", 0, 0, "cycle close", map[string]any{"cycle": cycle, "adverts": len(closed.Shortlists),
		"entries": total, "autobids": len(autobids), "policy": closed.Closing.Index.Rules.Policy.Name()}})
	return w.copy("events", []string{"actor", "kind", "application", "advert", "reason", "detail"}, len(evs), func(i int) ([]any, error) {
		e := evs[i]
		d, err := json.Marshal(e.detail)
		return []any{actor, e.kind, nullID(e.app), nullID(e.advert), e.reason, string(d)}, err
	})
}

// Shortlist returns the latest shortlist held for advert: its entries ranked (in
// position order) then skipped (by application id), each with its JSON trace (traces[i]
// is entries[i]'s). ErrNotShortlisted if there is none.
func Shortlist(ctx context.Context, db sqlx.QueryerContext, advert int64) (entries []shortlist.Entry, traces []json.RawMessage, err error) {
	var rows []struct {
		Application int64          `db:"application"`
		Position    sql.NullInt64  `db:"position"`
		Skip        sql.NullString `db:"skip"`
		Check       string         `db:"check_name"`
		Clause      string         `db:"clause"`
		Note        string         `db:"note"`
		By          string         `db:"skipped_by"`
		At          sql.NullTime   `db:"skipped_at"`
		Band        sql.NullString `db:"band"`
		Effective   sql.NullTime   `db:"effective"`
		Registered  sql.NullTime   `db:"registered"`
		Autobid     bool           `db:"autobid"`
		Placed      time.Time      `db:"placed"`
		Trace       []byte         `db:"trace"`
	}
	err = sqlx.SelectContext(ctx, db, &rows, `SELECT application, position, skip, check_name, clause, note,
		skipped_by, skipped_at, band, effective, registered, autobid, placed, trace
		FROM shortlist_entries
		WHERE shortlist = (SELECT max(id) FROM shortlists WHERE advert = $1)
		ORDER BY position IS NULL, position, application`, advert)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		var n int
		if err := sqlx.GetContext(ctx, db, &n, `SELECT count(*) FROM shortlists WHERE advert = $1`, advert); err != nil {
			return nil, nil, err
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("advert %d: %w (is its cycle closed?)", advert, ErrNotShortlisted)
		}
	}
	for _, r := range rows {
		e := shortlist.Entry{Application: r.Application, Advert: advert, Position: int(r.Position.Int64),
			Skip: r.Skip.String, Check: r.Check, Clause: r.Clause, Note: r.Note, By: r.By,
			Band: band(r.Band), Effective: date(r.Effective), Registered: date(r.Registered),
			Autobid: r.Autobid, Placed: r.Placed.UTC()}
		if r.At.Valid {
			e.At = r.At.Time.UTC()
		}
		entries = append(entries, e)
		traces = append(traces, json.RawMessage(r.Trace))
	}
	return entries, traces, nil
}

// AdvertSummary is one advert's shortlist at a cycle's close, in numbers.
type AdvertSummary struct {
	Advert   int64 `db:"advert"`
	Bids     int   `db:"bids"`     // entries: ranked + skipped
	Ranked   int   `db:"ranked"`   // eligible bids
	Skipped  int   `db:"skipped"`  // skipped with a reason code
	Autobids int   `db:"autobids"` // entries that are autobids
	First    int64 `db:"first"`    // the application ranked first; 0 if none
}

// CycleSummary returns, for each advert of the cycle in id order, what its shortlist
// made at the cycle's close holds (zeros while the cycle is open).
func CycleSummary(ctx context.Context, db sqlx.QueryerContext, cycle int64) ([]AdvertSummary, error) {
	var out []AdvertSummary
	err := sqlx.SelectContext(ctx, db, &out, `SELECT a.id AS advert, count(e.application) AS bids,
		count(e.position) AS ranked, count(e.skip) AS skipped, count(*) FILTER (WHERE e.autobid) AS autobids,
		coalesce(max(e.application) FILTER (WHERE e.position = 1), 0) AS first
		FROM adverts a
		LEFT JOIN shortlists s ON s.advert = a.id AND s.cycle = $1
		LEFT JOIN shortlist_entries e ON e.shortlist = s.id
		WHERE a.cycle = $1 GROUP BY a.id ORDER BY a.id`, cycle)
	return out, err
}

// begin starts a transaction that ends only by Commit or Rollback, not when ctx ends:
// database/sql would otherwise roll it back from another goroutine while a COPY is in
// flight, and lib/pq then hangs. Statements still take ctx (lib/pq cancels them on the
// server), and the COPY loops check ctx between batches, so Ctrl-C stops the work and
// the deferred Rollback leaves nothing behind.
func begin(ctx context.Context, db *sqlx.DB) (*sqlx.Tx, error) {
	return db.BeginTxx(context.WithoutCancel(ctx), nil)
}
