package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/corereturn"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/stretchr/testify/require"
)

// A generated register in the database, one cycle closed and three homes let: cbl
// equality counts them by group, and cbl export core writes them with no name, date of
// birth or application number, under a key it never prints.
func TestFairness_EqualityAndCoreReturnFromTheDatabase(t *testing.T) {
	// Not parallel: it sets CBL_CORE_KEY.
	dsn := pgtest.DSN(t)
	db := openDSN(t, dsn)
	mustRun(t, "--dsn", dsn, "import", fixtures.SmallDir(t, 1))
	var cycle struct {
		ID     int64
		Closes time.Time
	}
	require.NoError(t, db.Get(&cycle, `SELECT id, closes FROM cycles ORDER BY id LIMIT 1`))
	cid := strconv.FormatInt(cycle.ID, 10)
	mustRun(t, "--dsn", dsn, "cycle", "close", cid)

	var adverts []int64
	require.NoError(t, db.Select(&adverts, `SELECT s.advert FROM shortlists s JOIN shortlist_entries e ON e.shortlist = s.id
		JOIN adverts a ON a.id = s.advert JOIN landlords l ON l.id = a.landlord
		WHERE s.cycle = $1 AND l.council AND e.position = 1 ORDER BY s.advert LIMIT 3`, cycle.ID))
	require.Len(t, adverts, 3)
	let := map[int64]bool{}
	for i, ad := range adverts {
		var first int64
		require.NoError(t, db.Get(&first, `SELECT e.application FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist
			WHERE s.advert = $1 AND e.position = 1`, ad))
		if let[first] {
			continue // top of two shortlists: skipped as under offer on the second
		}
		at := func(h int) []string {
			return []string{"--at", cycle.Closes.Add(time.Duration(h+i*3) * time.Hour).UTC().Format(time.RFC3339), "--actor", "officer:kp"}
		}
		a, app := strconv.FormatInt(ad, 10), strconv.FormatInt(first, 10)
		mustRun(t, append([]string{"--dsn", dsn, "offer", "verify", a, app}, at(24)...)...)
		mustRun(t, append([]string{"--dsn", dsn, "offer", "make", a, app}, at(25)...)...)
		mustRun(t, append([]string{"--dsn", dsn, "offer", "accept", a, app}, at(26)...)...)
		let[first] = true
	}
	require.NotEmpty(t, let)

	// equality: the cycle's lets by group sum to its lets.
	out := mustRun(t, "--dsn", dsn, "-o", "json", "equality", "--cycle", cid, "--by", "disability", "--suppress", "0")
	var tab struct {
		NoDecisions bool `json:"no_decisions"`
		Rows        []struct {
			Lets struct {
				Count *int `json:"count"`
			} `json:"lets"`
			Bids struct {
				Count *int `json:"count"`
			} `json:"bids"`
		} `json:"rows"`
		Total struct {
			Lets   struct{ Count *int } `json:"lets"`
			Offers struct{ Count *int } `json:"offers"`
			Bids   struct{ Count *int } `json:"bids"`
		} `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tab))
	require.False(t, tab.NoDecisions)
	require.Equal(t, len(let), *tab.Total.Lets.Count)
	require.Equal(t, len(let), *tab.Total.Offers.Count)
	var bids int
	require.NoError(t, db.Get(&bids, `SELECT count(*) FROM shortlist_entries WHERE cycle = $1`, cycle.ID))
	require.Equal(t, bids, *tab.Total.Bids.Count)
	lets, bidSum := 0, 0
	for _, r := range tab.Rows {
		lets += *r.Lets.Count
		bidSum += *r.Bids.Count
	}
	require.Equal(t, len(let), lets, "group lets sum to the total")
	require.Equal(t, bids, bidSum)
	// The same lets by period: the days from the close to ten days after.
	{
		day := cycle.Closes.UTC().Format("2006-01-02")
		end := cycle.Closes.Add(10 * 24 * time.Hour).UTC().Format("2006-01-02")
		out := mustRun(t, "--dsn", dsn, "-o", "json", "equality", "--from", day, "--to", end, "--by", "sex", "--suppress", "0")
		var byPeriod struct {
			Total struct {
				Lets   struct{ Count *int } `json:"lets"`
				Offers struct{ Count *int } `json:"offers"`
				Bids   struct{ Count *int } `json:"bids"`
			} `json:"total"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &byPeriod))
		require.Equal(t, len(let), *byPeriod.Total.Lets.Count)
		require.Equal(t, len(let), *byPeriod.Total.Offers.Count)
		require.Equal(t, bids, *byPeriod.Total.Bids.Count, "the cycle closed in the period")
		before := mustRun(t, "--dsn", dsn, "-o", "json", "equality", "--to", cycle.Closes.Add(-48*time.Hour).UTC().Format("2006-01-02"), "--by", "sex")
		require.Contains(t, before, `"lets": {
      "count": 0`, "nothing was let before the close")
	}
	// With the default threshold, fewer than 5 lets in a group are not shown.
	table := mustRun(t, "--dsn", dsn, "equality", "--cycle", cid, "--by", "disability")
	require.Contains(t, table, "[c]")

	// export core: no key, no return.
	dir := t.TempDir()
	outFile := filepath.Join(dir, "core.csv")
	day := cycle.Closes.UTC().Format("2006-01-02")
	end := cycle.Closes.Add(10 * 24 * time.Hour).UTC().Format("2006-01-02")
	t.Setenv(coreKeyEnv, "")
	code, _, errOut := run(t, "--dsn", dsn, "export", "core", "--from", day, "--to", end, outFile)
	require.Equal(t, 2, code, errOut)
	require.Contains(t, errOut, "no pseudonymisation secret")
	short := filepath.Join(dir, "short.key")
	require.NoError(t, os.WriteFile(short, []byte("tooshort\n"), 0o600))
	code, _, errOut = run(t, "--dsn", dsn, "export", "core", "--from", day, "--to", end, "--key-file", short, outFile)
	require.Equal(t, 2, code, errOut)
	require.NotContains(t, errOut, "tooshort", "the secret is never printed")

	const secret = "6f1c0e5d9a7b4c3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c"
	keyFile := filepath.Join(dir, "core.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(secret+"\n"), 0o600))
	code, stdout, errOut := run(t, "--dsn", dsn, "export", "core", "--from", day, "--to", end, "--key-file", keyFile, outFile)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, stdout+errOut, secret)
	info, err := os.Stat(outFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(outFile)
	require.NoError(t, err)
	require.NotContains(t, string(data), secret)
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 1+len(let), "a header and one row per let")
	require.Equal(t, corereturn.Columns, recs[0], "the documented columns (docs/core.md)")
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []string{"tenancycode", "startdate", "cbl", "referral", "beds", "hhmemb", "age1", "sex1",
		"ethnic", "ecstat1", "illness", "waityear", "reasonpref", "cbl_band"} {
		require.Contains(t, col, c)
	}
	var people []struct {
		Application int64
		Name        string
		Born        time.Time
	}
	require.NoError(t, db.Select(&people, `SELECT application, name, born FROM members`))
	for _, r := range recs[1:] {
		require.Len(t, r[col["tenancycode"]], 32, "a 128-bit keyed hash")
		require.Equal(t, "yes", r[col["cbl"]])
		require.NotEqual(t, "0.00", r[col["brent"]], "the advert's weekly rent")
		for _, p := range people {
			if !let[p.Application] {
				continue
			}
			for _, cell := range r {
				require.NotEqual(t, strconv.FormatInt(p.Application, 10), cell, "a raw application id")
				if p.Name != "" {
					require.NotContains(t, cell, p.Name)
				}
				require.NotContains(t, cell, p.Born.Format("2006-01-02"), "a date of birth")
			}
			require.False(t, slices.Contains(r, p.Born.Format("02/01/2006")))
		}
	}
	// The same key gives the same codes; another key, others.
	again := filepath.Join(dir, "again.csv")
	mustRun(t, "--dsn", dsn, "export", "core", "--from", day, "--to", end, "--key-file", keyFile, again)
	data2, err := os.ReadFile(again)
	require.NoError(t, err)
	require.Equal(t, string(data), string(data2))
	t.Setenv(coreKeyEnv, secret+"-rotated")
	mustRun(t, "--dsn", dsn, "export", "core", "--from", day, "--to", end, again)
	data3, err := os.ReadFile(again)
	require.NoError(t, err)
	require.NotEqual(t, string(data), string(data3))
}
