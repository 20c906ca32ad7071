package synth_test

import (
	"crypto/sha256"
	"encoding/json"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

func nn2021(t testing.TB) *policy.Policy {
	t.Helper()
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	return p
}

func hash(t testing.TB, s *snapshot.Snapshot) [32]byte {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return sha256.Sum256(b)
}

// keyways is generated once and shared by the read-only tests below.
var keyways = sync.OnceValues(func() (*snapshot.Snapshot, error) {
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 4
	return synth.Generate(cfg)
})

func keywaysSnapshot(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := keyways()
	require.NoError(t, err)
	return s
}

func TestGenerate_SameSeedIsByteIdentical(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 2
	a, err := synth.Generate(cfg)
	require.NoError(t, err)
	b, err := synth.Generate(cfg)
	require.NoError(t, err)
	require.Equal(t, hash(t, a), hash(t, b))

	// The output does not depend on the number of CPUs.
	old := runtime.GOMAXPROCS(1)
	c, err := synth.Generate(cfg)
	runtime.GOMAXPROCS(old)
	require.NoError(t, err)
	require.Equal(t, hash(t, a), hash(t, c))
}

func TestGenerate_DifferentSeedsDiffer(t *testing.T) {
	cfg := synth.Keyways()
	a, err := synth.Generate(cfg)
	require.NoError(t, err)
	cfg.Seed++
	b, err := synth.Generate(cfg)
	require.NoError(t, err)
	require.NotEqual(t, hash(t, a), hash(t, b))
	require.NotEqual(t, a.Applications[0], b.Applications[0])
}

func TestConfig_RoundTripsThroughJSON(t *testing.T) {
	for name, cfg := range map[string]synth.Config{"keyways": synth.Keyways(), "birmingham": synth.Birmingham(), "england": synth.England()} {
		b, err := json.Marshal(cfg)
		require.NoError(t, err, name)
		var back synth.Config
		require.NoError(t, json.Unmarshal(b, &back), name)
		require.Equal(t, cfg, back, name)
		require.NoError(t, back.Validate(), name)
	}
}

func TestConfig_ValidateNamesTheField(t *testing.T) {
	cfg := synth.Defaults()
	cfg.Register.NonQualifyingShare = 1.5
	require.ErrorContains(t, cfg.Validate(), "register.non_qualifying_share = 1.5")
	cfg = synth.Defaults()
	cfg.Register.Criteria["C"] = append(cfg.Register.Criteria["C"], synth.Share{Key: "owns_a_yacht", Weight: 1})
	_, err := synth.Generate(cfg)
	require.ErrorContains(t, err, `"owns_a_yacht"`)
	cfg = synth.Defaults()
	cfg.Supply.Types["2"] = append(cfg.Supply.Types["2"], synth.Share{Key: "castle", Weight: 1})
	_, err = synth.Generate(cfg)
	require.ErrorContains(t, err, `supply.types.2: "castle" is not a property type of policy nn-2021`)
	cfg = synth.Defaults()
	cfg.Supply.Sizes = append(cfg.Supply.Sizes, synth.Share{Key: "huge", Weight: 1})
	_, err = synth.Generate(cfg)
	require.ErrorContains(t, err, `supply.sizes: key "huge"`)
	cfg = synth.Defaults()
	cfg.Policy = "nope"
	_, err = synth.Generate(cfg)
	require.ErrorContains(t, err, "nope")
}

func TestPresets_Scales(t *testing.T) {
	require.Equal(t, 7000, synth.Keyways().Register.Applications)
	require.Equal(t, 30, synth.Keyways().Supply.AdvertsPerWeek)
	require.Equal(t, 24000, synth.Birmingham().Register.Applications)
	require.Equal(t, 50, synth.Birmingham().Supply.AdvertsPerWeek)
	require.Equal(t, 1340000, synth.England().Register.Applications)
	require.Equal(t, 5000, synth.England().Supply.AdvertsPerWeek)
}

// within fails unless got lies in [lo, hi].
func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.4f, want %.4f to %.4f", what, got, lo, hi)
	} else {
		t.Logf("%s = %.4f (want %.4f to %.4f)", what, got, lo, hi)
	}
}

func percentile(xs []int, p float64) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func assessAll(t *testing.T, s *snapshot.Snapshot, p *policy.Policy, asOf register.Date) []banding.Assessment {
	t.Helper()
	out := make([]banding.Assessment, len(s.Applications))
	for i := range s.Applications {
		as, err := banding.Assess(&s.Applications[i], p, asOf)
		require.NoError(t, err, "application %d", s.Applications[i].ID)
		out[i] = as
	}
	return out
}
