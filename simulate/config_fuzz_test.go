package simulate_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

// FuzzDecodeConfig feeds simulate.DecodeConfig (a `cbl simulate --config` file is
// outside input) the default config and the fuzzer's mutations of it. It must not panic;
// a config it accepts must run — a short run on a small register, kept short so the
// fuzzer spends its time on configs rather than simulations — without a panic.
func FuzzDecodeConfig(f *testing.F) {
	def := simulate.DefaultConfig()
	data, err := json.Marshal(def)
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`{"weeks": 2, "behaviour": {"refusal": 0, "no_reply": 0}}`))
	f.Add([]byte(`{"synth": {"supply": {"adverts_per_week": 3, "sizes": []}}}`))
	f.Add([]byte(`{"synth": {"behaviour": {"bids_per_bidder": []}}}`))
	f.Add([]byte(`{"synth": {"register": {"joiners_per_month": -1}}}`))
	f.Add([]byte(`{"weeks": 1} {"weeks": 2}`))

	sc := synth.Keyways()
	sc.Register.Applications = 60
	sc.Seed = 1
	snap, err := synth.Generate(sc)
	require.NoError(f, err)
	p, err := policy.Builtin("nn-2021")
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := simulate.DefaultConfig()
		if err := simulate.DecodeConfig(data, &cfg); err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		// Bound the run's cost, not what is checked: a valid config with a large
		// scale is as valid at a small one.
		cfg.Weeks = min(cfg.Weeks, 2)
		if cfg.Synth.Supply.AdvertsPerWeek > 20 || cfg.Synth.Register.JoinersPerMonth > 100 {
			return
		}
		w, err := simulate.NewWorld(snap, cfg)
		if err != nil {
			return
		}
		_, _ = simulate.Run(context.Background(), w, p)
	})
}
