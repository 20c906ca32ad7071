package equality_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under equality/testdata")

// keywaysYear runs the generated Keyways register for 52 weeks under nn-2021 and returns
// what the recorder saw over the year and in the last week alone, and the run.
func keywaysYear(t *testing.T) (year, last *equality.Input, run *simulate.RunResult) {
	t.Helper()
	cfg := simulate.DefaultConfig()
	w, err := simulate.NewWorld(fixtures.Keyways(t), cfg)
	require.NoError(t, err)
	rec, lastWeek := &simulate.EqualityRecorder{}, &simulate.EqualityRecorder{}
	weeks := 0
	w.Config.Observe = func(res *simulate.WeekResult, apps []register.Application) {
		rec.Week(res, apps)
		if weeks++; weeks == cfg.Weeks {
			lastWeek.Week(res, apps)
		}
	}
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	res, err := simulate.Run(context.Background(), w, p)
	require.NoError(t, err)
	return rec.Input(), lastWeek.Input(), res
}

// Done when (issue 15): a generated Keyways register run 52 weeks yields the equality
// table, whose group counts sum to the total lets, with small cells suppressed.
func TestTabulate_KeywaysYear(t *testing.T) {
	if testing.Short() {
		t.Skip("a year at Keyways scale")
	}
	in, last, run := keywaysYear(t)
	require.Equal(t, len(run.Housed), len(in.Lets), "the recorder sees every let the run makes")
	require.Greater(t, len(in.Lets), 1000)
	var golden []*equality.Table
	suppressed := 0
	for _, by := range equality.Dimensions {
		all, err := equality.Tabulate(in, by, 0)
		require.NoError(t, err)
		sum := map[string]int{}
		for _, r := range all.Rows {
			for col, c := range map[string]equality.Cell{"register": r.Register, "bids": r.Bids,
				"first_five": r.FirstFive, "offers": r.Offers, "lets": r.Lets} {
				require.False(t, c.Suppressed, "%s %s %s: nothing is suppressed at 0", by, r.Group, col)
				sum[col] += *c.Count
			}
		}
		if !by.Overlapping() {
			require.Equal(t, len(in.Lets), sum["lets"], "%s: group lets sum to the total", by)
			require.Equal(t, *all.Total.Lets.Count, sum["lets"])
			require.Equal(t, len(in.Register), sum["register"], by)
			require.Equal(t, len(in.Bids), sum["bids"], by)
			require.Equal(t, len(in.FirstFive), sum["first_five"], by)
			require.Equal(t, len(in.Offers), sum["offers"], by)
		} else {
			require.GreaterOrEqual(t, sum["lets"], len(in.Lets), "%s: every let is in at least one group", by)
		}

		tab, err := equality.Tabulate(in, by, equality.DefaultSuppress)
		require.NoError(t, err)
		for i, r := range tab.Rows {
			for _, pair := range [][2]equality.Cell{{r.Register, all.Rows[i].Register}, {r.Bids, all.Rows[i].Bids},
				{r.FirstFive, all.Rows[i].FirstFive}, {r.Offers, all.Rows[i].Offers}, {r.Lets, all.Rows[i].Lets}} {
				shown, whole := pair[0], pair[1]
				if shown.Suppressed {
					suppressed++
					require.Nil(t, shown.Count)
					require.Nil(t, shown.Percent)
					continue
				}
				require.Equal(t, *whole.Count, *shown.Count, "%s %s: a shown count is the count", by, r.Group)
				if !by.Overlapping() {
					require.True(t, *shown.Count == 0 || *shown.Count >= equality.DefaultSuppress ||
						hasOtherSuppressed(tab, i), "%s %s: %d shown", by, r.Group, *shown.Count)
				}
				if *whole.Count > 0 && *whole.Count < equality.DefaultSuppress {
					t.Fatalf("%s %s: count %d under the threshold is shown", by, r.Group, *whole.Count)
				}
			}
			if r.Lets.Count != nil && *r.Lets.Count < equality.DefaultSuppress {
				require.Nil(t, r.MedianWaitDays, "%s %s: the wait of fewer than 5 lets is not shown", by, r.Group)
			}
		}
		golden = append(golden, tab)
	}
	// A week's lets (about 28) are few enough that most groups are suppressed.
	lastSuppressed := 0
	for _, by := range equality.Dimensions {
		tab, err := equality.Tabulate(last, by, equality.DefaultSuppress)
		require.NoError(t, err)
		for _, r := range tab.Rows {
			if r.Lets.Suppressed {
				lastSuppressed++
			}
		}
		golden = append(golden, tab)
	}
	require.Positive(t, lastSuppressed, "a week's lets have small groups to suppress")
	t.Logf("suppressed cells: %d over the year, %d lets cells in the last week", suppressed, lastSuppressed)

	got, err := json.MarshalIndent(golden, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "keyways-52-weeks.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./equality -run KeywaysYear -update to create it")
	require.Equal(t, string(want), string(got))
}

func hasOtherSuppressed(t *equality.Table, except int) bool {
	for i, r := range t.Rows {
		if i != except && (r.Register.Suppressed || r.Bids.Suppressed || r.FirstFive.Suppressed ||
			r.Offers.Suppressed || r.Lets.Suppressed) {
			return true
		}
	}
	return false
}
