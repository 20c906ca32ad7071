package allocation_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/shopspring/decimal"
)

// englandCycle builds one England-scale weekly cycle: adverts homes (60% housing
// associations), bidders drawn from a register of apps applications, 30–150 bids per
// advert with a heavy tail (S10.1).
func englandCycle(seed uint64, adverts, apps int) *allocation.Input {
	return cycleOf(seed, adverts, apps, 30, 150)
}

// cycleOf is englandCycle with lo..hi bids per advert (and no heavy tail when hi is
// small against the register).
func cycleOf(seed uint64, adverts, apps, lo, hi int) *allocation.Input {
	rng := rand.New(rand.NewPCG(seed, 7))
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	in := &allocation.Input{Policy: p, Landlords: []bidding.Landlord{{ID: "nnc", Council: true}}}
	for i := range 4 {
		in.Landlords = append(in.Landlords, bidding.Landlord{ID: fmt.Sprintf("ha%d", i), NominationShare: 75 + 5*i})
	}
	base := register.MustDate("2018-01-01")
	in.Applications = make([]register.Application, apps)
	for i := range in.Applications {
		band := register.Band(1 + min(rng.IntN(20)/4, 3)) // A 5%–… skewed to C/D
		reg := base + register.Date(rng.IntN(2500))
		in.Applications[i] = register.Application{ID: int64(i + 1), Registered: reg, Status: register.StatusActive,
			Members:  []register.Member{{Born: register.MustDate("1980-01-01"), Sex: register.Female, Relationship: register.RelApplicant}},
			Home:     register.CurrentHome{Bedrooms: 1, Tenure: register.TenurePrivate},
			Mobility: register.MobilityNone,
			Debt:     register.HousingDebt{Amount: decimal.Zero},
			History:  []register.BandSpell{{Band: band, From: reg, Effective: reg + register.Date(rng.IntN(200)), Reason: "assessed"}}}
	}
	closes := time.Date(2025, 6, 3, 22, 59, 0, 0, time.UTC)
	for i := range adverts {
		ll := "nnc"
		if rng.IntN(10) < 6 {
			ll = fmt.Sprintf("ha%d", rng.IntN(4))
		}
		id := int64(100000 + i)
		in.Adverts = append(in.Adverts, bidding.Advert{ID: id, Cycle: 1, Landlord: ll, Bedrooms: 2, Type: "house",
			Access: bidding.AccessGeneral, Ordering: bidding.OrderBand, Closes: closes.Add(time.Duration(rng.IntN(3)) * time.Hour)})
		n := lo + rng.IntN(hi-lo+1)
		if rng.IntN(50) == 0 && 1000 < apps {
			n = 300 + rng.IntN(700) // the heavy tail
		}
		seen := map[int]bool{}
		sl := shortlist.Shortlist{Advert: id, Policy: p.Name()}
		for len(seen) < n {
			a := rng.IntN(apps)
			if seen[a] {
				continue
			}
			seen[a] = true
			ap := &in.Applications[a]
			h := ap.History[0]
			en := shortlist.Entry{Application: ap.ID, Advert: id, Band: h.Band, Effective: h.Effective, Registered: ap.Registered}
			if rng.IntN(8) == 0 {
				en.Skip = shortlist.BedroomMismatch
				sl.Skipped = append(sl.Skipped, en)
			} else {
				sl.Ranked = append(sl.Ranked, en)
			}
		}
		slices.SortFunc(sl.Ranked, func(a, b shortlist.Entry) int {
			return cmp.Or(cmp.Compare(a.Band, b.Band), cmp.Compare(a.Effective, b.Effective),
				cmp.Compare(a.Registered, b.Registered), cmp.Compare(a.Application, b.Application))
		})
		for j := range sl.Ranked {
			sl.Ranked[j].Position = j + 1
		}
		slices.SortFunc(sl.Skipped, func(a, b shortlist.Entry) int { return cmp.Compare(a.Application, b.Application) })
		in.Shortlists = append(in.Shortlists, sl)
	}
	return in
}

var verifySkips = []string{shortlist.Arrears, shortlist.NoContact, shortlist.ChecksRevealIssues, shortlist.UndisclosedChange}

// script is a scripted decision source: in rounds, one day apart, it takes each open
// advert in processing order and answers the first thing it waits for — 10% of
// verifications skip, landlords reject 20% of nominees, applicants refuse 15% of offers
// (half of those counted). Offers interleave across adverts, so applications are under
// offer elsewhere as in a real cycle. It returns the decisions it applied.
func script(w *allocation.Walk, seed uint64) ([]allocation.Decision, error) {
	rng := rand.New(rand.NewPCG(seed, 11))
	ids := w.Adverts()
	var ds []allocation.Decision
	on := register.MustDate("2025-06-05")
	for round := 0; round < 200; round++ {
		progress := false
		for _, id := range ids {
			ws := w.Waiting(id)
			if len(ws) == 0 {
				continue
			}
			wt := ws[0]
			d := allocation.Decision{On: on, Actor: "officer", Advert: id}
			if len(wt.Applications) > 0 {
				d.Application = wt.Applications[0]
			}
			switch wt.For {
			case allocation.WaitVerify:
				d.Kind = allocation.VerifyPass
				if rng.IntN(10) == 0 {
					d.Kind, d.Code = allocation.VerifySkip, verifySkips[rng.IntN(len(verifySkips))]
				}
			case allocation.WaitOffer:
				d.Kind = allocation.MakeOffer
			case allocation.WaitNominate:
				d.Kind, d.Application = allocation.Nominate, 0
			case allocation.WaitLandlord:
				d.Kind, d.Actor = allocation.LandlordAccept, "landlord"
				if rng.IntN(5) == 0 {
					d.Kind, d.Code = allocation.LandlordReject, shortlist.LandlordPolicy
				}
			case allocation.WaitReply:
				d.Kind, d.Actor = allocation.Accept, "applicant"
				if rng.IntN(100) < 15 {
					d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, "officer", register.RefusedOffer, rng.IntN(2) == 0
				}
			case allocation.WaitRequestMore:
				d.Kind, d.Actor, d.Application = allocation.RequestMore, "landlord", 0
			default: // relet: left for the next cycle
				continue
			}
			if _, err := w.Apply(d); err != nil {
				return ds, err
			}
			ds = append(ds, d)
			progress = true
		}
		if !progress {
			break
		}
		on++
	}
	return ds, nil
}

const benchAdverts, benchApps = 5000, 150000

var benchInputs []*allocation.Input

func benchCycles(b *testing.B) []*allocation.Input {
	if benchInputs == nil {
		for seed := range uint64(3) {
			benchInputs = append(benchInputs, englandCycle(seed+1, benchAdverts, benchApps))
		}
	}
	b.ResetTimer()
	return benchInputs
}

// BenchmarkWalk_EnglandCycle walks a whole England-scale cycle (5,000 adverts) to lets,
// with the scripted decision source deciding against the live Walk.
func BenchmarkWalk_EnglandCycle(b *testing.B) {
	ins := benchCycles(b)
	b.ReportAllocs()
	decisions := 0
	for i := 0; b.Loop(); i++ {
		w, err := allocation.Start(ins[i%len(ins)])
		if err != nil {
			b.Fatal(err)
		}
		ds, err := script(w, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		decisions += len(ds)
		_ = w.Result()
	}
	n := float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(n*benchAdverts), "ns/advert")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(decisions), "ns/decision")
	b.ReportMetric(float64(decisions)/n, "decisions/op")
}

// BenchmarkRun_ReplayEnglandCycle replays a recorded England-scale cycle's decisions
// from the start: the cost of resuming a walk from the recorded decisions alone.
func BenchmarkRun_ReplayEnglandCycle(b *testing.B) {
	ins := benchCycles(b)
	b.StopTimer()
	recorded := make([][]allocation.Decision, len(ins))
	for i, in := range ins {
		w, err := allocation.Start(in)
		if err != nil {
			b.Fatal(err)
		}
		if recorded[i], err = script(w, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.StartTimer()
	b.ReportAllocs()
	decisions := 0
	for i := 0; b.Loop(); i++ {
		k := i % len(ins)
		if _, err := allocation.Run(ins[k], recorded[k]); err != nil {
			b.Fatal(err)
		}
		decisions += len(recorded[k])
	}
	n := float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(n*benchAdverts), "ns/advert")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(decisions), "ns/decision")
	b.ReportMetric(float64(decisions)/n, "decisions/op")
}

// TestScript_EnglandCycleSmall runs the scripted source on a small cycle and checks the
// walk ends with every advert let or waiting to be re-let, and replays identically.
func TestScript_EnglandCycleSmall(t *testing.T) {
	in := englandCycle(9, 200, 3000)
	w, err := allocation.Start(in)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := script(w, 1)
	if err != nil {
		t.Fatal(err)
	}
	res := w.Result()
	for _, p := range res.Pending {
		if p.For != allocation.WaitRelet {
			t.Fatalf("advert %d still waits for %s", p.Advert, p.For)
		}
	}
	if len(res.Lets) < 150 {
		t.Fatalf("only %d of 200 adverts let", len(res.Lets))
	}
	if len(events(res, "skipped")) == 0 {
		t.Fatal("no skips")
	}
	again, err := allocation.Run(in, ds)
	if err != nil {
		t.Fatal(err)
	}
	if string(encode(t, again)) != string(encode(t, res)) {
		t.Fatal("replay differs from the live walk")
	}
	under := 0
	for _, e := range res.Events {
		if e.Reason == shortlist.UnderOfferElsewhere {
			under++
		}
	}
	t.Logf("%d decisions, %d lets, %d under-offer skips, %d sanctions", len(ds), len(res.Lets), under, len(res.Sanctions))
}
