package equality_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { fixtures.Main(m) }

// weekOutcome runs a generated register's cycle end to end through the engine (assess
// at close, autobid, rank, walk to lets) and returns everything it decided as JSON: each
// profile's band and effective date, every shortlist (ranks and skips with their codes),
// the offers, lets, sanctions and events.
func weekOutcome(t *testing.T, p *policy.Policy, apps []register.Application) string {
	t.Helper()
	s := fixtures.Small(t, 1)
	rules, err := bidding.Compile(p)
	require.NoError(t, err)
	res, err := simulate.Week(context.Background(), &simulate.WeekInput{Rules: rules, Cycle: s.Cycles[0],
		Applications: apps, Landlords: s.Landlords, Adverts: s.Adverts, Bids: s.Bids,
		Behaviour: simulate.DefaultBehaviour(), Seed: 7})
	require.NoError(t, err)
	for i := range res.Result.Applications {
		// The applications the decisions changed, as they now stand: they carry their
		// monitoring data along, which is not an outcome.
		res.Result.Applications[i].Monitoring = register.Monitoring{}
	}
	out, err := json.Marshal(struct {
		Profiles   []bidding.Profile
		Shortlists any
		Result     any
	}{res.Closed.Closing.Index.Profiles, res.Closed.Shortlists, res.Result})
	require.NoError(t, err)
	return string(out)
}

// TestMonitoring_ChangesNoOutcome: equality monitoring data is never used by banding or
// ranking. Setting every monitoring field, to every value in turn, on every
// application changes no band, effective date, rank, skip, offer or let, under both
// built-in Keyways policies.
func TestMonitoring_ChangesNoOutcome(t *testing.T) {
	s := fixtures.Small(t, 1)
	disab := []register.Disability{"", register.DisabilityYes, register.DisabilityNo, register.DisabilityRefused}
	econ := append([]register.EconomicStatus{""}, register.EconomicStatuses...)
	ethnic := append([]register.EthnicGroup{""}, register.EthnicGroups...)
	variants := []func(i, k int) register.Monitoring{
		func(i, k int) register.Monitoring { return register.Monitoring{EthnicGroup: ethnic[(i+k)%len(ethnic)]} },
		func(i, k int) register.Monitoring { return register.Monitoring{Disability: disab[(i+k)%len(disab)]} },
		func(i, k int) register.Monitoring {
			return register.Monitoring{EconomicStatus: econ[(i+k)%len(econ)]}
		},
		func(i, k int) register.Monitoring {
			return register.Monitoring{EthnicGroup: ethnic[(i*7+k)%len(ethnic)], Disability: disab[(i*3+k)%len(disab)],
				EconomicStatus: econ[(i*5+k)%len(econ)]}
		},
	}
	for _, name := range []string{"nn-2021", "nn-2025-proposed"} {
		p, err := policy.Builtin(name)
		require.NoError(t, err)
		base := weekOutcome(t, p, s.Applications)
		require.Contains(t, base, `"lets":[{`, "the week lets homes, so lets are compared")
		for v, mon := range variants {
			for _, k := range []int{1, 2} {
				apps := make([]register.Application, len(s.Applications))
				copy(apps, s.Applications) // Monitoring is a value: setting it leaves the fixture alone
				for i := range apps {
					apps[i].Monitoring = mon(i, k)
				}
				if got := weekOutcome(t, p, apps); got != base {
					t.Fatalf("%s: variant %d/%d changed an outcome: %s", name, v, k, firstDiff(base, got))
				}
			}
		}
	}
}

// firstDiff shows where two long strings first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return "before …" + a[from:min(len(a), i+100)] + "… after …" + b[from:min(len(b), i+100)] + "…"
}
