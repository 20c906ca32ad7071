package shortlist_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// cycleInput is a scenario script: a cycle's register, adverts, bids and officer
// exclusions under a built-in policy (testdata/cycles/<name>/input.json).
type cycleInput struct {
	Policy       string                 `json:"policy"`
	Cycle        bidding.Cycle          `json:"cycle"`
	Applications []register.Application `json:"applications"`
	Adverts      []bidding.Advert       `json:"adverts"`
	Bids         []bidding.Bid          `json:"bids"`
	Exclusions   []struct {
		Application int64 `json:"application"`
		Advert      int64 `json:"advert"`
		bidding.Exclusion
	} `json:"exclusions"`
}

// cycleOutput is what the scenario must produce: every advert's shortlist, the
// autobids placed, and the trace of every bid (output.json beside the input).
type cycleOutput struct {
	Shortlists []shortlist.Shortlist `json:"shortlists"`
	Autobids   []bidding.Bid         `json:"autobids"`
	Traces     []shortlist.Trace     `json:"traces"`
}

// TestS7_1_CycleScripts replays every scenario under testdata/cycles through
// CloseCycle and compares with its golden output (-update rewrites them).
func TestS7_1_CycleScripts(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "cycles", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "input.json"))
			require.NoError(t, err)
			var in cycleInput
			require.NoError(t, json.Unmarshal(data, &in))
			p, err := policy.Builtin(in.Policy)
			require.NoError(t, err)
			rules, err := bidding.Compile(p)
			require.NoError(t, err)
			excluded := map[[2]int64]bool{}
			for _, e := range in.Exclusions {
				excluded[[2]int64{e.Application, e.Advert}] = true
			}
			closed, err := shortlist.CloseCycle(t.Context(), rules, in.Cycle, in.Applications, in.Adverts, in.Bids,
				func(app, advert int64) bool { return excluded[[2]int64{app, advert}] })
			require.NoError(t, err)
			out := cycleOutput{Shortlists: closed.Shortlists, Autobids: closed.Closing.Autobids()}
			for i := range closed.Results {
				for _, e := range append(closed.Shortlists[i].Ranked, closed.Shortlists[i].Skipped...) {
					tr, err := shortlist.Explain(closed.Closing, &closed.Results[i], e.Application)
					require.NoError(t, err)
					out.Traces = append(out.Traces, tr)
				}
			}
			got, err := json.MarshalIndent(out, "", "  ")
			require.NoError(t, err)
			golden(t, filepath.Join("cycles", filepath.Base(dir), "output.json"), append(got, '\n'))
		})
	}
}
