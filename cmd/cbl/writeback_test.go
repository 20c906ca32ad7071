package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// nextAutobids closes the second cycle in memory from the imported snapshot (before any
// decision), with no exclusions: the adverts each application would be autobid and
// ranked on next week if nothing changed. It is the control the tests compare against.
func (w *weekEnv) nextAutobids() map[int64][]int64 {
	w.t.Helper()
	c := w.snap.Cycles[1]
	p, err := pgstore.CyclePolicy(c)
	require.NoError(w.t, err)
	rules, err := bidding.Compile(p)
	require.NoError(w.t, err)
	closed, err := shortlist.CloseCycle(w.t.Context(), rules, c, w.snap.Applications, c.AdvertsOf(w.snap.Adverts), w.snap.Bids, nil)
	require.NoError(w.t, err)
	out := map[int64][]int64{}
	for _, sl := range closed.Shortlists {
		for _, e := range sl.Ranked {
			if e.Autobid {
				out[e.Application] = append(out[e.Application], sl.Advert)
			}
		}
	}
	return out
}

// closeNext closes the second cycle through cbl cycle close.
func (w *weekEnv) closeNext() {
	w.t.Helper()
	code, _, errOut := w.cbl("cycle", "close", idArg(w.snap.Cycles[1].ID), "--actor", "closer")
	require.Equal(w.t, 0, code, errOut)
}

// inNextClose counts application app's autobids and ranked entries in the second cycle.
func (w *weekEnv) inNextClose(app int64) (autobids, ranked int) {
	w.t.Helper()
	c := w.snap.Cycles[1].ID
	autobids = w.count(`SELECT count(*) FROM bids_all b JOIN adverts a ON a.id = b.advert
		WHERE a.cycle = $1 AND b.application = $2 AND b.autobid`, c, app)
	ranked = w.count(`SELECT count(*) FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist
		WHERE s.cycle = $1 AND e.application = $2 AND e.position IS NOT NULL`, c, app)
	return autobids, ranked
}

// offerTo walks council advert ad to application app (skipping those ahead with
// no_contact) and offers it.
func (w *weekEnv) offerTo(ad, app int64) {
	w.t.Helper()
	for {
		next := w.waits(ad)["verify"]
		require.NotEmpty(w.t, next, "advert %d: nobody left to verify before %d", ad, app)
		if next == idArg(app) {
			break
		}
		w.decide("offer", "verify", idArg(ad), next, "--skip", "no_contact", "--note", "three calls, no answer")
	}
	w.decide("offer", "verify", idArg(ad), idArg(app))
	w.decide("offer", "make", idArg(ad), idArg(app))
}

// rankedOn returns the council adverts of the first cycle app is ranked on, best place first.
func (w *weekEnv) rankedOn(app int64) []int64 {
	var ads []int64
	place := map[int64]int{}
	for _, sl := range w.shortlists {
		if !w.council[sl.Advert] {
			continue
		}
		for i, e := range sl.Ranked {
			if e.Application == app {
				ads = append(ads, sl.Advert)
				place[sl.Advert] = i
			}
		}
	}
	slices.SortFunc(ads, func(a, b int64) int { return place[a] - place[b] })
	return ads
}

// TestS8_10_LetHouseholdLeavesTheRegisterAndNextClose: a Band A household the next
// close would autobid accepts an offer; the register holds it closed as rehoused, and
// next week's close neither autobids nor ranks it. Rebuilding from the record leaves the
// register as it is (the replay starts from the pre-decision facts).
func TestS8_10_LetHouseholdLeavesTheRegisterAndNextClose(t *testing.T) {
	t.Parallel()
	w := newWeeks(t, 2)
	next := w.nextAutobids()
	var ad, x int64
	for _, a := range w.snap.Adverts {
		sl := w.shortlists[a.ID]
		if w.council[a.ID] && len(sl.Ranked) > 0 && len(next[sl.Ranked[0].Application]) > 0 {
			ad, x = a.ID, sl.Ranked[0].Application
			break
		}
	}
	require.NotZero(t, x, "no first-ranked household that next week's close would autobid")
	w.offerTo(ad, x)
	w.decide("offer", "accept", idArg(ad), idArg(x))

	reason := fmt.Sprintf("rehoused: advert %d", ad)
	require.Equal(t, 1, w.count(`SELECT count(*) FROM applications WHERE id = $1 AND status = 'closed'
		AND status_reason = $2`, x, reason))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'register_status' AND application = $1
		AND actor = 'officer1' AND reason = $2 AND detail->'from'->>'status' = 'active'`, x, reason))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM register_base WHERE application = $1 AND state->>'status' = 'active'`, x))

	w.closeNext()
	autobids, ranked := w.inNextClose(x)
	require.Zero(t, autobids, "a rehoused household is not autobid")
	require.Zero(t, ranked, "a rehoused household is not ranked")

	// The replay still fits (it starts from the pre-decision register) and rebuilding
	// changes nothing in the register.
	events := w.count(`SELECT count(*) FROM events`)
	code, _, errOut := w.cbl("decisions", "--rebuild")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, events, w.count(`SELECT count(*) FROM events`), "nothing to rewrite in the register")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM applications WHERE id = $1 AND status = 'closed'`, x))
	code, out, errOut := w.cbl("-o", "csv", "export", t.TempDir())
	require.Equal(t, 0, code, errOut+out)
}

// TestS8_4_TwoCountedRefusalsCloseTheRegister: two counted refusals within 12 months
// close the application in the register until 12 months after the second, with both
// refusals recorded, and next week's close skips it.
func TestS8_4_TwoCountedRefusalsCloseTheRegister(t *testing.T) {
	t.Parallel()
	w := newWeeks(t, 2)
	next := w.nextAutobids()
	var x int64
	var ads []int64
	for app := range next {
		if on := w.rankedOn(app); len(on) >= 2 && (x == 0 || app < x) {
			x, ads = app, on[:2]
		}
	}
	require.NotZero(t, x, "no household ranked on two council adverts and autobid next week")
	var refusedOn []string
	for _, ad := range ads {
		w.offerTo(ad, x)
		w.decide("offer", "refuse", idArg(ad), idArg(x), "--counted")
		refusedOn = append(refusedOn, register.DateOf(w.clock).String())
	}
	second, err := register.ParseDate(refusedOn[1])
	require.NoError(t, err)
	until := second.AddMonths(12).String()
	require.Equal(t, 1, w.count(`SELECT count(*) FROM applications WHERE id = $1 AND status = 'closed'
		AND status_reason LIKE 'refusals: 2 counted refusals within 12 months' AND status_until = $2::date`, x, until))
	require.Equal(t, 2, w.count(`SELECT count(*) FROM refusals WHERE application = $1 AND counted AND kind = 'refused'
		AND advert = ANY($2)`, x, fmt.Sprintf("{%d,%d}", ads[0], ads[1])))
	require.Equal(t, 2, w.count(`SELECT count(*) FROM events WHERE kind = 'register_refusal' AND application = $1`, x))

	w.closeNext()
	autobids, ranked := w.inNextClose(x)
	require.Zero(t, autobids, "a closed application is not autobid")
	require.Zero(t, ranked, "a closed application is not ranked")
}

// TestS8_6_RefusedFinalOfferLeavesTheDischargeInTheRegister: a suitable final offer
// refused under a homeless duty leaves the withdraw_criterion override and the lower
// band in the register: cbl assess --dry-run finds nothing to change for it (the
// override and the history agree) and cbl explain assesses it without the criterion.
func TestS8_6_RefusedFinalOfferLeavesTheDischargeInTheRegister(t *testing.T) {
	t.Parallel()
	w := newWeeks(t, 2)
	p, err := pgstore.CyclePolicy(w.snap.Cycles[0])
	require.NoError(t, err)
	day := register.DateOf(w.clock)
	var x int64
	var was register.Band
	for _, a := range w.snap.Applications {
		as, err := banding.Assess(&a, p, day)
		require.NoError(t, err)
		// Without its homeless criteria it would fall to a lower band (not out of the
		// scheme: most households under a duty qualify only through it).
		d := a
		d.Overrides = slices.Clone(a.Overrides)
		for _, m := range as.Criteria {
			if slices.Contains(p.Refusals.DischargeCriteria, m.ID) {
				d.Overrides = append(d.Overrides, register.Override{Kind: register.OverrideWithdrawCriterion,
					Criterion: m.ID, Reason: "test", By: "test", On: day})
			}
		}
		after, err := banding.Assess(&d, p, day)
		require.NoError(t, err)
		if len(d.Overrides) > len(a.Overrides) && after.Band != register.NoBand && as.Band.Higher(after.Band) && len(w.rankedOn(a.ID)) > 0 &&
			(x == 0 || a.ID < x) {
			x, was = a.ID, as.Band
		}
	}
	require.NotZero(t, x, "no household under a homeless duty ranked on a council advert")
	ad := w.rankedOn(x)[0]
	w.offerTo(ad, x)
	w.decide("offer", "refuse", idArg(ad), idArg(x), "--counted", "--final")
	day = register.DateOf(w.clock) // the override is in force from the refusal

	require.Positive(t, w.count(`SELECT count(*) FROM overrides WHERE application = $1 AND kind = 'withdraw_criterion'
		AND recorded_by = 'officer1' AND reason LIKE 'homeless duty discharged%'`, x))
	var band string
	require.NoError(t, w.db.Get(&band, `SELECT band FROM band_history WHERE application = $1 AND to_date IS NULL`, x))
	now, err := register.ParseBand(band)
	require.NoError(t, err)
	require.True(t, was.Higher(now), "re-banded from %s to %s: want lower", was, now)
	require.Positive(t, w.count(`SELECT count(*) FROM events WHERE kind = 'register_override' AND application = $1`, x))
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'register_band_history' AND application = $1`, x))

	code, out, errOut := w.cbl("-o", "csv", "assess", "--dry-run", "--as-of", day.String())
	require.Equal(t, 0, code, errOut)
	for _, line := range strings.Split(out, "\n") {
		require.False(t, strings.HasPrefix(line, idArg(x)+","), "assess would re-band %d: %s", x, line)
	}
	code, out, errOut = w.cbl("explain", idArg(x), "--as-of", day.String())
	require.Equal(t, 0, code, errOut)
	var ex struct {
		Band string `json:"band"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &ex), out)
	require.Equal(t, band, ex.Band, out)
}

// TestS6_5_OfficerExcludesAnAdvertFromAutobid: an officer excludes an advert for a
// Band A household; next week's close places no autobid for it there (and still does
// on its other adverts).
func TestS6_5_OfficerExcludesAnAdvertFromAutobid(t *testing.T) {
	t.Parallel()
	w := newWeeks(t, 2)
	next := w.nextAutobids()
	var x int64
	for app, ads := range next {
		if len(ads) >= 2 && (x == 0 || app < x) {
			x = app
		}
	}
	require.NotZero(t, x, "no household autobid on two adverts next week")
	ad := next[x][0]

	code, _, errOut := w.cbl("autobid", "exclude", idArg(ad), idArg(x), "--actor", "kpatel")
	require.Equal(t, 2, code, "--reason is required: %s", errOut)
	code, out, errOut := w.cbl("-o", "csv", "autobid", "exclude", idArg(ad), idArg(x),
		"--reason", "known risk at the block", "--actor", "kpatel")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("%d,%d,known risk at the block,kpatel,", x, ad))
	code, _, errOut = w.cbl("autobid", "exclude", idArg(ad), idArg(x), "--reason", "again", "--actor", "kpatel")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "already excluded")
	code, out, errOut = w.cbl("-o", "csv", "autobid", "list")
	require.Equal(t, 0, code, errOut)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 2, out)
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'autobid_excluded' AND application = $1
		AND advert = $2 AND actor = 'kpatel' AND reason = 'known risk at the block'`, x, ad))

	w.closeNext()
	require.Zero(t, w.count(`SELECT count(*) FROM bids_all WHERE application = $1 AND advert = $2`, x, ad),
		"no autobid on the excluded advert")
	autobids, _ := w.inNextClose(x)
	require.Equal(t, len(next[x])-1, autobids, "the other autobids are placed")
}

// TestExport_AfterDecisionsReimportIsIdentical: after decisions that write back (a
// counted refusal, a let), cbl export writes the register as it stands and, in
// register_base*.csv, the state before them; cbl import --replace of it under the same
// record exports byte for byte the same files. Imported into a fresh database (no
// record) the register is the same and the bases are not loaded, with a note.
func TestExport_AfterDecisionsReimportIsIdentical(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 2)
	refuser, tenant := sl.Ranked[0].Application, sl.Ranked[1].Application
	w.offerTo(sl.Advert, refuser)
	w.decide("offer", "refuse", idArg(sl.Advert), idArg(refuser), "--counted")
	w.offerTo(sl.Advert, tenant)
	w.decide("offer", "accept", idArg(sl.Advert), idArg(tenant))

	dir1, dir2, dir3 := t.TempDir(), t.TempDir(), t.TempDir()
	code, out, errOut := w.cbl("-o", "csv", "export", dir1)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "register_base.csv,2\n")
	base, err := os.ReadFile(filepath.Join(dir1, "register_base.csv"))
	require.NoError(t, err)
	require.Contains(t, string(base), fmt.Sprintf("\n%d,", tenant))
	require.Contains(t, string(base), fmt.Sprintf("\n%d,", refuser))

	// Without a database nothing is replayed and the bases are not used: the advert's
	// cycle shortlisted again from the export ranks the applications as they stand, so
	// the let household, ranked at the close, is now skipped as not active.
	code, out, errOut = w.cbl("-o", "csv", "shortlist", "show", idArg(sl.Advert), "--register", dir1)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, fmt.Sprintf(`(?m)^,%d,.*,not_active,`, tenant), out)

	code, _, errOut = w.cbl("import", "--replace", dir1)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, errOut, "not loaded")
	code, _, errOut = w.cbl("export", dir2)
	require.Equal(t, 0, code, errOut)
	requireSameFiles(t, dir1, dir2, nil)

	// A base naming a decision this database does not record is refused, by application.
	bad := t.TempDir()
	for _, f := range snapshot.Files {
		data, err := os.ReadFile(filepath.Join(dir1, f.Name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bad, f.Name), data, 0o644))
	}
	lines := strings.Split(string(base), "\n")
	first := strings.Split(lines[1], ",")
	first[1] = "999"
	lines[1] = strings.Join(first, ",")
	require.NoError(t, os.WriteFile(filepath.Join(bad, "register_base.csv"), []byte(strings.Join(lines, "\n")), 0o644))
	code, _, errOut = w.cbl("import", "--replace", bad)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, fmt.Sprintf(`register_base.csv: application %s: decision: "999": no such decision recorded in this database`, first[0]))
	require.Contains(t, errOut, "1 bad value(s); nothing imported")
	code, _, errOut = w.cbl("export", dir2)
	require.Equal(t, 0, code, errOut)
	requireSameFiles(t, dir1, dir2, nil)

	fresh := pgtest.DSN(t)
	code, _, errOut = run(t, "--dsn", fresh, "import", dir1)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "register_base.csv: 2 application(s) not loaded: this database records no decisions")
	code, _, errOut = run(t, "--dsn", fresh, "export", dir3)
	require.Equal(t, 0, code, errOut)
	requireSameFiles(t, dir1, dir3, func(name string) bool { return strings.HasPrefix(name, "register_base") })
}

// requireSameFiles requires the snapshot files of dirs a and b to be byte for byte the
// same, except that those for which headerOnly is true must hold only the header in b.
func requireSameFiles(t *testing.T, a, b string, headerOnly func(name string) bool) {
	t.Helper()
	for _, f := range snapshot.Files {
		want, err := os.ReadFile(filepath.Join(a, f.Name))
		require.NoError(t, err)
		if headerOnly != nil && headerOnly(f.Name) {
			want = []byte(strings.Join(f.Columns, ",") + "\n")
		}
		got, err := os.ReadFile(filepath.Join(b, f.Name))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), f.Name)
	}
}

// TestS6_5_RemovedExclusionLetsTheNextCloseAutobidAgain: an officer excludes an
// advert for a Band A household, then removes the exclusion; next week's close autobids
// the household onto that advert again. Removing an exclusion that is not held fails
// (exit 1, distinct from a usage error) and writes nothing.
func TestS6_5_RemovedExclusionLetsTheNextCloseAutobidAgain(t *testing.T) {
	t.Parallel()
	w := newWeeks(t, 2)
	next := w.nextAutobids()
	var x int64
	for app := range next {
		if x == 0 || app < x {
			x = app
		}
	}
	require.NotZero(t, x, "no household autobid next week")
	ad := next[x][0]

	code, _, errOut := w.cbl("autobid", "exclude", idArg(ad), idArg(x), "--reason", "known risk at the block", "--actor", "kpatel")
	require.Equal(t, 0, code, errOut)
	code, _, errOut = w.cbl("autobid", "include", idArg(ad), idArg(x), "--actor", "kpatel")
	require.Equal(t, 2, code, "--reason is required: %s", errOut)
	code, out, errOut := w.cbl("-o", "csv", "autobid", "include", idArg(ad), idArg(x),
		"--reason", "risk reviewed: resolved", "--actor", "jlee")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("%d,%d,known risk at the block,kpatel,", x, ad), "prints the exclusion removed")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'autobid_included' AND application = $1
		AND advert = $2 AND actor = 'jlee' AND reason = 'risk reviewed: resolved'
		AND detail->'removed'->>'by' = 'kpatel'`, x, ad))

	code, _, errOut = w.cbl("autobid", "include", idArg(ad), idArg(x), "--reason", "again", "--actor", "jlee")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "not excluded")
	require.Equal(t, 1, w.count(`SELECT count(*) FROM events WHERE kind = 'autobid_included'`), "a failed removal writes nothing")
	code, out, errOut = w.cbl("-o", "csv", "autobid", "list")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "application,advert,reason,by,at", strings.TrimSpace(out))

	w.closeNext()
	require.Equal(t, 1, w.count(`SELECT count(*) FROM bids_all WHERE application = $1 AND advert = $2 AND autobid`, x, ad),
		"autobid on the advert again")
	autobids, _ := w.inNextClose(x)
	require.Equal(t, len(next[x]), autobids)
}
