package simulate_test

import (
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/stretchr/testify/require"
)

// Run assesses at each close only the applications that changed or that a date moves on
// (bidding.Assessor); over a year at Keyways scale, under both shipped policies, every
// close's profiles must be exactly those bidding.Assess builds from scratch. The third
// run closes for refusals for a month, not 12, and refuses half the offers, so closures
// also end within the year.
func TestRun_KeptAssessmentsAreFreshOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("three 52-week Keyways runs")
	}
	shortClosures := *builtin(t, "nn-2021")
	shortClosures.Refusals.ClosureMonths = 1
	for _, p := range []*policy.Policy{builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed"), &shortClosures} {
		id := p.Name()
		rules, err := bidding.Compile(p)
		require.NoError(t, err)
		w := world(t, keyways(t, 3), 52)
		var closuresEnd []register.Date
		var last register.Date
		if p == &shortClosures {
			w.Config.Behaviour.Refusal = 0.5
		}
		weeks := 0
		w.Config.Observe = func(res *simulate.WeekResult, apps []register.Application) {
			cl := res.Closed.Closing
			fresh, err := bidding.Assess(rules, apps, p.Day(cl.Cycle.Closes))
			require.NoError(t, err)
			require.Equal(t, fresh.Profiles, cl.Index.Profiles, "%s, cycle %d", id, cl.Cycle.ID)
			for _, s := range res.Result.Sanctions {
				if s.Kind == allocation.SanctionClosed {
					closuresEnd = append(closuresEnd, s.Until)
				}
			}
			last = p.Day(cl.Cycle.Closes)
			weeks++
		}
		_, err = simulate.Run(t.Context(), w, p)
		require.NoError(t, err)
		require.Equal(t, 52, weeks)
		if p == &shortClosures {
			require.Less(t, slices.Min(closuresEnd), last, "no closure ended")
		}
	}
}
