package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/cbl-lettings/cbl/internal/store/storetest"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// week imports a small synthetic register, closes its first cycle and returns the
// database and a council advert with at least three ranked bids.
func week(t *testing.T) (*sqlx.DB, int64, []int64) {
	t.Helper()
	cfg := synth.Defaults()
	cfg.Register.Applications = 800
	cfg.Supply.Cycles = 1
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	db := pgtest.DB(t)
	require.NoError(t, store.Import(context.Background(), db, s))
	council := map[string]bool{}
	for _, l := range s.Landlords {
		council[l.ID] = l.Council
	}
	landlord := map[int64]string{}
	for _, a := range s.Adverts {
		landlord[a.ID] = a.Landlord
	}
	for _, sl := range storetest.CloseCycle(t, db, s.Cycles[0].ID) {
		if council[landlord[sl.Advert]] && len(sl.Ranked) >= 3 {
			var apps []int64
			for _, e := range sl.Ranked {
				apps = append(apps, e.Application)
			}
			return db, sl.Advert, apps
		}
	}
	t.Fatal("no council advert with three ranked bids")
	return nil, 0, nil
}

func TestDecide_OfferRecordedAndReplayed(t *testing.T) {
	ctx := context.Background()
	db, advert, apps := week(t)
	at := time.Date(2025, 4, 9, 9, 0, 0, 0, time.UTC)
	decide := func(d allocation.Decision) *store.Decided {
		t.Helper()
		d.Actor, d.Advert = "officer", advert
		at = at.Add(time.Hour)
		got, err := store.Decide(ctx, db, at, d)
		require.NoError(t, err)
		return got
	}
	decide(allocation.Decision{Kind: allocation.VerifyPass, Application: apps[0]})
	got := decide(allocation.Decision{Kind: allocation.MakeOffer, Application: apps[0]})
	require.Equal(t, int64(2), got.Seq)
	require.Equal(t, "offered", got.Events[0].Kind)

	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM offers WHERE outcome = 'pending' AND advert = $1`, advert))
	require.Equal(t, 1, n)

	st, err := store.LoadState(ctx, db)
	require.NoError(t, err)
	require.Len(t, st.Decisions, 2)
	require.Len(t, st.Result.Offers, 1)
}
