package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/memstore"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// TestTwelveWeeks_IntakeEqualsWholeImport drives a generated register through 12 weekly
// cycles by the CLI only, twice. In "intake" the first week is imported and every later
// week arrives by import --merge: the cycle, its adverts and its bids, three new
// applications, and (week 4) a birth that raises a household's bedroom need. In "whole"
// every cycle's adverts and bids are imported at the start and only the new applications
// and the birth are merged. Both then run the same weeks: assess, cycle
// close, and on the week's first council advert verify, offer (on week 3 a counted refusal,
// then a review that makes it uncounted) and a let. A household let a home bids no more: intake refuses its later bids at the door,
// the whole import keeps them and the close skips them (not_active), so those rows are
// left out of the comparison. At the end the two databases hold the same shortlists, walks, offers, lets and
// decisions; no shortlist kept after a close changed later; and decisions verify (the
// library's replay of the record) agrees with what intake kept. Alongside, the library's
// own run (memstore, through cbl.Store: Merge, Reassess, CloseCycle, Decide) takes the
// same weeks and must rank every week's advert alike, let the same households and leave
// the reviewed refusal uncounted.
func TestTwelveWeeks_IntakeEqualsWholeImport(t *testing.T) {
	t.Parallel()
	s := fixtures.Small(t, 12)
	cycles := slices.Clone(s.Cycles)
	slices.SortFunc(cycles, func(a, b bidding.Cycle) int { return int(a.ID - b.ID) })
	require.Len(t, cycles, 12)
	cycleOf := map[int64]int64{}
	for _, a := range s.Adverts {
		cycleOf[a.ID] = a.Cycle
	}
	// The birth: a household of one adult gains a baby, so needs a bedroom more.
	var parent register.Application
	for _, a := range s.Applications {
		if len(a.Members) == 1 && a.Status == register.StatusActive {
			parent = a
			break
		}
	}
	require.NotZero(t, parent.ID)
	parent.History, parent.Overrides, parent.Refusals = nil, nil, nil
	parent.Members = append(slices.Clone(parent.Members), register.Member{Name: "Baby",
		Born: register.DateOf(cycles[3].Opens), Sex: register.Female, Relationship: register.RelChild})
	// The bids: those cbl bid place would take (the generator also writes bids the hard
	// checks refuse, which a merge names and refuses). Autobids are placed by cycle close,
	// in both runs alike.
	var bids []bidding.Bid
	for _, b := range s.Bids {
		if !b.Autobid && placeable(t, s, cycles, parent, b, bids) {
			bids = append(bids, b)
		}
	}
	var refuser int64
	housed := map[int64]bool{} // a bid from a household let a home is refused at intake
	week := func(c bidding.Cycle) *snapshot.Snapshot {
		d := &snapshot.Snapshot{Cycles: []bidding.Cycle{c}}
		for _, a := range s.Adverts {
			if a.Cycle == c.ID {
				d.Adverts = append(d.Adverts, a)
			}
		}
		for _, b := range bids {
			if cycleOf[b.Advert] == c.ID && !housed[b.Application] {
				d.Bids = append(d.Bids, b)
			}
		}
		return d
	}
	write := func(d *snapshot.Snapshot) string {
		dir := t.TempDir()
		require.NoError(t, snapshot.Write(dir, d))
		return dir
	}
	first := *s
	first.Cycles, first.Adverts, first.Bids = week(cycles[0]).Cycles, week(cycles[0]).Adverts, week(cycles[0]).Bids
	whole := *s
	whole.Bids = bids

	birth := write(&snapshot.Snapshot{Applications: []register.Application{parent}})
	// Each later week three households join (copies of held ones, under new ids).
	newApps := make([]string, len(cycles))
	for w := 1; w < len(cycles); w++ {
		var joiners []register.Application
		for i, a := range s.Applications[3*w : 3*w+3] {
			a.ID, a.History, a.Overrides, a.Refusals = 900000+int64(10*w+i), nil, nil, nil
			a.Registered = register.DateOf(cycles[w].Opens)
			a.Medical = slices.Clone(a.Medical)
			for k := range a.Medical {
				a.Medical[k].ID = a.ID*10 + int64(k) // assessment ids are the register's own
			}
			joiners = append(joiners, a)
		}
		newApps[w] = write(&snapshot.Snapshot{Applications: joiners})
	}

	type run struct {
		dsn  string
		kept map[int64]string // each week's first council advert: its shortlist right after close
	}
	intake := run{dsn: pgtest.DSN(t), kept: map[int64]string{}}
	ref := run{dsn: pgtest.DSN(t), kept: map[int64]string{}}
	// The library's own run: the same weeks on memstore, through cbl.Store.
	ctx := context.Background()
	lib := memstore.New(&first)
	libKept := map[int64]string{}
	mustRun(t, "--dsn", intake.dsn, "import", write(&first))
	mustRun(t, "--dsn", ref.dsn, "import", write(&whole))
	need := func(r run) float64 {
		var v struct {
			Bedrooms struct{ Need float64 } `json:"bedrooms"`
		}
		require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", r.dsn, "-o", "json", "application", "show", fmt.Sprint(parent.ID))), &v))
		return v.Bedrooms.Need
	}
	needBefore := need(intake)

	for w, c := range cycles {
		if w > 0 {
			mustRun(t, "--dsn", intake.dsn, "import", "--merge", write(week(c)))
		}
		libWeek(t, ctx, lib, w, c, week, birth, newApps, libKept, councilAdvert(s, week(c).Adverts))
		for _, r := range []run{intake, ref} {
			if w > 0 {
				mustRun(t, "--dsn", r.dsn, "import", "--merge", newApps[w])
			}
			if w == 3 {
				mustRun(t, "--dsn", r.dsn, "import", "--merge", birth)
			}
			day := register.DateOf(c.Closes.AddDate(0, 0, 1)).String()
			mustRun(t, "--dsn", r.dsn, "assess", "--as-of", day)
			mustRun(t, "--dsn", r.dsn, "cycle", "close", fmt.Sprint(c.ID))
			ad := councilAdvert(s, week(c).Adverts)
			var rows []shortlistRow
			require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", r.dsn, "-o", "json", "shortlist", "show", fmt.Sprint(ad))), &rows))
			r.kept[ad] = ranked(rows)
			top := firstRanked(rows)
			if top == 0 {
				continue
			}
			at := func(h int) string {
				return c.Closes.AddDate(0, 0, 1).Add(time.Duration(h) * time.Hour).Format("2006-01-02T15:04:05Z07:00")
			}
			args := []string{fmt.Sprint(ad), fmt.Sprint(top)}
			mustRun(t, append([]string{"--dsn", r.dsn, "offer", "verify"}, append(args, "--at", at(9))...)...)
			mustRun(t, append([]string{"--dsn", r.dsn, "offer", "make"}, append(args, "--at", at(10))...)...)
			if w == 2 {
				mustRun(t, append([]string{"--dsn", r.dsn, "offer", "refuse", "--counted"}, append(args, "--at", at(30))...)...)
				refuser = top
				mustRun(t, "--dsn", r.dsn, "review", "request", fmt.Sprint(top), "--subject", "refusal", "--advert", fmt.Sprint(ad),
					"--of", at(30)[:10], "--reason", "the home had no ground-floor toilet", "--at", at(31))
				mustRun(t, "--dsn", r.dsn, "review", "decide", fmt.Sprint(top), "--outcome", "changed",
					"--reason", "the refusal was reasonable", "--at", at(50))
				continue
			}
			mustRun(t, append([]string{"--dsn", r.dsn, "offer", "accept"}, append(args, "--at", at(30))...)...)
			housed[top] = true
		}
	}
	require.Greater(t, need(intake), needBefore, "the birth raised the bedroom need")
	require.Equal(t, need(ref), need(intake))

	for _, r := range []run{intake, ref} {
		for ad, was := range r.kept {
			var rows []shortlistRow
			require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", r.dsn, "-o", "json", "shortlist", "show", fmt.Sprint(ad))), &rows))
			require.Equal(t, was, ranked(rows), "advert %d: its shortlist changed after its close", ad)
		}
		mustRun(t, "--dsn", r.dsn, "decisions", "verify")
	}
	require.Equal(t, ref.kept, intake.kept)
	require.Equal(t, libKept, intake.kept, "the library's own run ranks every week's advert alike")
	for id := range housed {
		a, err := lib.Application(ctx, id)
		require.NoError(t, err)
		require.Equal(t, register.StatusClosed, a.Status, "application %d: let in the library's run too", id)
	}
	refused, err := lib.Application(ctx, refuser)
	require.NoError(t, err)
	require.False(t, refused.Refusals[len(refused.Refusals)-1].Counted, "the review made it uncounted in the library's run")
	diff, _, err := lib.Verify(ctx)
	require.NoError(t, err)
	require.Empty(t, diff)
	require.Len(t, dump(t, intake.dsn, `SELECT advert FROM lets`), len(housed), "a let each week but the refusal's")
	require.Greater(t, len(housed), 8)
	require.Len(t, dump(t, intake.dsn, `SELECT advert FROM offers WHERE counted`), 1, "the counted refusal")
	require.Equal(t, []string{"false"}, dump(t, intake.dsn, fmt.Sprintf(`SELECT counted FROM refusals WHERE application = %d`, refuser)),
		"the review made it uncounted")
	require.Len(t, dump(t, intake.dsn, `SELECT id FROM applications WHERE id >= 900000`), 3*(len(cycles)-1), "the new applications")
	verifyAfterWeeks(t, intake.dsn, cycles)
	for _, q := range []string{
		`SELECT s.advert, e.application, e.position, e.skip FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist
			WHERE e.skip IS DISTINCT FROM 'not_active' ORDER BY 1, 2`,
		`SELECT advert, application, outcome FROM offers ORDER BY 1, 2`,
		`SELECT advert, application FROM lets ORDER BY 1, 2`,
		`SELECT seq, kind, advert, application FROM decisions ORDER BY seq`,
		`SELECT application, band, effective FROM band_history ORDER BY 1, 3, 2`,
	} {
		require.Equal(t, dump(t, intake.dsn, q), dump(t, ref.dsn, q), q)
	}
}

// libWeek runs week w of the twelve on the library's memstore, as the CLI runs it:
// intake, assess, close, and the same decisions on the week's council advert.
func libWeek(t *testing.T, ctx context.Context, lib *memstore.Store, w int, c bidding.Cycle,
	week func(bidding.Cycle) *snapshot.Snapshot, birth string, newApps []string, kept map[int64]string, ad int64) {
	t.Helper()
	merge := func(dir string) {
		_, err := lib.Merge(ctx, os.DirFS(dir), "intake")
		require.NoError(t, err)
	}
	if w > 0 {
		d := t.TempDir()
		require.NoError(t, snapshot.Write(d, week(c)))
		merge(d)
	}
	if w > 0 {
		merge(newApps[w])
	}
	if w == 3 {
		merge(birth)
	}
	day := register.DateOf(c.Closes.AddDate(0, 0, 1))
	p, err := policy.Builtins().At("nn-2021", day)
	require.NoError(t, err)
	_, err = lib.Reassess(ctx, p, day, "cbl", false)
	require.NoError(t, err)
	_, err = lib.CloseCycle(ctx, c.ID, "cbl")
	require.NoError(t, err)
	sl, err := lib.Shortlist(ctx, ad)
	require.NoError(t, err)
	var ranked string
	for _, e := range sl.Ranked {
		ranked += fmt.Sprintf("%d:%d ", e.Position, e.Application)
	}
	kept[ad] = ranked
	if len(sl.Ranked) == 0 {
		return
	}
	top := sl.Ranked[0].Application
	at := func(h int) time.Time { return c.Closes.AddDate(0, 0, 1).Add(time.Duration(h) * time.Hour) }
	decide := func(h int, d allocation.Decision) {
		d.Actor, d.Advert, d.Application = "cbl", ad, top
		_, err := lib.Decide(ctx, at(h), d)
		require.NoError(t, err, "%s", d.Kind)
	}
	decide(9, allocation.Decision{Kind: allocation.VerifyPass})
	decide(10, allocation.Decision{Kind: allocation.MakeOffer})
	if w == 2 {
		decide(30, allocation.Decision{Kind: allocation.Refuse, Refusal: register.RefusedOffer, Counted: true})
		decide(31, allocation.Decision{Kind: allocation.RequestReview, Subject: allocation.SubjectRefusal,
			Of: p.Day(at(30)), Reason: "the home had no ground-floor toilet"})
		d := allocation.Decision{Kind: allocation.DecideReview, Outcome: allocation.Changed, Reason: "the refusal was reasonable"}
		d.Actor, d.Application = "cbl", top
		_, err := lib.Decide(ctx, at(50), d)
		require.NoError(t, err)
		return
	}
	decide(30, allocation.Decision{Kind: allocation.Accept})
}

// placeable reports whether cbl bid place would take bid b, given the bids taken so
// far, on the register as the intake run holds it (the birth from week 4).
func placeable(t *testing.T, s *snapshot.Snapshot, cycles []bidding.Cycle, parent register.Application, b bidding.Bid, taken []bidding.Bid) bool {
	t.Helper()
	ai := slices.IndexFunc(s.Adverts, func(a bidding.Advert) bool { return a.ID == b.Advert })
	ci := slices.IndexFunc(cycles, func(c bidding.Cycle) bool { return c.ID == s.Adverts[ai].Cycle })
	c := cycles[ci]
	p, err := pgstore.PolicyByName(c.Policy, register.DateOf(c.Closes))
	require.NoError(t, err)
	rules, err := bidding.Compile(p)
	require.NoError(t, err)
	app := s.Applications[slices.IndexFunc(s.Applications, func(a register.Application) bool { return a.ID == b.Application })]
	if app.ID == parent.ID && ci >= 3 {
		app = parent
	}
	ix, err := bidding.Assess(rules, []register.Application{app}, p.Day(b.Placed))
	require.NoError(t, err)
	var held []bidding.Bid
	for _, o := range taken {
		if o.Application == b.Application {
			held = append(held, o)
		}
	}
	_, _, err = bidding.PlaceBid(rules, c, s.Adverts, &ix.Profiles[0], held, b.Placed, b.Advert, b.By)
	return err == nil
}

// councilAdvert is the first of ads the council lets itself (no nomination).
func councilAdvert(s *snapshot.Snapshot, ads []bidding.Advert) int64 {
	for _, a := range ads {
		for _, l := range s.Landlords {
			if l.ID == a.Landlord && l.Council {
				return a.ID
			}
		}
	}
	return 0
}

// ranked is the ranked applications of a shortlist, in order, as text.
func ranked(rows []shortlistRow) string {
	var out string
	for _, r := range rows {
		if r.Position != nil {
			out += fmt.Sprintf("%d:%d ", *r.Position, r.Application)
		}
	}
	return out
}

func firstRanked(rows []shortlistRow) int64 {
	for _, r := range rows {
		if r.Position != nil && *r.Position == 1 {
			return r.Application
		}
	}
	return 0
}

// dump is the rows query q returns, as text.
func dump(t *testing.T, dsn, q string) []string {
	t.Helper()
	rows, err := openDSN(t, dsn).Queryx(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		v, err := rows.SliceScan()
		require.NoError(t, err)
		out = append(out, fmt.Sprint(v...))
	}
	require.NoError(t, rows.Err())
	return out
}

// verifyAfterWeeks (S7.7): after all the weeks of intake, decisions and re-banding,
// every cycle, the first above all, ranks again from its record to exactly what its
// close stored; then a changed entry and a changed record are each reported by name.
func verifyAfterWeeks(t *testing.T, dsn string, cycles []bidding.Cycle) {
	t.Helper()
	first := fmt.Sprint(cycles[0].ID)
	for _, c := range cycles {
		var v []struct {
			Entries    int    `json:"entries"`
			Households int    `json:"households"`
			Difference string `json:"difference"`
		}
		require.NoError(t, json.Unmarshal([]byte(mustRun(t, "--dsn", dsn, "-o", "json", "cycle", "verify", fmt.Sprint(c.ID))), &v))
		require.Len(t, v, 1)
		require.Empty(t, v[0].Difference, "cycle %d", c.ID)
		require.Positive(t, v[0].Entries, "cycle %d", c.ID)
	}
	// The register moved on: households were let and closed, and others joined.
	require.NotEmpty(t, dump(t, dsn, `SELECT application FROM lets`))

	db := openDSN(t, dsn)
	var advert, app int64
	require.NoError(t, db.QueryRow(`SELECT s.advert, e.application FROM shortlist_entries e JOIN shortlists s
		ON s.id = e.shortlist AND s.cycle = e.cycle WHERE e.cycle = $1 AND e.position = 1 ORDER BY 1 LIMIT 1`, cycles[0].ID).Scan(&advert, &app))
	_, err := db.Exec(`UPDATE shortlist_entries SET band = 'E' WHERE cycle = $1 AND application = $2 AND position = 1`, cycles[0].ID, app)
	require.NoError(t, err)
	code, out, errOut := run(t, "--dsn", dsn, "cycle", "verify", first)
	require.Equal(t, 1, code, "%s%s", out, errOut)
	require.Contains(t, errOut, fmt.Sprintf("advert %d: ranked entry 1 differs", advert))
	_, err = db.Exec(`UPDATE shortlist_entries SET band = 'A' WHERE cycle = $1 AND application = $2 AND position = 1`, cycles[0].ID, app)
	require.NoError(t, err)

	// Round the guard, as only someone bent on it would: one byte of the record changed.
	_, err = db.Exec(fmt.Sprintf(`BEGIN; SET LOCAL cbl.writer = 'on';
		UPDATE cycle_inputs SET digest = set_byte(digest, 0, (get_byte(digest, 0) + 1) %% 256) WHERE cycle = %d; COMMIT`, cycles[0].ID))
	require.NoError(t, err)
	code, out, errOut = run(t, "--dsn", dsn, "cycle", "verify", first)
	require.Equal(t, 1, code, "%s%s", out, errOut)
	require.Contains(t, errOut, "recorded inputs changed after the close")

	_, err = db.Exec(`UPDATE cycle_inputs SET digest = digest WHERE cycle = 1`)
	require.ErrorContains(t, err, "written only by cbl cycle close", "a plain hand edit is refused")
}
