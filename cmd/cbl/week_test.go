package main

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/internal/pgtest"
)

// TestS8_1_WholeWeek drives one week of a Keyways-scale synthetic register through
// the commands, end to end, as an allocations officer would: import → assess → open →
// assisted bids → close → offers → a counted refusal → the next candidate → let →
// feedback → the applicant's letter.
func TestS8_1_WholeWeek(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db := openDSN(t, dsn)
	mustRun(t, "--dsn", dsn, "import", keywaysDir(t))

	var cycle struct {
		ID     int64
		Opens  time.Time
		Closes time.Time
	}
	require.NoError(t, db.Get(&cycle, `SELECT id, opens, closes FROM cycles ORDER BY id LIMIT 1`))
	closeDay := cycle.Closes.UTC().Format("2006-01-02")

	mustRun(t, "--dsn", dsn, "assess", "--as-of", cycle.Opens.UTC().Format("2006-01-02"), "--actor", "officer:kp")
	// The cycle after this one opens; the register's own cycle is already held.
	require.Contains(t, mustRun(t, "--dsn", dsn, "-o", "csv", "cycle", "open", "--at", cycle.Closes.Add(72*time.Hour).Format(time.RFC3339)), "nn-2021@1")

	// Assisted bidding: an officer withdraws a household's bid for it and places it again.
	var bid struct {
		Application, Advert int64
		Placed              time.Time
	}
	require.NoError(t, db.Get(&bid, `SELECT b.application, b.advert, b.placed FROM bids b JOIN adverts a ON a.id = b.advert
		JOIN applications p ON p.id = b.application
		WHERE a.cycle = $1 AND p.status = 'active' AND b.withdrawn IS NULL AND b.placed < $2
		ORDER BY b.application, b.advert LIMIT 1`, cycle.ID, cycle.Closes.Add(-time.Hour)))
	during := bid.Placed.Add(time.Minute).UTC().Format(time.RFC3339)
	app, ad := strconv.FormatInt(bid.Application, 10), strconv.FormatInt(bid.Advert, 10)
	mustRun(t, "--dsn", dsn, "bid", "withdraw", ad, app, "--at", during)
	mustRun(t, "--dsn", dsn, "bid", "place", ad, app, "--at", during, "--by", "officer:kp")

	closed := mustRun(t, "--dsn", dsn, "-o", "csv", "cycle", "close", strconv.FormatInt(cycle.ID, 10))
	require.Equal(t, 31, strings.Count(closed, "\n"), "a header and 30 adverts")

	// A council advert with at least three ranked candidates.
	var advert int64
	require.NoError(t, db.Get(&advert, `SELECT s.advert FROM shortlists s JOIN shortlist_entries e ON e.shortlist = s.id
		JOIN adverts a ON a.id = s.advert JOIN landlords l ON l.id = a.landlord
		WHERE s.cycle = $1 AND l.council AND e.position IS NOT NULL
		GROUP BY s.advert HAVING count(*) >= 3 ORDER BY s.advert LIMIT 1`, cycle.ID))
	var ranked []int64
	require.NoError(t, db.Select(&ranked, `SELECT e.application FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist
		WHERE s.advert = $1 AND e.position IS NOT NULL ORDER BY e.position`, advert))
	ad = strconv.FormatInt(advert, 10)
	first, second := strconv.FormatInt(ranked[0], 10), strconv.FormatInt(ranked[1], 10)

	at := func(h int) []string {
		return []string{"--at", cycle.Closes.Add(time.Duration(h) * time.Hour).UTC().Format(time.RFC3339), "--actor", "officer:kp"}
	}
	decide := func(h int, args ...string) string {
		return mustRun(t, append(append([]string{"--dsn", dsn}, args...), at(h)...)...)
	}
	decide(24, "offer", "verify", ad, first)
	decide(25, "offer", "make", ad, first)
	decide(48, "offer", "refuse", ad, first, "--counted")
	decide(49, "offer", "verify", ad, second)
	decide(50, "offer", "make", ad, second)
	decide(72, "offer", "accept", ad, second)

	var counted bool
	require.NoError(t, db.Get(&counted, `SELECT counted FROM offers WHERE advert = $1 AND application = $2`, advert, ranked[0]))
	require.True(t, counted, "the refusal is recorded as counted")
	var tenant int64
	require.NoError(t, db.Get(&tenant, `SELECT application FROM lets WHERE advert = $1`, advert))
	require.Equal(t, ranked[1], tenant, "the home is let to the second candidate after the first refused")

	feedback, err := csv.NewReader(strings.NewReader(mustRun(t, "--dsn", dsn, "-o", "csv", "feedback", strconv.FormatInt(cycle.ID, 10)))).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range feedback[0] {
		col[h] = i
	}
	var row []string
	for _, r := range feedback[1:] {
		if r[col["advert"]] == ad {
			row = r
		}
	}
	require.NotNil(t, row, "the let is in the published feedback: %v", feedback)
	require.Equal(t, "2", row[col["position"]], "position 2 took the home")
	require.Equal(t, "shortlist", row[col["route"]])

	letter := mustRun(t, "--dsn", dsn, "explain", second, "--advert", ad, "--letter", "--as-of", closeDay)
	require.Contains(t, letter, "You are in Band")
	require.Contains(t, letter, "you were 2nd of")
}
