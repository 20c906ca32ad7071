package simulate_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

func TestReplayCycles_RecordedCyclesUnderAnotherPolicy(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 3
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	base, alt := builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed")

	same, err := simulate.ReplayCycles(t.Context(), s, base, base, simulate.DefaultBehaviour(), 1)
	require.NoError(t, err)
	require.Equal(t, 3, same.Cycles)
	require.Len(t, same.Adverts, 90)
	require.Zero(t, same.Changed, "the same policy lets every home to the same household")
	let := 0
	for _, r := range same.Adverts {
		require.Equal(t, r.Let[0], r.Let[1])
		require.Equal(t, r.Bids[0], r.Bids[1])
		if r.Let[0] != 0 {
			let++
			require.NotZero(t, r.FirstOffer[0])
		}
	}
	require.Greater(t, let, 60)

	rp, err := simulate.ReplayCycles(t.Context(), s, base, alt, simulate.DefaultBehaviour(), 1)
	require.NoError(t, err)
	require.Positive(t, rp.Changed)
	again, err := simulate.ReplayCycles(t.Context(), s, base, alt, simulate.DefaultBehaviour(), 1)
	require.NoError(t, err)
	require.Equal(t, mustJSON(t, rp), mustJSON(t, again))
	for _, r := range rp.Adverts {
		require.NotEqual(t, "E", r.Band[1].String(), "advert %d: nn-2025-proposed has no Band E", r.Advert)
	}
}
