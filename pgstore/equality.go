package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// EqualityPeriod selects what LoadEquality reads: one cycle (Cycle), or the days From
// to To (both included).
type EqualityPeriod = equality.Period

// LoadEquality reads the outcomes of a period for equality.Tabulate, in one read-only
// snapshot of the database:
//
//   - the register: every application not closed, and those let in the period (a let
//     closes the application);
//   - bids and first-five places: the shortlist entries (ranked and skipped, autobids
//     included) and places 1 to 5 of the cycle, or of the cycles closing in the period
//     (the latest shortlist of each advert);
//   - offers and lets: those on the cycle's adverts, or made (let) in the period.
//
// Days are the scheme's (the policy's Day of a time). AsOf is the cycle's closing day,
// or To.
func LoadEquality(ctx context.Context, db *sqlx.DB, p EqualityPeriod) (*equality.Input, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	pol, err := currentPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	var cycles []struct {
		ID     int64     `db:"id"`
		Closes time.Time `db:"closes"`
	}
	if err := tx.SelectContext(ctx, &cycles, `SELECT id, closes FROM cycles ORDER BY id`); err != nil {
		return nil, fmt.Errorf("read cycles: %w", err)
	}
	in := &equality.Input{AsOf: p.To}
	var ids []int64
	for _, c := range cycles {
		day := pol.Day(c.Closes)
		if (p.Cycle != 0 && c.ID == p.Cycle) || (p.Cycle == 0 && p.From <= day && day <= p.To) {
			ids = append(ids, c.ID)
			if p.Cycle != 0 {
				in.AsOf = day
			}
		}
	}
	if p.Cycle != 0 && len(ids) == 0 {
		return nil, fmt.Errorf("cycle %d: %w", p.Cycle, ErrNotFound)
	}
	var offersWhere, letsWhere string
	var offerArgs, letArgs []any
	if p.Cycle != 0 {
		offersWhere = ` WHERE advert IN (SELECT id FROM adverts WHERE cycle = $1)`
		letsWhere = offersWhere
		offerArgs, letArgs = []any{p.Cycle}, []any{p.Cycle}
	} else {
		// made_at is a time: a scheme day's times lie within a day either side of its
		// UTC midnight, and Day decides below. let_on is already a scheme day.
		offersWhere = ` WHERE made_at >= $1 AND made_at < $2`
		offerArgs = []any{p.From.Time().Add(-48 * time.Hour), p.To.Time().Add(72 * time.Hour)}
		letsWhere = ` WHERE let_on >= $1::date AND let_on <= $2::date`
		letArgs = []any{p.From.String(), p.To.String()}
	}
	err = eachRow(ctx, tx, `SELECT e.application, COALESCE(e.position, 0) FROM shortlist_entries e
		JOIN (SELECT DISTINCT ON (advert) id FROM shortlists WHERE cycle = ANY($1) ORDER BY advert, id DESC) s
		ON s.id = e.shortlist WHERE e.cycle = ANY($1)`, []any{pq.Int64Array(ids)}, func(rows *sql.Rows) error {
		var app int64
		var pos int
		if err := rows.Scan(&app, &pos); err != nil {
			return err
		}
		in.Bids = append(in.Bids, app)
		if pos >= 1 && pos <= 5 {
			in.FirstFive = append(in.FirstFive, app)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read shortlist entries: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT application, made_at FROM offers`+offersWhere+` ORDER BY id`, offerArgs, func(rows *sql.Rows) error {
		var app int64
		var at time.Time
		if err := rows.Scan(&app, &at); err != nil {
			return err
		}
		if d := pol.Day(at); p.Cycle != 0 || (p.From <= d && d <= p.To) {
			in.Offers = append(in.Offers, app)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read offers: %w", err)
	}
	let := map[int64]bool{}
	err = eachRow(ctx, tx, `SELECT application, `+dayOf("let_on")+` FROM lets`+letsWhere+` ORDER BY let_on, advert`, letArgs, func(rows *sql.Rows) error {
		var app, on int64
		if err := rows.Scan(&app, &on); err != nil {
			return err
		}
		in.Lets = append(in.Lets, equality.Let{Application: app, On: register.Date(on)})
		let[app] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read lets: %w", err)
	}
	if in.Applications, err = readApplications(ctx, tx, allApps); err != nil {
		return nil, err
	}
	for i := range in.Applications {
		a := &in.Applications[i]
		if a.Status != register.StatusClosed || let[a.ID] {
			in.Register = append(in.Register, a.ID)
		}
	}
	return in, tx.Commit()
}
