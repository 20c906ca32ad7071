package replay_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/replay"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
)

// world is a Keyways-scale register, generated once for every test here.
var world = sync.OnceValues(func() (*snapshot.Snapshot, error) { return synth.Generate(synth.Keyways()) })

func rulesOf(t *testing.T, p *policy.Policy, err error) *bidding.Rules {
	t.Helper()
	require.NoError(t, err)
	r, err := bidding.Compile(p)
	require.NoError(t, err)
	return r
}

// closeFirst closes the register's first cycle as a store does, with one officer's
// exclusion of an autobid, and captures its inputs.
func closeFirst(t *testing.T) (*shortlist.Closed, *replay.Inputs, *bidding.Rules) {
	t.Helper()
	s, err := world()
	require.NoError(t, err)
	c := s.Cycles[0]
	p, err := replay.Policy(&replay.Inputs{Cycle: c})
	rules := rulesOf(t, p, err)
	plain, err := shortlist.CloseCycle(t.Context(), rules, c, s.Applications, c.AdvertsOf(s.Adverts), s.Bids, nil)
	require.NoError(t, err)
	auto := plain.Closing.Autobids()
	require.NotEmpty(t, auto, "the world must autobid for the exclusion below to mean something")
	excluded := [][2]int64{{auto[0].Application, auto[0].Advert}, {auto[0].Application, 1 << 40}}
	closed, err := shortlist.CloseCycle(t.Context(), rules, c, s.Applications, c.AdvertsOf(s.Adverts), s.Bids,
		func(app, advert int64) bool { return slices.Contains(excluded, [2]int64{app, advert}) })
	require.NoError(t, err)
	in, err := replay.Capture(closed, s.Applications, s.Bids, excluded)
	require.NoError(t, err)
	return closed, in, rules
}

// S7.7: the recorded inputs rank to the close's shortlists and traces exactly, though
// they hold only the households that reached a shortlist.
func TestS7_7_ReplayEqualsTheClose(t *testing.T) {
	t.Parallel()
	closed, in, rules := closeFirst(t)
	s, _ := world()
	require.Less(t, len(in.Applications), len(s.Applications)/2, "only households that reached a shortlist are kept")
	require.Equal(t, [][2]int64{in.Excluded[0]}, in.Excluded, "only exclusions on the cycle's adverts are kept")

	got, err := replay.Run(t.Context(), rules, in)
	require.NoError(t, err)
	require.Equal(t, "", replay.Diff(closed.Shortlists, got.Shortlists))
	for i, sl := range closed.Shortlists {
		for _, e := range append(sl.Ranked, sl.Skipped...) {
			want, err := shortlist.ExplainStored(closed.Closing, &closed.Results[i], e.Application)
			require.NoError(t, err)
			have, err := shortlist.ExplainStored(got.Closing, &got.Results[i], e.Application)
			require.NoError(t, err)
			require.Equal(t, want, have, "advert %d application %d", sl.Advert, e.Application)
		}
	}
}

// S7.7: inputs survive their parts (a store's encoding) with the same digest, and rank
// the same after it.
func TestS7_7_InputsRoundTripWithTheirDigest(t *testing.T) {
	t.Parallel()
	closed, in, rules := closeFirst(t)
	d1, err := in.Digest()
	require.NoError(t, err)
	head, apps, err := in.Parts()
	require.NoError(t, err)
	require.Equal(t, d1, replay.DigestOf(head, apps))
	back, err := replay.FromParts(head, apps)
	require.NoError(t, err)
	head2, apps2, err := back.Parts()
	require.NoError(t, err)
	require.Equal(t, string(head), string(head2))
	require.Equal(t, apps, apps2)
	d2, err := back.Digest()
	require.NoError(t, err)
	require.Equal(t, d1, d2)
	got, err := replay.Run(t.Context(), rules, back)
	require.NoError(t, err)
	require.Equal(t, "", replay.Diff(closed.Shortlists, got.Shortlists))
}

// S7.7: names and equality monitoring are not kept, and nothing ranks on them.
func TestS7_7_NamesAndMonitoringAreNotKept(t *testing.T) {
	t.Parallel()
	_, in, _ := closeFirst(t)
	for _, a := range in.Applications {
		require.Equal(t, register.Monitoring{}, a.Monitoring)
		for _, m := range a.Members {
			require.Empty(t, m.Name)
		}
	}
}

// S7.7: a changed input changes the digest, and a changed fact that ranks changes the
// replay, which Diff names.
func TestS7_7_TamperIsFound(t *testing.T) {
	t.Parallel()
	closed, in, rules := closeFirst(t)
	d1, err := in.Digest()
	require.NoError(t, err)
	first := closed.Shortlists[0].Ranked[0].Application
	i := slices.IndexFunc(in.Applications, func(a register.Application) bool { return a.ID == first })
	require.GreaterOrEqual(t, i, 0)
	// Registered yesterday: the household loses its place in its band.
	in.Applications[i].Registered = register.Date(in.Cycle.Closes.Unix()/86400) - 1
	in.Applications[i].History = nil
	d2, err := in.Digest()
	require.NoError(t, err)
	require.NotEqual(t, d1, d2)
	got, err := replay.Run(t.Context(), rules, in)
	require.NoError(t, err)
	require.Contains(t, replay.Diff(closed.Shortlists, got.Shortlists), "differs")
}

// S7.7: a counterfactual under the close's own policy re-bands nobody and gives the
// close; under another policy it re-bands those that policy bands differently and runs
// over the same bids.
func TestS7_7_Counterfactual(t *testing.T) {
	t.Parallel()
	closed, in, rules := closeFirst(t)
	same, rebands, err := replay.Counterfactual(t.Context(), rules, in)
	require.NoError(t, err)
	require.Empty(t, rebands)
	require.Equal(t, "", replay.Diff(closed.Shortlists, same.Shortlists))

	p, err := policy.Builtin("nn-2025-proposed")
	got, rebands, err := replay.Counterfactual(t.Context(), rulesOf(t, p, err), in)
	require.NoError(t, err)
	require.NotEmpty(t, rebands, "the 2025 review bands some of the week's households differently")
	require.Len(t, got.Shortlists, len(closed.Shortlists))
	require.NotEqual(t, "", replay.Diff(closed.Shortlists, got.Shortlists), "another policy's shortlists carry its name")
}
