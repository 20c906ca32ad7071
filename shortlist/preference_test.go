package shortlist_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

func armedForces(a *register.Application) { a.Flags.ArmedForces = true }

// envWithEffect is nn-2021 with the armed-forces additional preference's effect set.
func envWithEffect(t *testing.T, effect string) *bidtest.Env {
	t.Helper()
	data, err := os.ReadFile("../policy/policies/nn-2021.json")
	require.NoError(t, err)
	src := strings.Replace(string(data), `"effect": "top_of_band"`, `"effect": "`+effect+`"`, 1)
	p, err := policy.Parse("nn-2021.json", []byte(src))
	require.NoError(t, err)
	r, err := bidding.Compile(p)
	require.NoError(t, err)
	c, err := bidding.CycleAt(p, 1, bidtest.Week)
	require.NoError(t, err)
	return &bidtest.Env{T: t, Policy: p, Rules: r, Cycle: c}
}

// preferenceApps: 1 and 2 are Band B without preference, 3 is Band B with the
// armed-forces preference and the newest date, 4 is Band C with it, 5 is Band A.
func preferenceApps() []register.Application {
	return []register.Application{
		bidtest.App(1, register.BandB, "2020-01-01", "2019-01-01"),
		bidtest.App(2, register.BandB, "2023-01-01", "2022-01-01"),
		bidtest.App(3, register.BandB, "2025-06-01", "2025-01-01", armedForces),
		bidtest.App(4, register.BandC, "2021-01-01", "2021-01-01", armedForces),
		bidtest.App(5, register.BandA, "2025-09-01", "2025-09-01"),
	}
}

// TestS7_4_ArmedForcesTopOfBand: the shipped policies give the armed-forces categories
// additional preference at the top of their band: 3 ranks first in Band B despite the
// newest date, 4 first in Band C, and no one passes Band A.
func TestS7_4_ArmedForcesTopOfBand(t *testing.T) {
	for _, id := range []string{"nn-2021", "nn-2025-proposed"} {
		env := bidtest.New(t, id)
		apps := preferenceApps()
		for i := range apps {
			// Any housing need, so each qualifies under the review too; the band is the
			// history's.
			apps[i].Home.Disrepair = true
		}
		cl, res := rankOne(t, env, env.Advert(1), apps, 1, 2, 3, 4, 5)
		require.Equal(t, []int64{5, 3, 1, 2, 4}, ranked(cl, res), id)

		tr, err := shortlist.Explain(cl, res, 3)
		require.NoError(t, err)
		require.Equal(t, policy.PreferenceTopOfBand, tr.Key.Preference, "the trace shows the preference")
		require.Contains(t, tr.Facts.Flags, "additional_preference_top_of_band")
		tr, err = shortlist.Explain(cl, res, 1)
		require.NoError(t, err)
		require.Empty(t, tr.Key.Preference)
	}
}

// TestS7_4_OneBandUp: with one_band_up, 4 (Band C) ranks among Band B by its date, and
// 3 (Band B) among Band A by its date, which is older than 5's.
func TestS7_4_OneBandUp(t *testing.T) {
	env := envWithEffect(t, policy.PreferenceOneBandUp)
	cl, res := rankOne(t, env, env.Advert(1), preferenceApps(), 1, 2, 3, 4, 5)
	require.Equal(t, []int64{3, 5, 1, 4, 2}, ranked(cl, res))
	tr, err := shortlist.Explain(cl, res, 4)
	require.NoError(t, err)
	require.Equal(t, policy.PreferenceOneBandUp, tr.Key.Preference)
	require.Equal(t, register.BandB, tr.Key.RankedInBand)
	require.Equal(t, register.BandC, tr.Key.Band)
}

// TestS7_4_NoneRecordsOnly: with none the order is band and dates alone.
func TestS7_4_NoneRecordsOnly(t *testing.T) {
	env := envWithEffect(t, policy.PreferenceNone)
	cl, res := rankOne(t, env, env.Advert(1), preferenceApps(), 1, 2, 3, 4, 5)
	require.Equal(t, []int64{5, 1, 2, 3, 4}, ranked(cl, res))
}

// TestS7_4_NotInBandE: Band E is no housing need, outside the statutory preference.
func TestS7_4_NotInBandE(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	apps := []register.Application{
		bidtest.App(1, register.BandE, "2020-01-01", "2019-01-01", bidtest.Aged(70)),
		bidtest.App(2, register.BandE, "2024-01-01", "2024-01-01", bidtest.Aged(70), armedForces),
	}
	ad := env.Advert(1, func(a *bidding.Advert) { a.Sheltered = true })
	cl, res := rankOne(t, env, ad, apps, 1, 2)
	require.Equal(t, []int64{1, 2}, ranked(cl, res))
}

// TestS7_4_FCFSIgnoresPreference: a first-come-first-served advert ignores bands, and
// additional preference with them.
func TestS7_4_FCFSIgnoresPreference(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ad := env.Advert(1, func(a *bidding.Advert) { a.Ordering = bidding.OrderFCFS })
	cl, res := rankOne(t, env, ad, preferenceApps()[:3], 1, 2, 3)
	require.Equal(t, []int64{1, 2, 3}, ranked(cl, res))
}
