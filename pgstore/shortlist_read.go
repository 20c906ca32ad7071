package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
)

// Shortlist returns the latest shortlist held for advert: its entries ranked (in
// position order) then skipped (by application id), each with its JSON trace (traces[i]
// is entries[i]'s). ErrNotShortlisted if there is none.
func Shortlist(ctx context.Context, db sqlx.QueryerContext, advert int64) (entries []shortlist.Entry, traces []json.RawMessage, err error) {
	var rows []shortlistEntryRow
	err = sqlx.SelectContext(ctx, db, &rows, `SELECT `+shortlistEntryColumns+`, trace
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
		entries = append(entries, r.entry(advert))
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
		LEFT JOIN shortlist_entries e ON e.shortlist = s.id AND e.cycle = $1
		WHERE a.cycle = $1 GROUP BY a.id ORDER BY a.id`, cycle)
	return out, err
}
