package pgstore

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/replay"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

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
	// Purged are the cycles whose recorded households the close's retention purge
	// removed (upkeep.inputs_retention_days); PurgeErr, if set, says why that purge
	// failed (the close itself is done; the next close purges them).
	Purged   []int64
	PurgeErr error
	// Summary is what CycleSummary reads back from the rows this close wrote (nil when
	// AlreadyClosed), made from the close itself rather than a scan of its entries.
	Summary []AdvertSummary
}

// CloseCycle closes cycle id (S6.4, S7): it reads the register (as officers'
// decisions left it) and the officers' autobid exclusions, runs shortlist.CloseCycle
// under the cycle's policy, and writes the autobids, one shortlist
// per advert with every entry (ranked with position, or skipped with code and check)
// and its JSON trace, the events and the cycle's closed_at — all in one transaction
// holding the cycle's advisory lock. A second close of the same cycle waits for the
// first and then finds it closed; closing a closed cycle returns AlreadyClosed and
// writes nothing. If ctx ends (or anything fails) part way, nothing is written.
//
// At national scale (1.3M households) a close holds about 400 MB live and allocates
// gigabytes: cbl cycle close runs it with GOGC=400 (a sixth less CPU, 2.0 GB peak
// resident instead of 1.5); an embedding process chooses its own (debug.SetGCPercent).
func CloseCycle(ctx context.Context, db *sqlx.DB, id int64, opts CloseOptions) (*CloseResult, error) {
	res, err := closeCycle(ctx, db, id, opts)
	if err == nil && !res.AlreadyClosed {
		// Retention (S7.7), after the commit and in a transaction of its own: a failure
		// here leaves the close done and the purge to the next close.
		if p, perr := CyclePolicy(res.Cycle.Cycle); perr != nil {
			res.PurgeErr = perr
		} else if days := p.Upkeep.InputsRetentionDays; days > 0 {
			res.Purged, res.PurgeErr = PurgeInputs(context.WithoutCancel(ctx), db, res.Cycle.Closes.AddDate(0, 0, -days))
		}
	}
	if err != nil && ctx.Err() != nil {
		// However lib/pq or a COPY loop noticed, say why it stopped.
		return nil, fmt.Errorf("close cycle %d interrupted; nothing written: %w", id, ctx.Err())
	}
	if err != nil && LostConnection(err) {
		// database/sql says only "driver: bad connection". The transaction ended with the
		// connection, so nothing is kept — unless it was lost during the commit itself,
		// when the server may have committed: then a re-run says the cycle is closed.
		var ce *commitError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("close cycle %d: the connection to the database was lost while committing (was the server stopped?), so the close may or may not be recorded; run it again: it closes the cycle or says it was already closed (%w)", id, err)
		}
		return nil, fmt.Errorf("close cycle %d: the connection to the database was lost (was the server stopped?); nothing written; run it again once the server is back (%w)", id, err)
	}
	return res, err
}

// commitError is an error from the close's COMMIT.
type commitError struct{ err error }

func (e *commitError) Error() string { return e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// LostConnection reports whether err means the connection to the server was lost —
// the server stopped, restarted or ended the session, or the network failed — rather
// than a refusal of what was asked.
func LostConnection(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return true
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is shutting down,
		// crashed or not yet accepting connections.
		switch {
		case pe.Code.Class() == "08", pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			return true
		}
	}
	return false
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
	// Shared with other closes, exclusive to a purge of recorded inputs (PurgeInputs):
	// taken before the snapshot, so that no purge commits between the states this close
	// sees as recorded and its commit of references to them.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock_shared($1, $2)`, cycleLockSpace, inputsLockKey); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock_shared($1, $2)`, cycleLockSpace, inputsLockKey)
	// Repeatable read, begun after the lock: one consistent view of the register that
	// includes a close committed by whoever held the lock before us. (Not ended by ctx:
	// see begin.)
	tx, err := conn.BeginTxx(context.WithoutCancel(ctx), &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Step 2 of the lock order: the tables read, before the first query takes the
	// transaction's snapshot, so that an import --replace committed while we waited is
	// seen whole (TRUNCATE is not MVCC-safe: a snapshot older than it sees its tables
	// empty, and the cycle would be "no such cycle").
	if _, err := tx.ExecContext(ctx, closeReadLocks); err != nil {
		return nil, fmt.Errorf("close cycle %d: lock the register: %w", id, err)
	}
	// The close's queries read whole tables once: compiling them (PostgreSQL's JIT, on
	// by default for queries it costs that high) took 0.6 s a query at national scale.
	// Their rows are sorted by application: with the default 4 MB of work_mem the
	// national close's 945k members were sorted on disk (0.76 s; in memory 0.47 s).
	if _, err := tx.ExecContext(ctx, closeSettings); err != nil {
		return nil, err
	}
	c, err := getCycle(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	res := &CloseResult{Cycle: c}
	if !c.ClosedAt.IsZero() {
		res.AlreadyClosed = true
		return res, nil
	}
	// Bids are taken to the end of the closing minute (S6.1): a close at 23:59:30 would
	// race the last of them.
	if !opts.Now.IsZero() && opts.Now.Before(c.Ends()) {
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
	r, err := loadForCycle(ctx, db, tx, c.ID, func(ctx context.Context) ([]int64, error) {
		return closeFilter(ctx, tx, p.Bidding.AutobidBands)
	})
	if err != nil {
		return nil, fmt.Errorf("close cycle %d: %w", id, err)
	}
	res.Read = time.Since(start)
	start = time.Now()
	s := r.Snapshot
	closed, err := shortlist.CloseCycle(ctx, rules, c.Cycle, s.Applications, c.Cycle.AdvertsOf(s.Adverts), s.Bids, r.excluded)
	if err != nil {
		return nil, fmt.Errorf("close cycle %d: %w", id, err)
	}
	res.Closed = closed
	// Capturing and encoding what the close ranked from takes seconds at national scale:
	// it runs while the rows below are written. Once captured, the 400k households read
	// are dropped, so that the collector reuses their memory rather than the heap grow
	// (each page a national close touches first is a fault: 600k of them were 4–7 s of
	// system time).
	apps := s.Applications
	s.Applications = nil
	encoded := make(chan encodeResult, 1)
	go func() {
		in, err := replay.Capture(closed, apps, s.Bids, r.pairs)
		apps = nil
		var e *encodedInputs
		if err == nil {
			e, err = encodeInputs(c.ID, in, r.heads)
		}
		encoded <- encodeResult{e, err}
	}()
	res.Entries = entriesOf(closed.Shortlists)
	res.Shortlist = time.Since(start)
	start = time.Now()
	w, err := newWriter(ctx, db, tx, conn.Conn)
	if err != nil {
		return nil, err
	}
	w.progress = opts.Progress
	// Step 3 of the lock order, before the first row is written.
	if _, err := tx.ExecContext(ctx, closeWriteLocks); err != nil {
		return nil, fmt.Errorf("close cycle %d: lock the shortlists: %w", id, err)
	}
	added, err := w.autobids(c.ID, closed, s.Bids)
	if err != nil {
		return nil, err
	}
	res.Autobids = added
	if err := w.shortlists(c.ID, closed); err != nil {
		return nil, err
	}
	if err := w.events(c.ID, opts.Actor, closed, added); err != nil {
		return nil, err
	}
	enc := <-encoded
	if enc.err != nil {
		return nil, fmt.Errorf("close cycle %d: record its inputs: %w", id, enc.err)
	}
	if err := w.inputs(c.ID, enc.e); err != nil {
		return nil, err
	}
	upd, err := tx.ExecContext(ctx, `UPDATE cycles SET closed_at = now(), closed_by = $2 WHERE id = $1 AND closed_at IS NULL`, id, opts.Actor)
	if err != nil {
		return nil, err
	}
	if n, _ := upd.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("close cycle %d: closed by someone else meanwhile", id)
	}
	if err := ctx.Err(); err != nil { // interrupted after the last batch: keep nothing
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, &commitError{err}
	}
	res.Write = time.Since(start)
	res.Summary = summaryOf(id, s.Adverts, closed)
	// Committed: ctx ending now must not turn the close into "interrupted; nothing
	// written" (a deadline falling just here did, under parallel tests' load).
	res.Cycle, err = getCycle(context.WithoutCancel(ctx), db, id)
	return res, err
}

// A close takes its locks in one order, so that closes of different cycles, decisions,
// bids, assessments and imports running at once each end in success or a clear refusal,
// never a deadlock (docs/cli.md, "Lock order"):
//
//  1. the cycle's advisory lock (lockCycle, held by the session): one close per cycle;
//  2. ACCESS SHARE on every table the close reads (closeReadLocks), in one statement,
//     before the transaction's snapshot;
//  3. before writing: SHARE UPDATE EXCLUSIVE on shortlist_entries, then SHARE ROW
//     EXCLUSIVE on shortlists (closeWriteLocks). Both conflict with themselves, so
//     closes of different cycles read and shortlist at once but write one after the
//     other. Before this step two closes deadlocked: each attached its partition, which
//     takes shortlist_entries' lock and, for the foreign key, shortlists' — one had the
//     first and waited for the second while the other held shortlists (its COPY) and
//     waited for shortlist_entries;
//  4. at the attach, SHARE ROW EXCLUSIVE on applications (the entries' foreign key):
//     decisions that change an application wait for the commit; reads and bids do not.
//
// Nothing else a close does waits on a lock held by something that waits on the close.
const (
	closeReadLocks = `LOCK TABLE applications, members, medical_assessments, medical_conditions,
		band_history, overrides, refusals, landlords, cycles, adverts, advert_local_lettings, bids,
		autobid_exclusions, recorded_states IN ACCESS SHARE MODE`
	closeWriteLocks = `LOCK TABLE shortlist_entries IN SHARE UPDATE EXCLUSIVE MODE;
		LOCK TABLE shortlists IN SHARE ROW EXCLUSIVE MODE`
)

// closeSettings are the close's read transactions' settings (see closeCycle).
const closeSettings = `SET LOCAL jit = off; SET LOCAL work_mem = '128MB'`

type encodeResult struct {
	e   *encodedInputs
	err error
}

// summaryOf is CycleSummary of cycle as closed: each of its adverts in id order.
func summaryOf(cycle int64, adverts []bidding.Advert, closed *shortlist.Closed) []AdvertSummary {
	lists := make(map[int64]*shortlist.Shortlist, len(closed.Shortlists))
	for i := range closed.Shortlists {
		lists[closed.Shortlists[i].Advert] = &closed.Shortlists[i]
	}
	var out []AdvertSummary
	for _, ad := range adverts {
		if ad.Cycle != cycle {
			continue
		}
		sum := AdvertSummary{Advert: ad.ID}
		if sl := lists[ad.ID]; sl != nil {
			sum.Ranked, sum.Skipped = len(sl.Ranked), len(sl.Skipped)
			sum.Bids = sum.Ranked + sum.Skipped
			if len(sl.Ranked) > 0 {
				sum.First = sl.Ranked[0].Application
			}
			sum.Autobids = autobidsOn(sl)
		}
		out = append(out, sum)
	}
	slices.SortFunc(out, func(a, b AdvertSummary) int { return cmp.Compare(a.Advert, b.Advert) })
	return out
}

// closeFilter is most of the applications a close of cycle can rank: every active one
// that autobid may bid for — one that has held a band of bands (the autobid bands) or
// has no band history, whose band at close is then its assessed one
// (bidding.Rules.Profile). loadForCycle adds the rest: every one with a bid on the
// cycle's adverts (withdrawn ones too), known from the bids it reads meanwhile. The
// others can reach no shortlist, so a national close need not read, assess or record
// their 1.3 million households; ranking them all gives the same shortlists (replay's
// tests rank a close's recorded households alone and get the close's). The ids come
// unsorted and may repeat: loadForCycle sorts them once with the bidders'.
func closeFilter(ctx context.Context, tx *sqlx.Tx, bands []register.Band) ([]int64, error) {
	names := make([]string, len(bands))
	for i, b := range bands {
		names[i] = b.String()
	}
	ids := []int64{}
	// Two plain joins rather than one OR, which PostgreSQL runs as a probe of
	// band_history per application (3.3 s at national scale); UNION ALL and no ORDER
	// BY, and the bidders left to loadForCycle: deduplicating and sorting the half
	// million bidders with the rest took PostgreSQL 0.35 s of the filter's 1.1 s.
	err := tx.SelectContext(ctx, &ids, `SELECT h.application FROM band_history h JOIN applications a ON a.id = h.application
		WHERE h.band = ANY($1) AND a.status = 'active'
		UNION ALL
		SELECT a.id FROM applications a WHERE a.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM band_history h WHERE h.application = a.id)`, pq.Array(names))
	return ids, err
}

// bidders adds the applications of bids to ids, and returns them sorted without
// repeats.
func bidders(ids []int64, bids []bidding.Bid) []int64 {
	ids = slices.Grow(ids, len(bids))
	for i := range bids {
		ids = append(ids, bids[i].Application)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// loadForCycle reads what a close needs: the applications filter gives (closeFilter's,
// with every application that bid on cycle's adverts; nil filter: all of them) with
// their child rows, adverts, the bids on cycle's adverts, the officers' autobid
// exclusions and the households' last recorded states. Decoding the rows in Go is much
// of the work, so it is split over two connections read at once: tx works out the
// filter and then reads the applications table and some of their child tables while a
// second, read-only transaction of db that shares tx's snapshot (pg_export_snapshot),
// so sees exactly the register tx sees, reads the bids meanwhile, then the rest once
// the filter is known; the child rows are attached to the applications afterwards. The
// split follows the reads' times at England scale (the filter 0.75 s and the bids
// 1.2 s side by side; then the applications 1.0 s and band history 0.6 s against the
// members 1.0 s, recorded states, assessments and conditions 0.4 s), so that both
// sides take about as long.
func loadForCycle(ctx context.Context, db *sqlx.DB, tx *sqlx.Tx, cycle int64, filter func(context.Context) ([]int64, error)) (*closeRead, error) {
	var snap string
	if err := tx.GetContext(ctx, &snap, `SELECT pg_export_snapshot()`); err != nil {
		return nil, err
	}
	r := &closeRead{Snapshot: &snapshot.Snapshot{}}
	s := r.Snapshot
	var children appChildren // each reader below fills only its own field
	var only appFilter
	bidsRead := make(chan struct{}) // closed once s.Bids is set
	known := make(chan struct{})    // closed once only is set
	err := both(ctx,
		func(ctx context.Context) error {
			if filter != nil {
				ids, err := filter(ctx)
				if err != nil {
					return fmt.Errorf("the applications it can rank: %w", err)
				}
				select {
				case <-bidsRead:
				case <-ctx.Done(): // the other side failed
					return ctx.Err()
				}
				only = someApps(bidders(ids, s.Bids))
			}
			close(known)
			apps, err := readApplicationRows(ctx, tx, only)
			if err != nil {
				return err
			}
			s.Applications = apps
			for _, read := range []childReader{children.readHistory, children.readOverrides, children.readRefusals} {
				if err := read(ctx, tx, only); err != nil {
					return err
				}
			}
			return nil
		},
		func(ctx context.Context) error {
			rtx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
			if err != nil {
				return err
			}
			defer rtx.Rollback()
			if _, err := rtx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+snap+`'`); err != nil {
				return err
			}
			if _, err := rtx.ExecContext(ctx, closeSettings); err != nil {
				return err
			}
			if err := readCycleAdverts(ctx, rtx, s, cycle); err != nil {
				return err
			}
			if err := readBids(ctx, rtx, s, cycle); err != nil {
				return err
			}
			close(bidsRead)
			if r.excluded, r.pairs, err = excludedFunc(ctx, rtx); err != nil {
				return err
			}
			select {
			case <-known:
			case <-ctx.Done(): // the other side failed
				return ctx.Err()
			}
			if r.heads, err = recordedHeads(ctx, rtx, only); err != nil {
				return err
			}
			for _, read := range []childReader{children.readMembers, children.readMedical, children.readConditions} {
				if err := read(ctx, rtx, only); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	if err := children.attach(s.Applications); err != nil {
		return nil, err
	}
	return r, nil
}

// closeRead is what a close reads before it ranks: the register (only the
// applications it can rank, the bids on its adverts), the officers' autobid exclusions
// (as a test and as pairs), and the last recorded state of each application.
type closeRead struct {
	*snapshot.Snapshot
	excluded func(app, advert int64) bool
	pairs    [][2]int64
	heads    map[int64]recordedHead
}

// both runs a and b at once (b on a new goroutine) and returns the first error either
// gives, or nil. The first error cancels the ctx the other was given, so that it stops
// too rather than read on for nothing; both have returned when both does.
func both(ctx context.Context, a, b func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
	)
	fail := func(err error) {
		if err == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if first == nil { // the other's error, if any, comes of this cancel
			first = err
			cancel()
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fail(b(ctx))
	}()
	fail(a(ctx))
	<-done
	return first
}
