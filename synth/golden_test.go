package synth_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under synth/testdata")

// A small snapshot pinned byte for byte: any change to what the generator draws shows up
// as a diff of synth/testdata/small.json (rewrite it with go test ./synth -update).
func TestGenerate_Golden(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Seed = 7
	cfg.Register.Applications = 40
	cfg.Register.JoinersPerMonth = 3
	cfg.Supply.AdvertsPerWeek = 6
	cfg.Supply.Cycles = 2
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	got, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "small.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./synth -run Golden -update to create it")
	require.Equal(t, string(want), string(got))
}
