package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/stretchr/testify/require"
)

// TestS8_2_TwoWeeksInOneRecord: the record spans cycles. An application offered and
// refused on week 1's advert before week 2's advert closed keeps its place at the head of
// week 2's shortlist.
func TestS8_2_TwoWeeksInOneRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Small(t, 2)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	c1 := storetest.CloseCycle(t, db, s.Cycles[0].ID)
	c2 := storetest.CloseCycle(t, db, s.Cycles[1].ID)
	council := map[int64]bool{}
	for _, a := range s.Adverts {
		council[a.ID] = a.Landlord == "nnc"
	}
	head2 := map[int64]int64{} // app -> cycle-2 advert it heads
	for _, sl := range c2 {
		if len(sl.Ranked) > 0 {
			head2[sl.Ranked[0].Application] = sl.Advert
		}
	}
	var A shortlist.Shortlist
	var pos int
	var B int64
	for _, sl := range c1 {
		if !council[sl.Advert] {
			continue
		}
		for i, e := range sl.Ranked {
			if b, ok := head2[e.Application]; ok {
				A, pos, B = sl, i, b
				break
			}
		}
		if B != 0 {
			break
		}
	}
	require.NotZero(t, B)
	x := A.Ranked[pos].Application
	at := s.Cycles[0].Closes.Add(time.Hour)
	dec := func(d allocation.Decision) {
		at = at.Add(time.Minute)
		d.Actor, d.Advert = "kp", A.Advert
		_, err := pgstore.Decide(ctx, db, at, d)
		require.NoError(t, err)
	}
	for _, e := range A.Ranked[:pos] {
		dec(allocation.Decision{Kind: allocation.VerifySkip, Application: e.Application, Code: "no_contact"})
	}
	dec(allocation.Decision{Kind: allocation.VerifyPass, Application: x})
	dec(allocation.Decision{Kind: allocation.MakeOffer, Application: x})
	dec(allocation.Decision{Kind: allocation.Refuse, Application: x, Refusal: "refused"})
	st, err := pgstore.LoadState(ctx, db)
	require.NoError(t, err)
	for _, e := range st.Result.Events {
		require.False(t, e.Advert == B && e.Application == x, "no skip of %d on %d: %+v", x, B, e)
	}
	got, err := pgstore.Decide(ctx, db, s.Cycles[1].Closes.Add(time.Hour),
		allocation.Decision{Kind: allocation.VerifyPass, Actor: "kp", Advert: B, Application: x})
	require.NoError(t, err)
	require.Equal(t, "verified", got.Events[0].Kind)
}
