package allocation_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden want.json files under testdata/allocation")

// scenarioInput is input.json: the allocation input, the policy by name, and optionally
// a date to derive the work queue for.
type scenarioInput struct {
	PolicyID string        `json:"policy"`
	QueueAt  register.Date `json:"queue_at,omitempty"`
	allocation.Input
}

// scenarioOutput is want.json.
type scenarioOutput struct {
	Result    *allocation.Result        `json:"result"`
	Feedback  []string                  `json:"feedback"`
	Landlords []allocation.LandlordLets `json:"landlords"`
	Queue     []allocation.Item         `json:"queue,omitempty"`
}

const scenarios = "../testdata/allocation"

// loadScenario reads testdata/allocation/<name>/{input,decisions}.json.
func loadScenario(t testing.TB, name string) (*allocation.Input, []allocation.Decision, register.Date) {
	t.Helper()
	dir := filepath.Join(scenarios, name)
	var in scenarioInput
	decode(t, filepath.Join(dir, "input.json"), &in)
	p, err := policy.Builtin(in.PolicyID)
	require.NoError(t, err)
	in.Input.Policy = p
	var ds []allocation.Decision
	decode(t, filepath.Join(dir, "decisions.json"), &ds)
	return &in.Input, ds, in.QueueAt
}

func decode(t testing.TB, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), file)
}

// runScenario runs a scenario and returns its result and encoded output.
func runScenario(t testing.TB, name string) (*allocation.Input, *allocation.Result, []byte) {
	t.Helper()
	in, ds, queueAt := loadScenario(t, name)
	res, err := allocation.Run(in, ds)
	require.NoError(t, err)
	out := scenarioOutput{Result: res, Landlords: allocation.Landlords(in, res),
		Feedback: strings.Split(strings.TrimRight(allocation.FeedbackText(allocation.Feedback(in, res)), "\n"), "\n")}
	if !queueAt.IsZero() {
		out.Queue = allocation.WorkQueue(in, res, queueAt, allocation.EnglandWales())
	}
	data, err := json.MarshalIndent(out, "", "  ")
	require.NoError(t, err)
	return in, res, append(data, '\n')
}

// TestScenarios replays every scripted scenario and compares with its golden want.json
// (go test ./allocation -run TestScenarios -update rewrites them).
func TestScenarios(t *testing.T) {
	dirs, err := os.ReadDir(scenarios)
	require.NoError(t, err)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			_, _, got := runScenario(t, d.Name())
			file := filepath.Join(scenarios, d.Name(), "want.json")
			if *update {
				require.NoError(t, os.WriteFile(file, got, 0o644))
				return
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the run (go test -run TestScenarios -update to accept):\n%s", file, firstDiff(want, got))
			}
		})
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
