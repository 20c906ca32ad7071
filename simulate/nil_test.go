package simulate_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/simulate"
)

// TestNil: every entry point given no world, register, policy or input says so instead
// of panicking.
func TestNil(t *testing.T) {
	ctx := t.Context()
	p := builtin(t, "nn-2021")
	_, err := simulate.NewWorld(nil, simulate.DefaultConfig())
	require.ErrorContains(t, err, "no register")
	_, err = simulate.Run(ctx, nil, p)
	require.ErrorContains(t, err, "no world")
	_, err = simulate.Run(ctx, &simulate.World{}, nil)
	require.ErrorContains(t, err, "no policy")
	_, err = simulate.Compare(ctx, nil, p, p)
	require.ErrorContains(t, err, "no world")
	_, err = simulate.Compare(ctx, &simulate.World{}, p, nil)
	require.ErrorContains(t, err, "two policies")
	_, err = simulate.Week(ctx, nil)
	require.ErrorContains(t, err, "no input")
	_, err = simulate.Week(ctx, &simulate.WeekInput{})
	require.ErrorContains(t, err, "no compiled policy")
	_, err = simulate.ReplayCycles(ctx, nil, p, p, simulate.DefaultBehaviour(), 1)
	require.ErrorContains(t, err, "no register")
}

// TestCancelled: a cancelled run, comparison or week stops and returns ctx.Err().
func TestCancelled(t *testing.T) {
	s := keyways(t, 3)
	w := world(t, s, 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p := builtin(t, "nn-2021")
	_, err := simulate.Run(ctx, w, p)
	require.ErrorIs(t, err, context.Canceled)
	_, err = simulate.Compare(ctx, w, p, builtin(t, "nn-2025-proposed"))
	require.ErrorIs(t, err, context.Canceled)
	_, err = simulate.Week(ctx, weekInput(t, s, "nn-2021", 1))
	require.ErrorIs(t, err, context.Canceled)
}
