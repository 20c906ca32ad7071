// Package conformance is the test suite every cbl.Store passes (as golang-migrate's
// drivers all pass one suite): closing cycles, reading shortlists and walks, recording
// decisions and refusing those that do not fit, writing their effects back to the
// register, and the audit. Each store's results are held to the engine's own: the same
// decisions applied to the whole register in memory (allocation.Walk) give the same
// steps.
package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/intake"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/cbl-lettings/cbl/synth"
)

// Open makes a store holding reg (and nothing else) for one test.
type Open func(t *testing.T, reg *cbl.Register) cbl.Store

// Register is the generated register the suite runs on: 600 applications, two weekly
// cycles of adverts with their bids.
func Register(t *testing.T) *cbl.Register {
	t.Helper()
	cfg := synth.Keyways()
	cfg.Register.Applications = 600
	cfg.Supply.Cycles = 2
	reg, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// Run runs the suite against the stores open makes.
func Run(t *testing.T, open Open) {
	reg := Register(t)
	t.Run("Register", func(t *testing.T) {
		t.Parallel()
		s := open(t, reg)
		got, err := s.Register(context.Background())
		must(t, err)
		if len(got.Applications) != len(reg.Applications) || len(got.Adverts) != len(reg.Adverts) ||
			len(got.Bids) != len(reg.Bids) || len(got.Cycles) != len(reg.Cycles) {
			t.Fatalf("register read back: %v, want %v", got.Counts(), reg.Counts())
		}
	})
	t.Run("CloseCycle", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := open(t, reg)
		c := reg.Cycles[0]
		ads := c.AdvertsOf(reg.Adverts)
		if _, err := s.Shortlist(ctx, ads[0].ID); err == nil {
			t.Fatal("a shortlist before the cycle closed")
		}
		n, err := s.CloseCycle(ctx, c.ID, "conformance")
		must(t, err)
		if n != len(ads) {
			t.Fatalf("closed %d shortlists, want one per advert (%d)", n, len(ads))
		}
		if pol, err := s.Policy(ctx); err != nil || pol.Name() != c.Policy {
			t.Fatalf("the policy after closing cycle %d: %v, %v; want %s", c.ID, pol, err, c.Policy)
		}
		if again, err := s.CloseCycle(ctx, c.ID, "conformance"); err != nil || again != 0 {
			t.Fatalf("closing again: %d, %v; want 0, nil", again, err)
		}
		traced := false
		for _, ad := range ads {
			sl, err := s.Shortlist(ctx, ad.ID)
			must(t, err)
			for i, e := range sl.Ranked {
				if e.Position != i+1 {
					t.Fatalf("advert %d: ranked[%d] at position %d", ad.ID, i, e.Position)
				}
			}
			for _, e := range slices.Concat(sl.Ranked, sl.Skipped) {
				raw, err := s.Trace(ctx, ad.ID, e.Application)
				must(t, err)
				var tr shortlist.Trace
				must(t, json.Unmarshal(raw, &tr))
				if tr.Application != e.Application || tr.Advert != ad.ID || tr.Position != e.Position || tr.Skip != e.Skip {
					t.Fatalf("advert %d, application %d: the trace says %+v, the shortlist %+v", ad.ID, e.Application, tr, e)
				}
				traced = true
				break
			}
		}
		if !traced {
			t.Fatal("no bid to trace")
		}
	})
	t.Run("PlaceBid", func(t *testing.T) {
		t.Parallel()
		placeBids(t, open(t, reg), reg)
	})
	t.Run("Decide", func(t *testing.T) {
		t.Parallel()
		decide(t, open(t, reg), reg)
	})
	t.Run("Merge", func(t *testing.T) {
		t.Parallel()
		merge(t, open(t, reg), reg)
	})
}

// merge takes an intake — a new application, a new advert in the open cycle and a
// changed household — after the first cycle closed and a let; then a delta with a band
// history row, refused with nothing changed. The record still replays.
func merge(t *testing.T, s cbl.Store, reg *cbl.Register) {
	ctx := context.Background()
	_, err := s.CloseCycle(ctx, reg.Cycles[0].ID, "conformance")
	must(t, err)
	var ad bidding.Advert // the first the council lets itself
	for _, a := range reg.Cycles[0].AdvertsOf(reg.Adverts) {
		if l := slices.IndexFunc(reg.Landlords, func(l bidding.Landlord) bool { return l.ID == a.Landlord && l.Council }); l >= 0 && ad.ID == 0 {
			ad = a
		}
	}
	waits, err := s.Waiting(ctx, ad.ID)
	must(t, err)
	at := reg.Cycles[0].Closes.Add(24 * time.Hour)
	if len(waits) == 0 || waits[0].For != allocation.WaitVerify {
		t.Fatalf("advert %d waits for %v; the suite needs a candidate to verify", ad.ID, waits)
	}
	for _, k := range []allocation.Kind{allocation.VerifyPass, allocation.MakeOffer, allocation.Accept} {
		_, err := s.Decide(ctx, at, allocation.Decision{Kind: k, Actor: "conformance", Advert: ad.ID, Application: waits[0].Applications[0]})
		must(t, err)
	}
	before, err := s.Register(ctx)
	must(t, err)
	// The household let has a baby; a new household joins; a new advert.
	grown := before.Applications[slices.IndexFunc(before.Applications, func(a register.Application) bool { return a.ID == waits[0].Applications[0] })]
	grown.Members = append(slices.Clone(grown.Members), register.Member{Name: "Baby", Born: register.DateOf(at),
		Sex: register.Female, Relationship: register.RelChild})
	joiner := before.Applications[1]
	joiner.ID, joiner.History, joiner.Overrides, joiner.Refusals = 990001, nil, nil, nil
	grown.History, grown.Overrides, grown.Refusals = nil, nil, nil
	open := reg.Cycles[len(reg.Cycles)-1]
	fresh := open.AdvertsOf(reg.Adverts)[0]
	fresh.ID = 990001
	res, err := s.Merge(ctx, deltaFS(t, &snapshot.Snapshot{Applications: []register.Application{grown, joiner},
		Adverts: []bidding.Advert{fresh}}), "conformance")
	must(t, err)
	if want := (intake.Result{ApplicationsAdded: 1, ApplicationsUpdated: 1, AdvertsAdded: 1}); *res != want {
		t.Fatalf("merged %+v, want %+v", *res, want)
	}
	got, err := s.Application(ctx, grown.ID)
	must(t, err)
	if len(got.Members) != len(grown.Members) {
		t.Fatalf("application %d holds %d members after the birth, want %d", grown.ID, len(got.Members), len(grown.Members))
	}
	if _, err := s.Application(ctx, joiner.ID); err != nil {
		t.Fatalf("the new application: %v", err)
	}
	if diff, _, err := s.Verify(ctx); err != nil || diff != "" {
		t.Fatalf("the record after the intake: %q, %v", diff, err)
	}
	// What decisions and assessment keep is not taken.
	now, err := s.Register(ctx)
	must(t, err)
	i := slices.IndexFunc(now.Applications, func(a register.Application) bool { return len(a.History) > 0 })
	if i < 0 {
		t.Fatal("no application holds a band history")
	}
	hist := now.Applications[i]
	hist.Members, hist.Medical = nil, nil
	_, err = s.Merge(ctx, deltaFS(t, &snapshot.Snapshot{Applications: []register.Application{hist}}), "conformance")
	var ve *snapshot.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "band_history.csv:2") {
		t.Fatalf("a band history row merged: %v; want it refused by file and line", err)
	}
	after, err := s.Register(ctx)
	must(t, err)
	if js(after.Counts()) != js(now.Counts()) {
		t.Fatalf("a refused merge changed the register: %v, was %v", after.Counts(), now.Counts())
	}
}

// deltaFS is d as a partial snapshot: only the files it has rows for.
func deltaFS(t *testing.T, d *snapshot.Snapshot) fs.FS {
	fsys, err := snapshottest.Delta(d)
	must(t, err)
	return fsys
}

// decide closes both cycles and works their adverts through their walks, a day per
// round, holding each step to the engine's on the whole register, then checks refusals,
// the register write-back and the audit.
func decide(t *testing.T, s cbl.Store, reg *cbl.Register) {
	ctx := context.Background()
	var in allocation.Input
	in.Applications, in.Landlords = reg.Applications, reg.Landlords
	for _, c := range reg.Cycles {
		if _, err := s.CloseCycle(ctx, c.ID, "conformance"); err != nil {
			t.Fatal(err)
		}
		for _, ad := range c.AdvertsOf(reg.Adverts) {
			sl, err := s.Shortlist(ctx, ad.ID)
			must(t, err)
			in.Adverts, in.Shortlists = append(in.Adverts, ad), append(in.Shortlists, *sl)
		}
	}
	last := reg.Cycles[len(reg.Cycles)-1]
	p, err := policy.Builtins().ByName(last.Policy, register.DateOf(last.Closes))
	must(t, err)
	in.Policy = p
	ref, err := allocation.Start(&in)
	must(t, err)

	at := last.Ends().Add(10 * time.Hour)
	ids := ref.Adverts()
	decided, lets := 0, 0
	var tenant int64
	var applied []allocation.Decision
	for round := 0; round < 12; round++ {
		progress := false
		for i, id := range ids {
			ws, err := s.Waiting(ctx, id)
			must(t, err)
			if want := ref.Waiting(id); !sameJSON(ws, want) {
				t.Fatalf("advert %d waits for %s; the engine says %s", id, js(ws), js(want))
			}
			if len(ws) == 0 || ws[0].For == allocation.WaitRelet {
				continue
			}
			d := allocation.Decision{Actor: "officer", Advert: id}
			if len(ws[0].Applications) > 0 {
				d.Application = ws[0].Applications[0]
			}
			switch ws[0].For {
			case allocation.WaitVerify:
				d.Kind = allocation.VerifyPass
			case allocation.WaitOffer:
				d.Kind = allocation.MakeOffer
			case allocation.WaitReply:
				d.Kind, d.Actor = allocation.Accept, "applicant"
				if (id+int64(round))%4 == 0 {
					d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, "officer", register.RefusedOffer, true
				}
			case allocation.WaitNominate:
				d.Kind, d.Application = allocation.Nominate, 0
			case allocation.WaitLandlord:
				d.Kind, d.Actor = allocation.LandlordAccept, "landlord"
			case allocation.WaitRequestMore:
				d.Kind, d.Actor, d.Application = allocation.RequestMore, "landlord", 0
			}
			when := at.Add(time.Duration(round)*24*time.Hour + time.Duration(i)*time.Second)
			got, err := s.Decide(ctx, when, d)
			if err != nil {
				t.Fatalf("round %d: %+v: %v", round, d, err)
			}
			d.On, d.At = p.Day(when), when.UTC().Truncate(time.Microsecond)
			want, err := ref.Apply(d)
			must(t, err)
			if !sameJSON(got, want) {
				t.Fatalf("round %d, %s on advert %d: the store's step\n%s\nthe engine's\n%s", round, d.Kind, id, js(got), js(want))
			}
			decided++
			applied = append(applied, d)
			lets += len(got.Lets)
			if len(got.Lets) > 0 {
				tenant = got.Lets[0].Application
			}
			progress = true
		}
		if !progress {
			break
		}
	}
	if decided < 30 || lets < 5 {
		t.Fatalf("%d decisions, %d lets: the suite needs more", decided, lets)
	}

	// Each walk as kept is the engine's.
	for _, want := range ref.Walks() {
		got, err := s.Walk(ctx, want.Advert)
		must(t, err)
		if got != nil && !sameJSON(*got, want) {
			t.Fatalf("walk of advert %d: kept %s; the engine's %s", want.Advert, js(got), js(want))
		}
		if got == nil && len(want.Entries) > 0 {
			t.Fatalf("walk of advert %d: none kept; the engine's reached %d entries", want.Advert, len(want.Entries))
		}
	}

	// A decision that does not fit is refused and changes nothing.
	before, err := s.Waiting(ctx, ids[0])
	must(t, err)
	_, err = s.Decide(ctx, at.Add(30*24*time.Hour), allocation.Decision{Kind: allocation.Accept, Actor: "applicant",
		Advert: ids[0], Application: reg.Applications[0].ID})
	if !errors.Is(err, allocation.ErrDecision) {
		t.Fatalf("an acceptance without an offer: %v, want an error wrapping allocation.ErrDecision", err)
	}
	after, err := s.Waiting(ctx, ids[0])
	must(t, err)
	if !sameJSON(before, after) {
		t.Fatal("a refused decision changed the walk")
	}

	// Lets are written back to the register.
	now, err := s.Register(ctx)
	must(t, err)
	i := slices.IndexFunc(now.Applications, func(a register.Application) bool { return a.ID == tenant })
	if i < 0 || now.Applications[i].Status != register.StatusClosed {
		t.Fatalf("application %d was let a home but the register holds it as %v", tenant, now.Applications[i].Status)
	}
	one, err := s.Application(ctx, tenant)
	must(t, err)
	if !sameJSON(one, &now.Applications[i]) {
		t.Fatalf("application %d read alone is not as the register holds it", tenant)
	}
	if _, err := s.Application(ctx, 987654321); !errors.Is(err, cbl.ErrNoApplication) {
		t.Fatalf("an application not held: %v, want cbl.ErrNoApplication", err)
	}

	diff, n, err := s.Verify(ctx)
	must(t, err)
	if diff != "" || n != decided {
		t.Fatalf("audit: %d decisions replayed (want %d), difference %q", n, decided, diff)
	}

	// Void the last decision: the store is as if it had not been made.
	lastD := applied[len(applied)-1]
	if _, err := s.Decide(ctx, at.Add(40*24*time.Hour), allocation.Decision{Kind: allocation.Void, Actor: "officer",
		Voids: int64(decided), Reason: "recorded wrongly"}); err != nil {
		t.Fatalf("void decision %d: %v", decided, err)
	}
	without, err := allocation.Start(&in)
	must(t, err)
	for _, d := range applied[:len(applied)-1] {
		_, err := without.Apply(d)
		must(t, err)
	}
	ws, err := s.Waiting(ctx, lastD.Advert)
	must(t, err)
	if want := without.Waiting(lastD.Advert); !sameJSON(ws, want) {
		t.Fatalf("after voiding %s on advert %d it waits for %s; without that decision the engine says %s",
			lastD.Kind, lastD.Advert, js(ws), js(want))
	}
	if diff, n, err := s.Verify(ctx); err != nil || diff != "" || n != decided+1 {
		t.Fatalf("audit after the void: %d decisions, difference %q, %v", n, diff, err)
	}

	// Re-assessment: a dry run changes nothing; a real one writes the bands Rebands gives,
	// and the record still replays to what is kept.
	day := p.Day(at.Add(41 * 24 * time.Hour))
	now, err = s.Register(ctx)
	must(t, err)
	rebands, err := banding.Rebands(now.Applications, p, day, "assessor")
	must(t, err)
	dry, err := s.Reassess(ctx, p, day, "assessor", true)
	must(t, err)
	if !sameJSON(dry, rebands) {
		t.Fatalf("a dry run re-bands %d applications; banding.Rebands %d", len(dry), len(rebands))
	}
	if again, err := s.Register(ctx); err != nil || !sameJSON(again.Applications, now.Applications) {
		t.Fatalf("a dry run changed the register (%v)", err)
	}
	t.Logf("re-assessment as of %s re-bands %d applications", day, len(rebands))
	done, err := s.Reassess(ctx, p, day, "assessor", false)
	must(t, err)
	if !sameJSON(done, rebands) {
		t.Fatal("the re-assessment written is not the dry run's")
	}
	rebanded, err := s.Register(ctx)
	must(t, err)
	for _, c := range done {
		i := slices.IndexFunc(rebanded.Applications, func(a register.Application) bool { return a.ID == c.Application })
		if !sameJSON(rebanded.Applications[i].History, c.History) {
			t.Fatalf("application %d: band history %s, want %s", c.Application, js(rebanded.Applications[i].History), js(c.History))
		}
	}
	if diff, _, err := s.Verify(ctx); err != nil || diff != "" {
		t.Fatalf("audit after the re-assessment: difference %q, %v", diff, err)
	}
}

// placeBids places bids in the second week's window and holds each outcome to
// bidding.PlaceBid on the register as it stands: the same bid, or the same refusal.
func placeBids(t *testing.T, s cbl.Store, reg *cbl.Register) {
	ctx := context.Background()
	c := reg.Cycles[len(reg.Cycles)-1]
	p, err := policy.Builtins().ByName(c.Policy, register.DateOf(c.Closes))
	must(t, err)
	rules, err := bidding.Compile(p)
	must(t, err)
	ads := c.AdvertsOf(reg.Adverts)
	bids := slices.Clone(reg.Bids)
	at := c.Opens.Add(time.Hour)
	placed, refused := 0, 0
	for k := 0; k < 60; k++ {
		a := reg.Applications[(k*7)%len(reg.Applications)]
		ad := ads[k%len(ads)]
		at = at.Add(time.Minute)
		ix, err := bidding.Assess(rules, []register.Application{a}, p.Day(at))
		must(t, err)
		want, _, werr := bidding.PlaceBid(rules, c, reg.Adverts, &ix.Profiles[0], bids, at, ad.ID, "conformance")
		got, err := s.PlaceBid(ctx, at, a.ID, ad.ID, "conformance")
		if (err == nil) != (werr == nil) || (err != nil && !sameRefusal(err, werr)) {
			t.Fatalf("application %d on advert %d: the store says %v; bidding.PlaceBid %v", a.ID, ad.ID, err, werr)
		}
		if err != nil {
			refused++
			continue
		}
		if !got.Placed.Equal(want.Placed) || got.Application != want.Application || got.Advert != want.Advert {
			t.Fatalf("placed %+v, want %+v", got, want)
		}
		bids = slices.DeleteFunc(bids, func(b bidding.Bid) bool { return b.Application == a.ID && b.Advert == ad.ID })
		bids = append(bids, want)
		placed++
	}
	if placed < 5 || refused < 5 {
		t.Fatalf("%d bids placed, %d refused: the suite needs both", placed, refused)
	}
	now, err := s.Register(ctx)
	must(t, err)
	if len(now.Bids) != len(bids) {
		t.Fatalf("the register holds %d bids, want %d", len(now.Bids), len(bids))
	}
}

// sameRefusal: both errors are the same bidding refusal.
func sameRefusal(a, b error) bool {
	for _, e := range []error{bidding.ErrBidLimit, bidding.ErrDuplicateBid, bidding.ErrCycleClosed, bidding.ErrWrongCycle} {
		if errors.Is(b, e) {
			return errors.Is(a, e)
		}
	}
	var ia, ib *bidding.IneligibleError
	if errors.As(b, &ib) {
		return errors.As(a, &ia) && ia.Code == ib.Code
	}
	return a.Error() == b.Error()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sameJSON(a, b any) bool { return js(a) == js(b) }
