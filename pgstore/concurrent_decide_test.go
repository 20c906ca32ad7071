package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestConcurrent_CloseWhileDeciding: officers record decisions on last week's adverts
// while this week's cycle closes, another session reads what adverts wait for and a
// second import is attempted: every one ends in success or a clear refusal — no
// deadlock, no driver error — the audit finds the kept state equal to the record, and the
// same work done serially on a fresh database gives the same rows.
func TestConcurrent_CloseWhileDeciding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Small(t, 2)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	st := &pgstore.Store{DB: db}
	first, second := s.Cycles[0], s.Cycles[1]
	_, err := st.CloseCycle(ctx, first.ID, "t")
	require.NoError(t, err)
	ads := first.AdvertsOf(s.Adverts)
	// Dated in last week's walk, before this week's adverts close, so what the decisions
	// do does not depend on when this week's close lands among them: the serial run below
	// can be compared row for row.
	at := first.Ends().Add(2 * time.Hour)

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	wg.Add(4)
	go func() {
		defer wg.Done()
		if err := pgstore.Import(ctx, db, s); !errors.Is(err, pgstore.ErrNotEmpty) {
			errs <- fmt.Errorf("a second import: %v, want ErrNotEmpty", err)
		}
	}()
	go func() {
		defer wg.Done()
		_, err := st.CloseCycle(ctx, second.ID, "t")
		errs <- err
	}()
	decided := 0
	go func() {
		defer wg.Done()
		for round := 0; round < 4; round++ {
			for i, ad := range ads {
				ws, err := st.Waiting(ctx, ad.ID)
				if err != nil {
					errs <- err
					return
				}
				if len(ws) == 0 || ws[0].For != allocation.WaitVerify && ws[0].For != allocation.WaitOffer {
					continue
				}
				kind := allocation.VerifyPass
				if ws[0].For == allocation.WaitOffer {
					kind = allocation.MakeOffer
				}
				_, err = st.Decide(ctx, at.Add(time.Duration(round*100+i)*time.Second), allocation.Decision{Kind: kind,
					Actor: "officer", Advert: ad.ID, Application: ws[0].Applications[0]})
				if err != nil {
					errs <- err
					return
				}
				decided++
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range 20 {
			if _, err := pgstore.LoadState(ctx, db); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Greater(t, decided, 10)
	audit, err := pgstore.Verify(ctx, db)
	require.NoError(t, err)
	require.Equal(t, pgstore.Audit{Decisions: decided}, *audit)
	for _, ad := range second.AdvertsOf(s.Adverts) {
		_, err := st.Shortlist(ctx, ad.ID)
		require.NoError(t, err, "advert %d of the cycle closed meanwhile", ad.ID)
	}

	// Serially, on a fresh database: the same closes and decisions give the same rows.
	recs, _, err := pgstore.LoadDecisions(ctx, db)
	require.NoError(t, err)
	serial := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, serial, s))
	ss := &pgstore.Store{DB: serial}
	_, err = ss.CloseCycle(ctx, first.ID, "t")
	require.NoError(t, err)
	for _, r := range recs {
		d := r.Decision
		d.On, d.At = 0, time.Time{}
		_, err := ss.Decide(ctx, r.At, d)
		require.NoError(t, err, "decision %d", r.Seq)
	}
	_, err = ss.CloseCycle(ctx, second.ID, "t")
	require.NoError(t, err)
	rows := func(db *sqlx.DB) []string {
		var out []string
		require.NoError(t, db.Select(&out, `SELECT row_to_json(o)::text FROM (SELECT advert, application, made_at, outcome
			FROM offers ORDER BY advert, application) o
			UNION ALL SELECT row_to_json(w)::text FROM (SELECT * FROM walks ORDER BY advert) w
			UNION ALL SELECT row_to_json(e)::text FROM (SELECT * FROM walk_entries ORDER BY advert, application) e
			UNION ALL SELECT row_to_json(x)::text FROM (SELECT s.advert, e.application, e.position, e.skip
				FROM shortlists s JOIN shortlist_entries e ON e.shortlist = s.id ORDER BY 1, 2) x ORDER BY 1`))
		return out
	}
	require.Equal(t, rows(serial), rows(db))
}
