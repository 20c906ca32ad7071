package pgstore

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
	"github.com/jmoiron/sqlx"
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
	c, err = bidding.CycleFrom(p, next, at)
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

// begin starts a transaction that ends only by Commit or Rollback, not when ctx ends:
// database/sql would otherwise roll it back from another goroutine while a COPY is in
// flight, and lib/pq then hangs. Statements still take ctx (lib/pq cancels them on the
// server), and the COPY loops check ctx between batches, so Ctrl-C stops the work and
// the deferred Rollback leaves nothing behind.
func begin(ctx context.Context, db *sqlx.DB) (*sqlx.Tx, error) {
	return db.BeginTxx(context.WithoutCancel(ctx), nil)
}

// beginWriter is begin on a connection of its own, with a writer for the transaction
// (w.tx) that sends its rows as COPY text a batch at a time. end rolls the transaction
// back unless it was committed, and releases the connection.
func beginWriter(ctx context.Context, db *sqlx.DB) (w *closeWriter, end func(), err error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTxx(context.WithoutCancel(ctx), nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	end = func() {
		tx.Rollback()
		conn.Close()
	}
	if w, err = newWriter(ctx, db, tx, conn.Conn); err != nil {
		end()
		return nil, nil, err
	}
	return w, end, nil
}

// Cycle states, as Cycles reports them.
const (
	CycleUpcoming = "upcoming" // its window has not opened
	CycleBidding  = "bidding"  // its window is open: bids are taken
	CycleToClose  = "to_close" // its window has ended; cbl cycle close has not run
	CycleClosed   = "closed"   // closed: shortlists made
)

// CycleRow is one cycle as cbl cycle list shows it.
type CycleRow struct {
	Cycle    int64      `json:"cycle" db:"id"`
	Opens    time.Time  `json:"opens" db:"opens"`
	Closes   time.Time  `json:"closes" db:"closes"`
	Policy   string     `json:"policy" db:"policy"`
	State    string     `json:"state" db:"-"`
	Adverts  int        `json:"adverts" db:"adverts"`
	Bids     int        `json:"bids" db:"bids"`
	ClosedAt *time.Time `json:"closed_at" db:"closed_at"`
	ClosedBy string     `json:"closed_by" db:"closed_by"`
}

// Cycles lists every cycle held, newest first, with its state at now and how many
// adverts and live bids (autobids included once placed) it holds.
func Cycles(ctx context.Context, db sqlx.QueryerContext, now time.Time) ([]CycleRow, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	var rows []CycleRow
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT c.id, c.opens, c.closes, c.policy, c.closed_at, c.closed_by,
		(SELECT count(*) FROM adverts a WHERE a.cycle = c.id) AS adverts,
		(SELECT count(*) FROM bids_all b JOIN adverts a ON a.id = b.advert WHERE a.cycle = c.id AND b.withdrawn IS NULL) AS bids
		FROM cycles c ORDER BY c.closes DESC, c.id DESC`); err != nil {
		return nil, fmt.Errorf("read cycles: %w", err)
	}
	for i := range rows {
		r := &rows[i]
		c := bidding.Cycle{ID: r.Cycle, Opens: r.Opens, Closes: r.Closes}
		switch {
		case r.ClosedAt != nil:
			r.State = CycleClosed
		case now.Before(c.Opens):
			r.State = CycleUpcoming
		case c.Open(now):
			r.State = CycleBidding
		default:
			r.State = CycleToClose
		}
		r.Opens, r.Closes = r.Opens.UTC(), r.Closes.UTC()
		if r.ClosedAt != nil {
			t := r.ClosedAt.UTC()
			r.ClosedAt = &t
		}
	}
	return rows, nil
}

// AdvertRow is one advert as cbl advert list shows it.
type AdvertRow struct {
	Advert    int64     `json:"advert" db:"id"`
	Cycle     int64     `json:"cycle" db:"cycle"`
	Landlord  string    `json:"landlord" db:"landlord"`
	Locality  string    `json:"locality" db:"locality"`
	Type      string    `json:"type" db:"type"`
	Bedrooms  int       `json:"bedrooms" db:"bedrooms"`
	Closes    time.Time `json:"closes" db:"closes"`
	Withdrawn bool      `json:"withdrawn" db:"withdrawn"`
	Bids      int       `json:"bids" db:"bids"`
	// Walk is where the walk stands: "" before the cycle closed, else open, let or
	// withdrawn (open until a decision reaches it).
	Walk   string `json:"walk" db:"walk"`
	Tenant *int64 `json:"tenant" db:"tenant"`
}

// Adverts lists the adverts of cycle (every cycle if 0), by id; with open, only those
// whose walk is still open (not let or withdrawn).
func Adverts(ctx context.Context, db sqlx.QueryerContext, cycle int64, open bool) ([]AdvertRow, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	var rows []AdvertRow
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT a.id, a.cycle, a.landlord, a.locality, a.type, a.bedrooms,
		a.closes, a.withdrawn, (SELECT count(*) FROM bids_all b WHERE b.advert = a.id AND b.withdrawn IS NULL) AS bids,
		CASE WHEN w.status IS NOT NULL THEN w.status WHEN c.closed_at IS NOT NULL THEN 'open' ELSE '' END AS walk,
		w.tenant
		FROM adverts a JOIN cycles c ON c.id = a.cycle LEFT JOIN walks w ON w.advert = a.id
		WHERE ($1 = 0 OR a.cycle = $1)
		  AND (NOT $2 OR (c.closed_at IS NOT NULL AND coalesce(w.status, 'open') = 'open' AND NOT a.withdrawn))
		ORDER BY a.id`, cycle, open); err != nil {
		return nil, fmt.Errorf("read adverts: %w", err)
	}
	for i := range rows {
		rows[i].Closes = rows[i].Closes.UTC()
	}
	return rows, nil
}

// BidRow is one bid as cbl bid list shows it: with its place on the advert's stored
// shortlist once the cycle closed.
type BidRow struct {
	Application int64      `json:"application" db:"application"`
	Advert      int64      `json:"advert" db:"advert"`
	Cycle       int64      `json:"cycle" db:"cycle"`
	Placed      time.Time  `json:"placed" db:"placed"`
	Autobid     bool       `json:"autobid" db:"autobid"`
	Withdrawn   *time.Time `json:"withdrawn" db:"withdrawn"`
	Position    *int       `json:"position" db:"position"`
	Skip        *string    `json:"skip" db:"skip"`
}

// Bids lists the bids of application app, or on advert (one of the two is 0), with
// their shortlist positions or skip codes once shortlisted, in placing order.
func Bids(ctx context.Context, db sqlx.QueryerContext, app, advert int64) ([]BidRow, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	var rows []BidRow
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT b.application, b.advert, a.cycle, b.placed, b.autobid, b.withdrawn,
		e.position, e.skip
		FROM bids_all b JOIN adverts a ON a.id = b.advert
		LEFT JOIN LATERAL (SELECT id FROM shortlists s WHERE s.advert = b.advert ORDER BY id DESC LIMIT 1) s ON true
		LEFT JOIN shortlist_entries e ON e.shortlist = s.id AND e.cycle = a.cycle AND e.application = b.application
		WHERE ($1 <> 0 AND b.application = $1) OR ($2 <> 0 AND b.advert = $2)
		ORDER BY b.placed, b.advert, b.application`, app, advert); err != nil {
		return nil, fmt.Errorf("read bids: %w", err)
	}
	for i := range rows {
		rows[i].Placed = rows[i].Placed.UTC()
		if rows[i].Withdrawn != nil {
			t := rows[i].Withdrawn.UTC()
			rows[i].Withdrawn = &t
		}
	}
	return rows, nil
}

// OfferRow is one offer made to an application.
type OfferRow struct {
	Advert      int64      `json:"advert" db:"advert"`
	Made        time.Time  `json:"made" db:"made_at"`
	Outcome     string     `json:"outcome" db:"outcome"`
	Resolved    *time.Time `json:"resolved" db:"resolved_at"`
	RefusalKind *string    `json:"refusal_kind" db:"refusal_kind"`
	Counted     bool       `json:"counted" db:"counted"`
	Final       bool       `json:"final" db:"final"`
	Position    int        `json:"position" db:"position"`
}

// OffersOf lists the offers made to application app, oldest first.
func OffersOf(ctx context.Context, db sqlx.QueryerContext, app int64) ([]OfferRow, error) {
	var rows []OfferRow
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT advert, made_at, outcome, resolved_at, refusal_kind, counted,
		final, position FROM offers WHERE application = $1 ORDER BY made_at, advert`, app); err != nil {
		return nil, fmt.Errorf("read offers: %w", err)
	}
	return rows, nil
}
