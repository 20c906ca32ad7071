package simulate_test

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

func builtin(t testing.TB, name string) *policy.Policy {
	t.Helper()
	p, err := policy.Builtin(name)
	require.NoError(t, err)
	return p
}

func world(t testing.TB, s *snapshot.Snapshot, weeks int) *simulate.World {
	t.Helper()
	cfg := simulate.DefaultConfig()
	cfg.Weeks = weeks
	w, err := simulate.NewWorld(s, cfg)
	require.NoError(t, err)
	return w
}

func TestCompare_SameSeedSameBytes(t *testing.T) {
	a, err := simulate.Compare(t.Context(), world(t, keyways(t, 5), 8), builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed"))
	require.NoError(t, err)
	b, err := simulate.Compare(t.Context(), world(t, keyways(t, 5), 8), builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed"))
	require.NoError(t, err)
	require.Equal(t, mustJSON(t, a), mustJSON(t, b))
	for k := range 2 {
		require.Equal(t, mustJSON(t, a.Policies[k].Run), mustJSON(t, b.Policies[k].Run), "run %d", k)
	}
	require.Positive(t, a.Policies[0].Lets)
}

func TestCompare_IdenticalPoliciesNoDifference(t *testing.T) {
	c, err := simulate.Compare(t.Context(), world(t, keyways(t, 6), 8), builtin(t, "nn-2021"), builtin(t, "nn-2021"))
	require.NoError(t, err)
	require.Empty(t, c.Moves)
	require.Empty(t, c.OnlyBase)
	require.Empty(t, c.OnlyAlt)
	for i := range c.Movement {
		for j, n := range c.Movement[i] {
			if i != j {
				require.Zero(t, n, "%s -> %s", c.Bands[i], c.Bands[j])
			}
		}
	}
	require.Equal(t, mustJSON(t, c.Policies[0]), mustJSON(t, c.Policies[1]))
	require.Equal(t, mustJSON(t, c.Policies[0].Run), mustJSON(t, c.Policies[1].Run))
	require.Equal(t, c.Policies[0].Lets, c.HousedBoth)
}

// A policy that moves one criterion, sharing facilities with dependants, from Band C to
// Band B moves exactly the applications whose band that criterion decides under nn-2021.
func TestCompare_SingleCriterionMovesExactlyItsApplications(t *testing.T) {
	data, err := os.ReadFile("../policy/policies/nn-2021.json")
	require.NoError(t, err)
	old := `{"id": "sharing_with_dependants", "band": "C"`
	require.Contains(t, string(data), old)
	edited := strings.Replace(string(data), old, `{"id": "sharing_with_dependants", "band": "B"`, 1)
	edited = strings.Replace(edited, `"id": "nn-2021"`, `"id": "nn-2021-sharing-b"`, 1)
	alt, err := policy.Parse("nn-2021-sharing-b.json", []byte(edited))
	require.NoError(t, err)
	base := builtin(t, "nn-2021")

	w := world(t, keyways(t, 7), 4)
	want := 0
	for i := range w.Applications {
		a := &w.Applications[i]
		if a.Status == register.StatusPending {
			continue
		}
		as, err := banding.Assess(a, base, w.Start)
		require.NoError(t, err)
		for _, m := range as.Criteria {
			if m.ID == "sharing_with_dependants" && as.Qualifies && as.Band == register.BandC {
				want++
			}
		}
	}
	require.Positive(t, want)

	c, err := simulate.Compare(t.Context(), w, base, alt)
	require.NoError(t, err)
	require.Equal(t, []simulate.Move{{From: "C", To: "B", FromWhy: "sharing_with_dependants",
		ToWhy: "sharing_with_dependants", Applications: want}}, c.Moves)
	require.Equal(t, want, c.Movement[2][1])
	require.Zero(t, c.Policies[1].Removed)
}

// The review's changes (S2.7, nn-2025-proposed), each visible in a comparison
// with nn-2021 on the same register.
func TestS2_7_ReviewChangesVisibleInComparison(t *testing.T) {
	s := keyways(t, 1)
	base, alt := builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed")
	// The synthetic register has no care leavers outside the council's care; make a few
	// of the households sharing without dependants ones.
	made := 0
	for i := range s.Applications {
		a := &s.Applications[i]
		if made == 5 || a.Status != register.StatusActive {
			continue
		}
		as, err := banding.Assess(a, base, register.MustDate("2025-04-09"))
		require.NoError(t, err)
		if as.Band == register.BandD && as.Criteria[0].ID == "sharing_no_dependants" {
			a.Flags.CareLeaver = true
			made++
		}
	}
	c, err := simulate.Compare(t.Context(), world(t, s, 26), base, alt)
	require.NoError(t, err)
	moved := func(from, to, fromWhy, toWhy string) int {
		for _, m := range c.Moves {
			if m.From == from && m.To == to && m.FromWhy == fromWhy && m.ToWhy == toWhy {
				return m.Applications
			}
		}
		return 0
	}
	b, a := c.Policies[0], c.Policies[1]
	t.Run("1 Band E removed", func(t *testing.T) {
		require.Positive(t, moved("E", "none", "sheltered_no_need", "no_housing_need"))
		require.Positive(t, moved("E", "none", "legal_agreement_no_need", "no_housing_need"))
		require.Positive(t, b.LetsByBand["E"])
		require.Zero(t, a.LetsByBand["E"])
	})
	t.Run("2 no-need criteria removed from D", func(t *testing.T) {
		require.Positive(t, moved("D", "none", "sharing_no_dependants", "no_housing_need"))
		require.Positive(t, a.Removed)
	})
	t.Run("3 homeowners no longer qualify", func(t *testing.T) {
		require.Positive(t, moved("E", "none", "sheltered_no_need", "homeowner"))
	})
	t.Run("4 NNC care leavers and adult social care move-on to A", func(t *testing.T) {
		require.Positive(t, moved("B", "A", "care_leaver_nnc", "care_leaver_nnc"))
		require.Positive(t, moved("B", "A", "adult_social_care_move_on", "adult_social_care_move_on"))
	})
	t.Run("5 other care leavers to D", func(t *testing.T) {
		require.Equal(t, 5, moved("D", "D", "sharing_no_dependants", "care_leaver_other"))
	})
	t.Run("6 domestic abuse: A with a connection, D without", func(t *testing.T) {
		require.Positive(t, moved("B", "A", "domestic_abuse", "domestic_abuse"))
		require.Positive(t, moved("B", "D", "domestic_abuse", "domestic_abuse_no_connection"))
	})
	t.Run("7 lacking two bedrooms is Band A", func(t *testing.T) {
		require.Positive(t, moved("B", "A", "overcrowded_two", "overcrowded_two_severe"))
		require.Greater(t, a.LetsByBand["A"], b.LetsByBand["A"])
	})
	t.Run("8 singles and couples bid on one-bedroom homes only", func(t *testing.T) {
		require.Positive(t, b.LetsAboveNeed["1"])
		require.Zero(t, a.LetsAboveNeed["1"])
	})
	t.Run("9 five autobid areas", func(t *testing.T) {
		require.Equal(t, 4, b.AutobidAreas)
		require.Equal(t, 5, a.AutobidAreas)
	})
	require.NotEmpty(t, c.OnlyBase)
	require.NotEmpty(t, c.OnlyAlt)
}

func TestConfig_JSONRoundTripAndProgress(t *testing.T) {
	cfg := simulate.DefaultConfig()
	cfg.Weeks = 3
	var back simulate.Config
	require.NoError(t, json.Unmarshal([]byte(mustJSON(t, cfg)), &back))
	require.Equal(t, mustJSON(t, cfg), mustJSON(t, back))

	var mu sync.Mutex
	calls := map[string][]int{}
	back.Progress = func(p string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, 3, total)
		calls[p] = append(calls[p], done)
	}
	w, err := simulate.NewWorld(keyways(t, 8), back)
	require.NoError(t, err)
	_, err = simulate.Compare(t.Context(), w, builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed"))
	require.NoError(t, err)
	require.Equal(t, map[string][]int{"nn-2021@1": {1, 2, 3}, "nn-2025-proposed@1": {1, 2, 3}}, calls)

	back.Weeks = 0
	_, err = simulate.NewWorld(keyways(t, 8), back)
	require.ErrorContains(t, err, "weeks")
}

func TestStudy_ReportDataIsValid(t *testing.T) {
	c, err := simulate.Compare(t.Context(), world(t, keyways(t, 9), 8), builtin(t, "nn-2021"), builtin(t, "nn-2025-proposed"))
	require.NoError(t, err)
	st := simulate.NewStudy([]*simulate.Comparison{c})
	d := st.Report("keyways")
	require.NoError(t, d.Validate())
	for k := range 2 {
		lets := 0.0
		for _, l := range d.Lets {
			lets += l.Values[k].Mean
		}
		require.Equal(t, float64(c.Policies[k].Lets), lets)
		n := 0
		for _, w := range d.Policies[k].Waits {
			n += w.N
		}
		require.Equal(t, c.Policies[k].Lets-c.Policies[k].LetsByBand["none"], n, "every let's wait, once")
	}
	require.Equal(t, "not qualifying", d.Movement.Rows[len(d.Movement.Rows)-1])
	require.NotContains(t, d.Movement.Cols, "E", "nobody is in Band E under the review")
	for _, m := range d.Measures {
		if m.Key == "housed_only" {
			require.Equal(t, float64(len(c.OnlyAlt)), m.Values[1].Mean)
		}
		if m.Key == "bids_per_advert_median" {
			require.Equal(t, c.Policies[0].BidsPerAdvert.Median, m.Values[0].Mean, "one median of bids per advert")
		}
	}
	require.Equal(t, len(c.Moves), len(d.Moves))
}

// Seeds run in parallel, and the study does not depend on the order they finish in:
// its first run is the single-seed run, and two identical policies differ by nothing
// on any seed (common random numbers within a seed).
func TestRunSeeds_IntervalsAndCommonRandomNumbers(t *testing.T) {
	snap := keyways(t, 9)
	cfg := simulate.DefaultConfig()
	cfg.Weeks = 3
	base := builtin(t, "nn-2021")
	st, err := simulate.RunSeeds(t.Context(), snap, cfg, 3, base, base)
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2, 3}, st.Seeds)
	one, err := simulate.RunSeeds(t.Context(), snap, cfg, 1, base, base)
	require.NoError(t, err)
	require.Equal(t, one.Runs[0].Policies[0].Lets, st.Runs[0].Policies[0].Lets)
	for _, m := range st.Measures {
		require.Zero(t, m.Change.Mean, m.Label)
		require.Equal(t, m.Values[0], m.Values[1], m.Label)
		require.Equal(t, 3, m.Values[0].Runs)
	}
	lets := st.Measures[2]
	require.Equal(t, "lets", lets.Key)
	require.Less(t, lets.Values[0].Lo, lets.Values[0].Hi, "seeds differ, so the interval is not empty")
	require.Contains(t, st.Tables()[0].Title, "seeds 1–3")
}
