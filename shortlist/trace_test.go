package shortlist_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), string(got))
}

// TestExplain_Golden traces a ranked bid and a skipped bid on a Legal Agreement Area
// home that is also accessible: facts, every check with its clause, the key components.
func TestExplain_Golden(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ad := env.Advert(7, func(a *bidding.Advert) {
		a.Access, a.LegalAgreementArea, a.Floor = bidding.AccessLevel, "Stanion", 1
	})
	ix := env.Index(
		bidtest.App(1, register.BandC, "2024-03-01", "2023-05-02", bidtest.Connected("Stanion"), bidtest.Mobility(register.MobilityLevelAccess)),
		bidtest.App(2, register.BandB, "2025-01-01", "2024-01-01", bidtest.Homeowner()),
		bidtest.App(3, register.BandB, "2025-01-01", "2024-01-01"),
	)
	cl := env.Closing(ix, []bidding.Advert{ad}, map[int64][]int64{7: {3, 2, 1}})
	res := shortlist.Rank(ix, cl.Listings[0], cl.Bids[0])
	for _, app := range []int64{1, 2} {
		tr, err := shortlist.Explain(cl, res, app)
		require.NoError(t, err)
		out, err := json.MarshalIndent(tr, "", "  ")
		require.NoError(t, err)
		golden(t, filepath.Join("explain", map[int64]string{1: "ranked.json", 2: "skipped.json"}[app]), append(out, '\n'))
	}
	tr, err := shortlist.Explain(cl, res, 1)
	require.NoError(t, err)
	require.Equal(t, "ranked", tr.Outcome)
	require.Equal(t, 1, tr.Position)
	_, err = shortlist.Explain(cl, res, 99)
	require.ErrorIs(t, err, bidding.ErrNoBid)
}

// TestExplainStored_IsTheFullTraceCompacted: what a close stores is the full trace
// without the policy's fact values and check labels; a passed check keeps only its name,
// a failed one its reason code and clause too.
func TestExplainStored_IsTheFullTraceCompacted(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ad := env.Advert(7, func(a *bidding.Advert) { a.Access = bidding.AccessLevel })
	ix := env.Index(
		bidtest.App(1, register.BandC, "2024-03-01", "2023-05-02", bidtest.Mobility(register.MobilityLevelAccess)),
		bidtest.App(2, register.BandB, "2025-01-01", "2024-01-01", bidtest.Homeowner()),
	)
	cl := env.Closing(ix, []bidding.Advert{ad}, map[int64][]int64{7: {2, 1}})
	res := shortlist.Rank(ix, cl.Listings[0], cl.Bids[0])
	for _, app := range []int64{1, 2} {
		full, err := shortlist.Explain(cl, res, app)
		require.NoError(t, err)
		stored, err := shortlist.ExplainStored(cl, res, app)
		require.NoError(t, err)
		require.Equal(t, full.Stored(), stored)
		require.NotEmpty(t, full.Facts.Policy)
		require.Nil(t, stored.Facts.Policy)
		require.Len(t, stored.Checks, len(full.Checks))
		for i, c := range stored.Checks {
			require.Equal(t, full.Checks[i].Name, c.Name)
			require.Empty(t, c.Label)
			if c.Pass {
				require.Empty(t, c.Code+c.Clause)
			} else {
				require.Equal(t, full.Checks[i].Code, c.Code)
				require.Equal(t, full.Checks[i].Clause, c.Clause)
			}
		}
		require.Equal(t, full.Outcome, stored.Outcome)
		require.Equal(t, full.Key, stored.Key)
	}
	skipped, err := shortlist.ExplainStored(cl, res, 2)
	require.NoError(t, err)
	require.Equal(t, "skipped", skipped.Outcome)
	require.Contains(t, skipped.Checks, shortlist.TraceCheck{Name: skipped.Check, Code: skipped.Skip, Clause: skipped.Clause})
}

func TestRankCycle_SameAsOneAtATime(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ix, _, _ := randomCase(env, 7, 20000, 0)
	cl := &bidding.Closing{Cycle: env.Cycle, Index: ix}
	for i := range 40 {
		_, l, bids := randomCase(env, uint64(100+i), 20000, uint8(i))
		l.Advert.ID = int64(i + 1)
		cl.Listings = append(cl.Listings, l)
		cl.Bids = append(cl.Bids, bids[:i*37%2000])
	}
	cl.Listings[3].Advert.Withdrawn = true
	for _, workers := range []int{1, 2, 5} {
		all, err := shortlist.RankCycle(t.Context(), cl, workers)
		require.NoError(t, err)
		require.Len(t, all, len(cl.Listings))
		for i, l := range cl.Listings {
			one := shortlist.Rank(ix, l, cl.Bids[i])
			require.Equal(t, one.Shortlist(cl), all[i].Shortlist(cl), "advert %d, %d workers", i, workers)
		}
	}
}
