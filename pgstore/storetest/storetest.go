// Package storetest sets up allocation state in a test database: it closes a cycle of the
// register held, the way cbl cycle close does, and stores the shortlists with each bid's
// trace, so tests of decisions need no other command.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

// CloseCycle shortlists cycle id of the register held in db with shortlist.CloseCycle
// (no exclusions) and stores every advert's shortlist, made at the cycle's close, with
// each entry's shortlist.Trace. It returns the shortlists in advert order.
func CloseCycle(t testing.TB, db *sqlx.DB, id int64) []shortlist.Shortlist {
	t.Helper()
	ctx := context.Background()
	s, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	var c *bidding.Cycle
	for i := range s.Cycles {
		if s.Cycles[i].ID == id {
			c = &s.Cycles[i]
		}
	}
	require.NotNil(t, c, "cycle %d is not held", id)
	p, err := pgstore.PolicyByName(c.Policy, register.DateOf(c.Closes))
	require.NoError(t, err)
	rules, err := bidding.Compile(p)
	require.NoError(t, err)
	closed, err := shortlist.CloseCycle(ctx, rules, *c, s.Applications, c.AdvertsOf(s.Adverts), s.Bids, nil)
	require.NoError(t, err)

	tx, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	// Rows one at a time through shortlist_entries need the cycle's partition there first.
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF shortlist_entries FOR VALUES IN (%d)`,
		pq.QuoteIdentifier(pgstore.EntryPartition(c.ID)), c.ID))
	require.NoError(t, err)
	for i := range closed.Shortlists {
		sl := &closed.Shortlists[i]
		var slID int64
		require.NoError(t, tx.GetContext(ctx, &slID, `INSERT INTO shortlists (advert, policy, made_at, cycle)
			VALUES ($1, $2, $3, $4) RETURNING id`, sl.Advert, sl.Policy, c.Closes, c.ID))
		for _, entries := range [][]shortlist.Entry{sl.Ranked, sl.Skipped} {
			for _, e := range entries {
				tr, err := shortlist.ExplainStored(closed.Closing, &closed.Results[i], e.Application)
				require.NoError(t, err)
				trace, err := json.Marshal(tr)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, `INSERT INTO shortlist_entries (shortlist, cycle, application, position, skip,
					check_name, clause, note, skipped_by, band, effective, registered, autobid, placed, trace)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
					slID, c.ID, e.Application, nullInt(e.Position), nullString(e.Skip), e.Check, e.Clause, e.Note, e.By,
					nullString(e.Band.String()), nullDate(e.Effective), e.Registered.String(), e.Autobid, e.Placed, trace)
				require.NoError(t, err)
			}
		}
	}
	require.NoError(t, tx.Commit())
	return closed.Shortlists
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullDate(d register.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}
