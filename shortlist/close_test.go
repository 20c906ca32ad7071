package shortlist_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// TestCloseCycle_AdvertOfAnotherCycle: an advert of another cycle is refused by name,
// not dropped (it used to give no shortlist for it and a nil error).
func TestCloseCycle_AdvertOfAnotherCycle(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{bidtest.App(1, register.BandB, "2020-01-01", "2020-01-01")}
	ads := []bidding.Advert{env.Advert(1), env.Advert(3, func(a *bidding.Advert) { a.Cycle = 99 })}
	out, err := shortlist.CloseCycle(t.Context(), env.Rules, env.Cycle, apps, ads, nil, nil)
	require.Nil(t, out)
	require.ErrorIs(t, err, bidding.ErrWrongCycle)
	require.ErrorContains(t, err, "advert 3 is of cycle 99")

	out, err = shortlist.CloseCycle(t.Context(), env.Rules, env.Cycle, apps, env.Cycle.AdvertsOf(ads), nil, nil)
	require.NoError(t, err)
	require.Len(t, out.Shortlists, 1)
}

func TestCloseCycle_NilRules(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	for _, r := range []*bidding.Rules{nil, {}} {
		out, err := shortlist.CloseCycle(t.Context(), r, env.Cycle, nil, nil, nil, nil)
		require.Nil(t, out)
		require.ErrorContains(t, err, "no rules")
	}
}

// TestCloseCycle_Cancelled: a cancelled close ranks nothing and says why.
func TestCloseCycle_Cancelled(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{bidtest.App(1, register.BandB, "2020-01-01", "2020-01-01")}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	out, err := shortlist.CloseCycle(ctx, env.Rules, env.Cycle, apps, []bidding.Advert{env.Advert(1)}, nil, nil)
	require.Nil(t, out)
	require.True(t, errors.Is(err, context.Canceled), err)

	ix := env.Index(apps...)
	cl := env.Closing(ix, []bidding.Advert{env.Advert(1), env.Advert(2)}, nil)
	res, err := shortlist.RankCycle(ctx, cl, 1)
	require.Nil(t, res)
	require.ErrorIs(t, err, context.Canceled)
	_, err = shortlist.RankCycle(t.Context(), nil, 1)
	require.ErrorContains(t, err, "no closing")
}
