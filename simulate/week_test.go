package simulate_test

import (
	"encoding/json"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

func keyways(t testing.TB, seed uint64) *snapshot.Snapshot {
	t.Helper()
	cfg := synth.Keyways()
	cfg.Seed = seed
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	return s
}

func weekInput(t testing.TB, s *snapshot.Snapshot, name string, seed uint64) *simulate.WeekInput {
	t.Helper()
	p, err := policy.Builtin(name)
	require.NoError(t, err)
	r, err := bidding.Compile(p)
	require.NoError(t, err)
	return &simulate.WeekInput{Rules: r, Cycle: s.Cycles[0], Applications: s.Applications, Landlords: s.Landlords,
		Adverts: s.Adverts, Bids: s.Bids, Behaviour: simulate.DefaultBehaviour(), Seed: seed}
}

func TestWeek_KeywaysCycleLetsAndReproduces(t *testing.T) {
	s := keyways(t, 1)
	in := weekInput(t, s, "nn-2021", 7)
	a, err := simulate.Week(t.Context(), in)
	require.NoError(t, err)
	require.Len(t, a.Closed.Shortlists, len(s.Adverts))
	require.Positive(t, a.ManualBids)
	require.Positive(t, a.Autobids)
	require.Greater(t, len(a.Result.Lets), len(s.Adverts)*2/3, "most homes are let")
	require.Len(t, a.Feedback, len(a.Result.Lets))
	for _, p := range a.Result.Pending {
		require.Equal(t, allocation.WaitRelet, p.For, "advert %d: the model answers everything but re-lets", p.Advert)
	}
	// The recorded decisions replay through allocation.Run to the same result.
	replay, err := allocation.Run(a.Allocation, a.Decisions)
	require.NoError(t, err)
	require.Equal(t, mustJSON(t, a.Result), mustJSON(t, replay))

	b, err := simulate.Week(t.Context(), weekInput(t, keyways(t, 1), "nn-2021", 7))
	require.NoError(t, err)
	require.Equal(t, mustJSON(t, a.Result), mustJSON(t, b.Result), "same seed, same week")
	require.Equal(t, a.Decisions, b.Decisions)
}

func TestWeek_BehaviourRates(t *testing.T) {
	s := keyways(t, 2)
	in := weekInput(t, s, "nn-2021", 3)
	in.Behaviour.Refusal, in.Behaviour.NoReply = 0.5, 0
	res, err := simulate.Week(t.Context(), in)
	require.NoError(t, err)
	var refused, offers int
	for _, o := range res.Result.Offers {
		offers++
		if o.Outcome == "refused" {
			refused++
		}
	}
	require.Positive(t, offers)
	require.InDelta(t, 0.5, float64(refused)/float64(offers), 0.15, "%d of %d offers refused", refused, offers)

	in.Behaviour.Refusal = 1.5
	_, err = simulate.Week(t.Context(), in)
	require.ErrorContains(t, err, "refusal")
}

// A behaviour naming a code that is not one lists the codes the model can record.
func TestBehaviour_UnknownCodeListsTheValidOnes(t *testing.T) {
	b := simulate.DefaultBehaviour()
	b.VerifyCodes = append(b.VerifyCodes, simulate.Weight{Key: "rude", Weight: 1})
	err := b.Validate()
	require.ErrorContains(t, err, `simulate behaviour: verify_codes: "rude" is not a skip reason code (S7.5); valid: unsuitable_property, bedroom_mismatch,`)
	require.NotContains(t, err.Error(), "officer_discretion", "the model cannot write its note")
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// The walk offers council homes down the shortlist (S8.1) and nominates to housing
// associations in batches (S8.7); an application under offer is skipped on the other
// adverts the walk reaches meanwhile (S8.2); every let is recorded with its feedback
// (S8.10).
func TestS8_1_WeekOffersNominatesAndSkipsUnderOffer(t *testing.T) {
	s := keyways(t, 4)
	res, err := simulate.Week(t.Context(), weekInput(t, s, "nn-2021", 4))
	require.NoError(t, err)
	routes := map[string]int{}
	for _, l := range res.Result.Lets {
		routes[l.Route]++
	}
	require.Positive(t, routes[allocation.RouteShortlist], "council homes let from the shortlist")
	require.Positive(t, routes[allocation.RouteNomination], "housing association homes let to nominees")
	require.NotEmpty(t, res.Result.Nominations)
	underOffer := 0
	for _, ev := range res.Result.Events {
		if ev.Kind == "skipped" && ev.Reason == "under_offer_elsewhere" {
			require.Equal(t, allocation.Engine, ev.Actor)
			underOffer++
		}
	}
	require.Positive(t, underOffer, "offers overlap across adverts")
	for _, d := range res.Decisions {
		require.Greater(t, d.On, register.DateOf(s.Cycles[0].Closes), "decisions follow the close")
		require.LessOrEqual(t, d.On, register.DateOf(s.Cycles[0].Closes)+1+simulate.MaxWalkDays)
	}
}
