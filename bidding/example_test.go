package bidding_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
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

// flat is a one-bedroom council flat in Corby advertised in cycle c.
func flat(id int64, c bidding.Cycle) bidding.Advert {
	return bidding.Advert{ID: id, Cycle: c.ID, Landlord: "nnc", Locality: "Corby", Bedrooms: 1, BedSpaces: 2,
		Type: "flat", Access: bidding.AccessGeneral, Ordering: bidding.OrderBand,
		WeeklyRent: decimal.RequireFromString("98.50"), Closes: c.Closes}
}

// Compile a policy once; the rules then check bids and build profiles. CycleAt gives
// the week's window on the policy's clock.
func ExampleCompile() {
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
	fmt.Println(rules.Policy.Name(), "cycle", c.ID)
	fmt.Println("opens ", c.Opens.Format(time.RFC1123))
	fmt.Println("closes", c.Closes.Format(time.RFC1123))
	fmt.Println("band A autobid:", rules.Autobids(register.BandA), "band C:", rules.Autobids(register.BandC))
	// Output:
	// nn-2021@1 cycle 42
	// opens  Thu, 19 Nov 2026 00:00:00 GMT
	// closes Tue, 24 Nov 2026 23:59:00 GMT
	// band A autobid: true band C: false
}

// A Book takes the week's bids: Place enforces the window, the live-bid cap and the
// checks the policy rejects at placing; Withdraw frees the slot.
func ExampleBook() {
	p, _ := policy.Builtin("nn-2021")
	rules, _ := bidding.Compile(p)
	c, _ := bidding.CycleAt(p, 42, time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC))
	ads := []bidding.Advert{flat(7001, c), flat(7002, c), flat(7003, c), flat(7004, c)}
	book, err := bidding.NewBook(rules, c, ads)
	if err != nil {
		panic(err)
	}
	now := c.Opens.Add(3 * time.Hour)
	ix, err := bidding.Assess(rules, []register.Application{applicant(1001, register.BandC, "2021-05-10")}, p.Day(now))
	if err != nil {
		panic(err)
	}
	me := &ix.Profiles[0]
	for i := range ads {
		_, err := book.Place(now, me, &ads[i], "applicant")
		fmt.Printf("bid on %d: %v\n", ads[i].ID, err)
		if errors.Is(err, bidding.ErrBidLimit) {
			fmt.Println("  (the policy's cap is", p.Bidding.MaxLiveBids, "live bids)")
		}
	}
	if err := book.Withdraw(now.Add(time.Hour), 1001, 7001); err != nil {
		panic(err)
	}
	_, err = book.Place(now.Add(time.Hour), me, &ads[3], "applicant")
	fmt.Println("after withdrawing 7001, bid on 7004:", err, "- live bids:", book.LiveBids(1001))
	_, err = book.Place(c.Ends(), me, &ads[0], "applicant")
	fmt.Println("at close:", err)
	// Output:
	// bid on 7001: <nil>
	// bid on 7002: <nil>
	// bid on 7003: <nil>
	// bid on 7004: live bid limit reached for this cycle
	//   (the policy's cap is 3 live bids)
	// after withdrawing 7001, bid on 7004: <nil> - live bids: 3
	// at close: cycle is not open for bidding
}

// At close, NewClosing resolves bids held elsewhere (a database, a snapshot) and
// Autobid bids for the autobid bands on every home they are eligible for.
func ExampleNewClosing() {
	p, _ := policy.Builtin("nn-2021")
	rules, _ := bidding.Compile(p)
	c, _ := bidding.CycleAt(p, 42, time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC))
	apps := []register.Application{
		applicant(1001, register.BandC, "2021-05-10"),
		applicant(1002, register.BandA, "2026-10-01"), // band A: bid for at close
	}
	ix, err := bidding.Assess(rules, apps, p.Day(c.Closes))
	if err != nil {
		panic(err)
	}
	ads := []bidding.Advert{flat(7001, c), flat(7002, c)}
	bids := []bidding.Bid{{Application: 1001, Advert: 7001, Placed: c.Opens.Add(time.Hour)}}
	cl, err := bidding.NewClosing(ix, c, ads, bids)
	if err != nil {
		panic(err)
	}
	n := cl.Autobid(func(app, advert int64) bool { return advert == 7002 }) // an officer's exclusion
	fmt.Println("autobids placed:", n)
	for _, b := range cl.Autobids() {
		fmt.Println(b.Application, "on", b.Advert, "by", b.By)
	}
	for i, l := range cl.Listings {
		fmt.Println("advert", l.Advert.ID, "bids:", len(cl.Bids[i]))
	}
	// Output:
	// autobids placed: 1
	// 1002 on 7001 by autobid
	// advert 7001 bids: 2
	// advert 7002 bids: 0
}
