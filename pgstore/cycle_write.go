package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

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
	// conn, when set, is the connection tx runs on: rows are then sent as COPY text a
	// batch at a time (copyText).
	conn *sql.Conn
}

// newWriter returns a writer for tx, a transaction of db on conn (nil if tx has no
// connection of its own: rows then go one database/sql Exec each).
func newWriter(ctx context.Context, db *sqlx.DB, tx *sqlx.Tx, conn *sql.Conn) (*closeWriter, error) {
	w := &closeWriter{ctx: ctx, tx: tx, db: db, conn: conn}
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

// copy writes n rows to table with one COPY. The rows are built (row(i), called in
// order on a goroutine of its own, so it must only read shared data) a batch ahead of
// the COPY, so encoding them overlaps the database's work.
func (w *closeWriter) copy(table string, cols []string, n int, row func(i int) ([]any, error)) error {
	if n == 0 {
		return nil
	}
	if w.conn != nil {
		return w.copyText(table, cols, n, textOf(row))
	}
	stmt, err := w.tx.PrepareContext(w.ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	defer stmt.Close()
	batches, stop := produce(n, rowsOf(row))
	defer stop()
	err = w.stream(n, batches, func(b rowBatch) error {
		for _, args := range b.rows {
			if _, err := stmt.ExecContext(w.ctx, args...); err != nil {
				return err
			}
		}
		return nil
	}, func() error {
		_, err := stmt.ExecContext(w.ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	return stmt.Close()
}

// stream hands a COPY's n rows from batches to send, reporting progress and checking
// w.ctx between batches, then ends the COPY with end. Ending it runs its rows'
// foreign-key checks (seconds for millions of rows): if ctx ends before or meanwhile,
// the server is told to cancel them rather than be waited for.
func (w *closeWriter) stream(n int, batches <-chan rowBatch, send func(rowBatch) error, end func() error) error {
	for start := 0; start < n; start += batch {
		if start > 0 {
			w.rows += batch
			if w.progress != nil {
				w.progress(w.rows)
			}
		}
		if err := w.ctx.Err(); err != nil {
			if start > 0 {
				w.abort()
			}
			return err
		}
		b := <-batches
		if b.err != nil {
			return b.err
		}
		if err := send(b); err != nil {
			return err
		}
	}
	if err := w.ctx.Err(); err != nil {
		w.abort()
		return err
	}
	unwatch := context.AfterFunc(w.ctx, w.abort)
	defer unwatch()
	return end()
}

// rowBatch is up to batch rows ready for COPY (as arguments, or as COPY text lines
// separated by newlines), or the error that stopped building them.
type rowBatch struct {
	rows [][]any
	text []byte
	n    int // rows in text
	err  error
}

// rowsOf adds row(i) to a batch as arguments.
func rowsOf(row func(i int) ([]any, error)) func(*rowBatch, int) error {
	return func(b *rowBatch, i int) error {
		args, err := row(i)
		if err == nil {
			b.rows = append(b.rows, args)
		}
		return err
	}
}

// textOf adds row(i) to a batch as a line of COPY text.
func textOf(row func(i int) ([]any, error)) func(*rowBatch, int) error {
	return linesOf(func(t []byte, i int) ([]byte, error) {
		args, err := row(i)
		if err != nil {
			return t, err
		}
		return appendCopyRow(t, args)
	})
}

// linesOf adds a batch's i-th line, appended by line, to its COPY text.
func linesOf(line func(t []byte, i int) ([]byte, error)) func(*rowBatch, int) error {
	return func(b *rowBatch, i int) (err error) {
		if b.n > 0 {
			b.text = append(b.text, '\n')
		}
		b.n++
		b.text, err = line(b.text, i)
		return err
	}
}

// producers is how many goroutines build rows: building a shortlist entry's trace
// (Explain and JSON) costs about as much as the database takes to store it.
const producers = 2

// produce builds rows 0..n-1 (add puts row i into a batch) in batches on producers
// goroutines, each at most one batch ahead, and hands them out in order. stop ends
// them early (each goroutine returns once its batch is built).
func produce(n int, add func(b *rowBatch, i int) error) (<-chan rowBatch, func()) {
	out := make(chan rowBatch, 1)
	done := make(chan struct{})
	var lanes [producers]chan rowBatch
	for w := range lanes {
		lanes[w] = make(chan rowBatch, 1)
		go func(lane chan<- rowBatch) {
			defer close(lane)
			for start := w * batch; start < n; start += producers * batch {
				var b rowBatch
				for i := start; i < min(start+batch, n); i++ {
					if err := add(&b, i); err != nil {
						b.err = err
						break
					}
				}
				select {
				case lane <- b:
				case <-done:
					return
				}
				if b.err != nil {
					return
				}
			}
		}(lanes[w])
	}
	go func() {
		defer close(out)
		for k := 0; k*batch < n; k++ {
			b, ok := <-lanes[k%producers]
			if !ok {
				return
			}
			select {
			case out <- b:
			case <-done:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return out, func() { close(done) }
}

// autobids counts the autobids the close placed (those not already held as bids).
// They are kept as the cycle's entries (autobid, placed), not copied into bids
// (migration 0012; bids_all reads them back as bids). An autobid held in bids on one
// of the cycle's adverts (brought in by an import) moves to its entry too, so that
// bids_all holds it once. held are the bids on the cycle's adverts: each live one is
// an entry.
func (w *closeWriter) autobids(cycle int64, closed *shortlist.Closed, held []bidding.Bid) (int, error) {
	placed := 0
	for i := range closed.Shortlists {
		placed += autobidsOn(&closed.Shortlists[i])
	}
	moved := 0
	for _, b := range held {
		if b.Autobid && b.Live() {
			moved++
		}
	}
	if moved > 0 {
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM bids b USING adverts a
			WHERE a.id = b.advert AND a.cycle = $1 AND b.autobid AND b.withdrawn IS NULL`, cycle); err != nil {
			return 0, fmt.Errorf("move held autobids to their entries: %w", err)
		}
	}
	return placed - moved, nil
}

// shortlists writes one shortlist row per advert and every entry. Traces are not
// stored: they are rebuilt on request from the cycle's recorded inputs (Trace).
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
	refs := make([]ref, 0, entriesOf(closed.Shortlists))
	for i, sl := range closed.Shortlists {
		for j := range len(sl.Ranked) + len(sl.Skipped) {
			refs = append(refs, ref{i, j})
		}
	}
	table, attach, err := w.entryTable(cycle)
	if err != nil {
		return err
	}
	err = w.copyLines(table, []string{"shortlist", "cycle", "application", "position", "skip", "check_name", "clause",
		"note", "skipped_by", "skipped_at", "band", "effective", "registered", "autobid", "placed"}, len(refs),
		func(t []byte, k int) ([]byte, error) {
			r := refs[k]
			return appendEntry(t, ids[r.sl], cycle, entryAt(&closed.Shortlists[r.sl], r.entry)), nil
		})
	if err != nil {
		return err
	}
	return attach()
}

// entryTable returns the table a close's entries are copied into and the step that
// makes them rows of shortlist_entries (partitioned by cycle, migration 0007): a new
// table, attached as the cycle's partition once it is full. Attaching checks its foreign
// keys with one join and builds its indexes by sorting, where a COPY into
// shortlist_entries would check every row with a query of its own. The table is created
// in the close's transaction, so a close that fails leaves none. If the cycle has a
// partition already (made by hand, or left empty by import --replace of an older
// register), the rows go through shortlist_entries and are checked one by one.
func (w *closeWriter) entryTable(cycle int64) (string, func() error, error) {
	name := EntryPartition(cycle)
	var held bool
	if err := w.tx.GetContext(w.ctx, &held, `SELECT EXISTS (SELECT 1 FROM pg_inherits
		WHERE inhparent = 'shortlist_entries'::regclass AND inhrelid = to_regclass($1))`, name); err != nil {
		return "", nil, fmt.Errorf("write shortlist_entries: %w", err)
	}
	if held {
		return "shortlist_entries", func() error { return nil }, nil
	}
	// DDL takes no bind parameters: the name and the bound are formatted from an int64.
	q := pq.QuoteIdentifier(name)
	if _, err := w.tx.ExecContext(w.ctx, fmt.Sprintf(`CREATE TABLE %s
		(LIKE shortlist_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (cycle = %d))`, q, cycle)); err != nil {
		return "", nil, fmt.Errorf("write shortlist_entries: %w", err)
	}
	return name, func() error {
		// Attaching sorts the entries for each index and joins them to the applications to
		// check the foreign key. PostgreSQL's defaults (64 MB, 4 MB) are small for a
		// national cycle's 750k entries: attach 3.2 s with them, 2.3 s with these, which
		// end with the transaction. Without hash joins the check against 1.34M
		// applications is a merge of the sorted entries with the applications' key
		// (0.37 s) rather than a hash of every application (0.75 s): attach 0.9 s, not
		// 1.4 s.
		if _, err := w.tx.ExecContext(w.ctx, `SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '256MB';
			SET LOCAL enable_hashjoin = off`); err != nil {
			return fmt.Errorf("write shortlist_entries: %w", err)
		}
		_, err := w.tx.ExecContext(w.ctx, fmt.Sprintf(`ALTER TABLE shortlist_entries ATTACH PARTITION %s FOR VALUES IN (%d);
			RESET enable_hashjoin`, q, cycle))
		if err != nil {
			return fmt.Errorf("write shortlist_entries: %w", err)
		}
		return nil
	}, nil
}

// EntryPartition is the name of cycle's partition of shortlist_entries.
func EntryPartition(cycle int64) string { return fmt.Sprintf("shortlist_entries_c%d", cycle) }

// appendEntry appends e as a shortlist_entries row of shortlist id in COPY text, in
// copyLines' column order: ranked with its position, or skipped with its code.
func appendEntry(t []byte, id, cycle int64, e *shortlist.Entry) []byte {
	f := copyFields{b: t}
	f.int(id)
	f.int(cycle)
	f.int(e.Application)
	if e.Skip != "" {
		f.null()
		f.str(e.Skip)
	} else {
		f.int(int64(e.Position))
		f.null()
	}
	f.str(e.Check)
	f.str(e.Clause)
	f.str(e.Note)
	f.str(e.By)
	f.time(e.At)
	f.band(e.Band)
	f.date(e.Effective)
	f.date(e.Registered)
	f.bool(e.Autobid)
	f.time(e.Placed)
	return f.b
}

// entriesOf counts the entries of sls, ranked and skipped.
func entriesOf(sls []shortlist.Shortlist) int {
	n := 0
	for i := range sls {
		n += len(sls[i].Ranked) + len(sls[i].Skipped)
	}
	return n
}

// autobidsOn counts sl's autobid entries, ranked or skipped.
func autobidsOn(sl *shortlist.Shortlist) int {
	n := 0
	for _, list := range [][]shortlist.Entry{sl.Ranked, sl.Skipped} {
		for _, e := range list {
			if e.Autobid {
				n++
			}
		}
	}
	return n
}

// entryAt is a shortlist's j-th entry counting ranked then skipped.
func entryAt(sl *shortlist.Shortlist, j int) *shortlist.Entry {
	if j < len(sl.Ranked) {
		return &sl.Ranked[j]
	}
	return &sl.Skipped[j-len(sl.Ranked)]
}

// events logs the close: one row for the cycle and one per advert's shortlist, with
// its counts. Autobids get no row each (a national close placed 266k, 45 MB of events a
// week): each is its entry, and an application's bids (bids_all) list them.
func (w *closeWriter) events(cycle int64, actor string, closed *shortlist.Closed, autobids int) error {
	type ev struct {
		kind   string
		advert int64
		detail any
	}
	var evs []ev
	for i := range closed.Shortlists {
		sl := &closed.Shortlists[i]
		evs = append(evs, ev{"shortlist", sl.Advert, map[string]any{"cycle": cycle,
			"ranked": len(sl.Ranked), "skipped": len(sl.Skipped), "autobids": autobidsOn(sl)}})
	}
	evs = append(evs, ev{"cycle_close", 0, map[string]any{"cycle": cycle, "adverts": len(closed.Shortlists),
		"entries": entriesOf(closed.Shortlists), "autobids": autobids, "policy": closed.Closing.Index.Rules.Policy.Name()}})
	return w.copy("events", []string{"actor", "kind", "advert", "reason", "detail"}, len(evs), func(i int) ([]any, error) {
		e := evs[i]
		d, err := json.Marshal(e.detail)
		return []any{actor, e.kind, nullID(e.advert), "cycle close", string(d)}, err
	})
}
