package allocation_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// applicant is a single adult in Corby with a local connection, in band since
// effective.
func applicant(id int64, band register.Band, effective string) register.Application {
	return register.Application{
		ID: id, Registered: register.MustDate(effective), Status: register.StatusActive,
		Members:    []register.Member{{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1986-01-01")}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenureFamily},
		Connection: register.LocalConnection{NN: true},
		Area:       "Corby",
		History: []register.BandSpell{{Band: band, From: register.MustDate(effective),
			Effective: register.MustDate(effective), Reason: "assessment"}},
	}
}

// closedWeek is a cycle closed with shortlist.CloseCycle: one council flat, two
// bidders. The Input is what a walk starts from.
func closedWeek() *allocation.Input {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		panic(err)
	}
	c, err := bidding.CycleAt(p, 42, time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	apps := []register.Application{applicant(1001, register.BandC, "2021-05-10"), applicant(1002, register.BandB, "2025-09-01")}
	ads := []bidding.Advert{{ID: 7001, Cycle: c.ID, Landlord: "nnc", Locality: "Corby", Bedrooms: 1, BedSpaces: 2,
		Type: "flat", Access: bidding.AccessGeneral, Ordering: bidding.OrderBand,
		WeeklyRent: decimal.RequireFromString("98.50"), Closes: c.Closes}}
	bids := []bidding.Bid{
		{Application: 1001, Advert: 7001, Placed: c.Opens.Add(time.Hour)},
		{Application: 1002, Advert: 7001, Placed: c.Opens.Add(2 * time.Hour)},
	}
	closed, err := shortlist.CloseCycle(context.Background(), rules, c, apps, ads, bids, nil)
	if err != nil {
		panic(err)
	}
	return &allocation.Input{Policy: p, Applications: apps, Adverts: ads, Shortlists: closed.Shortlists,
		Landlords: []bidding.Landlord{{ID: "nnc", Name: "North Northamptonshire Council", Council: true}}}
}

// decide is an officer's decision on advert 7001 on 26 November 2026.
func decide(kind allocation.Kind, app int64) allocation.Decision {
	return allocation.Decision{Kind: kind, On: register.MustDate("2026-11-26"), Actor: "officer:kp", Advert: 7001, Application: app}
}

// Walk the shortlist as decisions come: Waiting says what an advert waits for, Apply
// applies a decision and hands back the Step it made (what a store writes).
func ExampleStart() {
	w, err := allocation.Start(closedWeek())
	if err != nil {
		panic(err)
	}
	for range 3 {
		wait := w.Waiting(7001)[0]
		fmt.Println("advert 7001 waits for", wait.For, wait.Applications)
		var d allocation.Decision
		switch wait.For {
		case allocation.WaitVerify:
			d = decide(allocation.VerifyPass, wait.Applications[0])
		case allocation.WaitOffer:
			d = decide(allocation.MakeOffer, wait.Applications[0])
		case allocation.WaitReply:
			d = decide(allocation.Accept, wait.Applications[0])
		}
		step, err := w.Apply(d)
		if err != nil {
			panic(err)
		}
		for _, e := range step.Events {
			fmt.Println("  event:", e.Kind, e.Application)
		}
		for _, l := range step.Lets {
			fmt.Println("  let:", l.Advert, "to", l.Application, "on", l.On, "position", l.Position)
		}
	}
	fmt.Println("still waiting:", w.Waiting(7001))
	// Output:
	// advert 7001 waits for verify [1002]
	//   event: verified 1002
	// advert 7001 waits for offer [1002]
	//   event: offered 1002
	// advert 7001 waits for reply [1002]
	//   event: accepted 1002
	//   event: let 1002
	//   event: application_closed 1002
	//   let: 7001 to 1002 on 2026-11-26 position 1
	// still waiting: []
}

// Run replays a recorded list of decisions to the same Result a walk gives.
func ExampleRun() {
	res, err := allocation.Run(closedWeek(), []allocation.Decision{
		decide(allocation.VerifyPass, 1002),
		decide(allocation.MakeOffer, 1002),
		decide(allocation.Accept, 1002),
	})
	if err != nil {
		panic(err)
	}
	for _, l := range res.Lets {
		fmt.Println("let", l.Advert, "to", l.Application, "band", l.Band, "from", l.BidsReceived, "bids")
	}
	// Output:
	// let 7001 to 1002 band B from 2 bids
}

// A Ledger is the in-memory store of steps: Decide applies each decision to the slice of
// the ledger it reads and keeps what it changed. WriteBack applies steps to a register
// held in memory.
func ExampleNewLedger() {
	in := closedWeek()
	l := allocation.NewLedger(in)
	var steps []*allocation.Step
	for _, d := range []allocation.Decision{
		decide(allocation.VerifyPass, 1002),
		decide(allocation.MakeOffer, 1002),
		decide(allocation.Refuse, 1002),
	} {
		if d.Kind == allocation.Refuse {
			d.Refusal, d.Counted, d.Reason = register.RefusedOffer, true, "too far from work"
		}
		st, err := l.Decide(d)
		if err != nil {
			panic(err)
		}
		steps = append(steps, st)
	}
	fmt.Println("refusals held by the ledger:", len(l.Application(1002).Refusals))
	apps := in.Applications // the caller's copy of the register
	allocation.WriteBack(apps, steps)
	fmt.Println("refusals in the register after WriteBack:", len(apps[1].Refusals))
	// Output:
	// refusals held by the ledger: 1
	// refusals in the register after WriteBack: 1
}
