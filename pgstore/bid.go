package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
)

// ErrNotFound means an application or advert named is not in the database.
var ErrNotFound = errors.New("not found")

// bidTx starts a bid's transaction: it finds the advert's cycle, takes the cycle's
// shared lock (a close waits for the bid, and the bid for a close), refuses a closed
// cycle, and locks the application's row so one application's bids go one at a time.
func bidTx(ctx context.Context, db *sqlx.DB, app, advert int64) (*sqlx.Tx, CycleState, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, CycleState{}, err
	}
	tx, err := begin(ctx, db)
	if err != nil {
		return nil, CycleState{}, err
	}
	fail := func(err error) (*sqlx.Tx, CycleState, error) {
		tx.Rollback()
		return nil, CycleState{}, err
	}
	var cycle int64
	err = tx.GetContext(ctx, &cycle, `SELECT cycle FROM adverts WHERE id = $1`, advert)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(fmt.Errorf("advert %d: %w", advert, ErrNotFound))
	}
	if err != nil {
		return fail(err)
	}
	if err := lockCycle(ctx, tx, cycle, lockShared, nil); err != nil {
		return fail(err)
	}
	c, err := getCycle(ctx, tx, cycle)
	if err != nil {
		return fail(err)
	}
	if !c.ClosedAt.IsZero() {
		return fail(fmt.Errorf("cycle %d was closed at %s: %w", c.ID, c.ClosedAt.Format(time.RFC3339), bidding.ErrCycleClosed))
	}
	var id int64
	err = tx.GetContext(ctx, &id, `SELECT id FROM applications WHERE id = $1 FOR UPDATE`, app)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(fmt.Errorf("application %d: %w", app, ErrNotFound))
	}
	if err != nil {
		return fail(err)
	}
	return tx, c, nil
}

// PlaceBid places application app's bid on advert at time at, by by (the applicant,
// or an officer for assisted bidding), through a bidding.Book of the advert's cycle
// holding the application's live bids: the window, the live-bid cap, one live bid per
// advert and the checks the policy rejects at placing (S6.3). A refusal is the
// Book's error (bidding.ErrBidLimit, *bidding.IneligibleError, ...). The bid and an
// events row (kind "bid") are written in one transaction.
func PlaceBid(ctx context.Context, db *sqlx.DB, app, advert int64, at time.Time, by, actor string) (bidding.Bid, error) {
	tx, c, err := bidTx(ctx, db, app, advert)
	if err != nil {
		return bidding.Bid{}, err
	}
	defer tx.Rollback()
	// What the bid is checked against, and no more: the household, its cycle's adverts and
	// its own bids on them (reading the whole register took a national one 7 s a bid).
	s := &snapshot.Snapshot{}
	if s.Applications, err = readApplications(ctx, tx, oneApp(app)); err != nil {
		return bidding.Bid{}, err
	}
	if err := readCycleAdverts(ctx, tx, s, c.ID); err != nil {
		return bidding.Bid{}, err
	}
	if err := readBidsFrom(ctx, tx, s, `bids WHERE application = $1 AND advert IN (SELECT id FROM adverts WHERE cycle = $2)`,
		app, c.ID); err != nil {
		return bidding.Bid{}, err
	}
	p, err := CyclePolicy(c.Cycle)
	if err != nil {
		return bidding.Bid{}, err
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return bidding.Bid{}, err
	}
	ix, err := bidding.Assess(rules, s.Applications, p.Day(at))
	if err != nil {
		return bidding.Bid{}, err
	}
	bid, live, err := bidding.PlaceBid(rules, c.Cycle, s.Adverts, &ix.Profiles[0], s.Bids, at, advert, by)
	if err != nil {
		return bidding.Bid{}, err
	}
	// A withdrawn bid on the same advert is replaced (one row per application and
	// advert); the events log keeps the earlier one.
	if _, err := tx.ExecContext(ctx, `INSERT INTO bids (application, advert, placed, autobid, placed_by)
		VALUES ($1, $2, $3, false, $4)
		ON CONFLICT (application, advert) DO UPDATE SET placed = EXCLUDED.placed, withdrawn = NULL,
			autobid = false, placed_by = EXCLUDED.placed_by`, bid.Application, bid.Advert, timeArg(bid.Placed), bid.By); err != nil {
		return bidding.Bid{}, fmt.Errorf("place bid: %w", err)
	}
	d, _ := json.Marshal(map[string]any{"cycle": c.ID, "placed": timeArg(bid.Placed), "by": bid.By, "live_bids": live})
	if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "bid", Application: app, Advert: advert, Reason: "bid placed", Detail: d}); err != nil {
		return bidding.Bid{}, err
	}
	return bid, tx.Commit()
}

// WithdrawBid withdraws application app's live bid on advert at time at: the cycle must
// be open at that time (bidding.Cycle.Open) and not closed, and the bid live
// (bidding.ErrNoBid otherwise). The withdrawal and an events row (kind "bid_withdraw")
// are written in one transaction.
func WithdrawBid(ctx context.Context, db *sqlx.DB, app, advert int64, at time.Time, actor string) error {
	tx, c, err := bidTx(ctx, db, app, advert)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !c.Open(at) {
		return fmt.Errorf("cycle %d is open %s to %s: %w", c.ID, c.Opens.Format(time.RFC3339), c.Closes.Format(time.RFC3339), bidding.ErrCycleClosed)
	}
	r, err := tx.ExecContext(ctx, `UPDATE bids SET withdrawn = $3
		WHERE application = $1 AND advert = $2 AND withdrawn IS NULL AND NOT autobid AND placed <= $3`, app, advert, timeArg(at))
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("application %d, advert %d: %w", app, advert, bidding.ErrNoBid)
	}
	d, _ := json.Marshal(map[string]any{"cycle": c.ID, "withdrawn": timeArg(at)})
	if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "bid_withdraw", Application: app, Advert: advert, Reason: "bid withdrawn", Detail: d}); err != nil {
		return err
	}
	return tx.Commit()
}
