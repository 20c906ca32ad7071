package pgstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// TestConcurrent_CloseWhileDeciding: officers record decisions on last week's adverts
// while this week's cycle closes and another session reads what adverts wait for: every
// one ends in success or the engine's refusal — no deadlock, no driver error — and the
// audit finds the kept state equal to the record, as after the same work done serially.
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
	at := second.Ends().Add(2 * time.Hour)

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	wg.Add(3)
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
}
