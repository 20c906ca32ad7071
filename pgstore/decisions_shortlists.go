package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

type shortlistEntryRow struct {
	Shortlist   int64          `db:"shortlist"`
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

const shortlistEntryColumns = `shortlist, application, position, skip, check_name, clause, note, skipped_by,
	skipped_at, band, effective, registered, autobid, placed`

func (r *shortlistEntryRow) entry(advert int64) shortlist.Entry {
	e := shortlist.Entry{Application: r.Application, Advert: advert, Position: int(r.Position.Int64),
		Skip: r.Skip.String, Check: r.Check, Clause: r.Clause, Band: band(r.Band), Effective: date(r.Effective),
		Registered: date(r.Registered), Autobid: r.Autobid, Placed: r.Placed.UTC(), By: r.By, Note: r.Note}
	if r.At.Valid {
		e.At = r.At.Time.UTC()
	}
	return e
}

// loadShortlists reads the latest stored shortlist of each advert (the highest id, so a
// re-close replaces an earlier one), in advert order.
func loadShortlists(ctx context.Context, tx *sqlx.Tx) ([]shortlist.Shortlist, error) {
	var heads []shortlistHead
	if err := tx.SelectContext(ctx, &heads, `SELECT DISTINCT ON (advert) id, advert, policy
		FROM shortlists ORDER BY advert, id DESC`); err != nil {
		return nil, fmt.Errorf("load shortlists: %w", err)
	}
	ids := make([]int64, len(heads))
	for i, h := range heads {
		ids[i] = h.ID
	}
	var rows []shortlistEntryRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+shortlistEntryColumns+` FROM shortlist_entries
		WHERE shortlist = ANY($1) ORDER BY shortlist, position NULLS LAST, application`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load shortlist entries: %w", err)
	}
	return assembleShortlists(heads, rows), nil
}

// shortlistHead is a shortlists row.
type shortlistHead struct {
	ID     int64  `db:"id"`
	Advert int64  `db:"advert"`
	Policy string `db:"policy"`
}

// assembleShortlists puts entry rows (ordered by position, skipped last, then
// application) into their shortlists: one per head, in the heads' order.
func assembleShortlists(heads []shortlistHead, rows []shortlistEntryRow) []shortlist.Shortlist {
	out := make([]shortlist.Shortlist, len(heads))
	byID := make(map[int64]*shortlist.Shortlist, len(heads))
	for i, h := range heads {
		out[i] = shortlist.Shortlist{Advert: h.Advert, Policy: h.Policy, Ranked: []shortlist.Entry{}, Skipped: []shortlist.Entry{}}
		byID[h.ID] = &out[i]
	}
	for i := range rows {
		sl := byID[rows[i].Shortlist]
		e := rows[i].entry(sl.Advert)
		if rows[i].Position.Valid {
			sl.Ranked = append(sl.Ranked, e)
		} else {
			sl.Skipped = append(sl.Skipped, e)
		}
	}
	return out
}

// ErrNotShortlisted means the advert has no stored shortlist (its cycle has not been closed).
var ErrNotShortlisted = errors.New("no stored shortlist")

// BidPosition is one bid's place on an advert's stored shortlist: its entry, how many
// bids were ranked, how many ranked ahead of it by band, and the trace stored with it
// (shortlist.Trace as JSON, rebuilt from the cycle's recorded inputs when not stored).
type BidPosition struct {
	Entry shortlist.Entry       `json:"entry"`
	Of    int                   `json:"of"`
	Ahead map[register.Band]int `json:"ahead,omitempty"`
	Trace json.RawMessage       `json:"trace"`
}

// LoadBidPosition reads application app's entry on the latest stored shortlist of advert.
func LoadBidPosition(ctx context.Context, db sqlx.QueryerContext, advert, app int64) (*BidPosition, error) {
	var head struct {
		ID    int64 `db:"id"`
		Cycle int64 `db:"cycle"`
	}
	err := sqlx.GetContext(ctx, db, &head, `SELECT id, cycle FROM shortlists WHERE advert = $1 ORDER BY id DESC LIMIT 1`, advert)
	id, cycle := head.ID, head.Cycle
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("advert %d: %w", advert, ErrNotShortlisted)
	}
	if err != nil {
		return nil, err
	}
	var r shortlistEntryRow
	err = sqlx.GetContext(ctx, db, &r, `SELECT `+shortlistEntryColumns+`, trace FROM shortlist_entries
		WHERE shortlist = $1 AND application = $2`, id, app)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("advert %d: application %d did not bid", advert, app)
	}
	if err != nil {
		return nil, err
	}
	p := &BidPosition{Entry: r.entry(advert), Trace: json.RawMessage(r.Trace)}
	if notStored(r.Trace) {
		// Not stored (closes from schema version 11 on): ranked again from the record.
		if p.Trace, err = rebuildTrace(ctx, db, cycle, advert, app); err != nil {
			return nil, err
		}
	}
	if err := sqlx.GetContext(ctx, db, &p.Of, `SELECT count(*) FROM shortlist_entries
		WHERE shortlist = $1 AND position IS NOT NULL`, id); err != nil {
		return nil, err
	}
	if r.Position.Valid {
		var ahead []struct {
			Band sql.NullString `db:"band"`
			N    int            `db:"n"`
		}
		if err := sqlx.SelectContext(ctx, db, &ahead, `SELECT band, count(*) AS n FROM shortlist_entries
			WHERE shortlist = $1 AND position < $2 GROUP BY band`, id, r.Position.Int64); err != nil {
			return nil, err
		}
		p.Ahead = map[register.Band]int{}
		for _, a := range ahead {
			p.Ahead[band(a.Band)] += a.N
		}
	}
	return p, nil
}
