package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/stretchr/testify/require"
)

// FuzzParse feeds policy.Parse (a policy file is outside input: cbl loads a council's
// own) the built-in policies and the fuzzer's mutations of them. It must not panic; a
// refusal is a *LoadError with at least one problem; an accepted policy parses again,
// from the same bytes, to the same name.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("policies/*.json")
	require.NoError(f, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"criteria": [{"id": "x", "band": "A", "label": "l", "when": {"not": {"any": []}}}]}`))
	f.Add([]byte(`{"id": "x", "version": 1} {}`))
	f.Add([]byte(`{"id": 1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.Parse("fuzz.json", data)
		if err != nil {
			require.Nil(t, p)
			var le *policy.LoadError
			require.True(t, errors.As(err, &le), "%T %v", err, err)
			require.NotEmpty(t, le.Problems)
			require.NotEmpty(t, err.Error())
			return
		}
		again, err := policy.Parse("fuzz.json", data)
		require.NoError(t, err)
		require.Equal(t, p.Name(), again.Name())
	})
}
