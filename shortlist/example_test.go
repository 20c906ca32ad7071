package shortlist_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// applicant is a single adult in Corby with a local connection, in band since
// effective: a household every example can bid with.
func applicant(id int64, band register.Band, effective, registered string) register.Application {
	return register.Application{
		ID: id, Registered: register.MustDate(registered), Status: register.StatusActive,
		Members:    []register.Member{{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1986-01-01")}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenureFamily},
		Connection: register.LocalConnection{NN: true},
		Area:       "Corby",
		History: []register.BandSpell{{Band: band, From: register.MustDate(effective),
			Effective: register.MustDate(effective), Reason: "assessment"}},
	}
}

// closeWeek closes one cycle with one advert and three bids, the third by a family of
// three, too big for a one-bedroom flat.
func closeWeek() (*shortlist.Closed, error) {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		return nil, err
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return nil, err
	}
	cycle, err := bidding.CycleAt(p, 42, time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	family := applicant(1003, register.BandA, "2026-02-01", "2026-01-15")
	family.Members = append(family.Members,
		register.Member{Relationship: register.RelChild, Sex: register.Male, Born: register.MustDate("2015-03-01")},
		register.Member{Relationship: register.RelChild, Sex: register.Female, Born: register.MustDate("2017-07-01")})
	apps := []register.Application{
		applicant(1001, register.BandC, "2021-05-10", "2021-05-10"),
		applicant(1002, register.BandB, "2025-09-01", "2023-03-20"),
		family,
	}
	adverts := []bidding.Advert{{ID: 7001, Cycle: cycle.ID, Landlord: "nnc", Locality: "Corby", Bedrooms: 1,
		BedSpaces: 2, Type: "flat", Access: bidding.AccessGeneral, Ordering: bidding.OrderBand,
		WeeklyRent: decimal.RequireFromString("98.50"), Closes: cycle.Closes}}
	placed := cycle.Opens.Add(2 * time.Hour)
	bids := []bidding.Bid{
		{Application: 1001, Advert: 7001, Placed: placed},
		{Application: 1002, Advert: 7001, Placed: placed.Add(time.Hour)},
		{Application: 1003, Advert: 7001, Placed: placed.Add(2 * time.Hour)},
	}
	return shortlist.CloseCycle(context.Background(), rules, cycle, apps, adverts, bids, nil)
}

// Close a week's cycle from plain data: every bid ranked by band, then effective date,
// or skipped with a reason code and the scheme rule it enforces.
func ExampleCloseCycle() {
	closed, err := closeWeek()
	if err != nil {
		panic(err)
	}
	for _, sl := range closed.Shortlists {
		fmt.Println("advert", sl.Advert, "under", sl.Policy)
		for _, e := range sl.Ranked {
			fmt.Printf("  %d. application %d, band %s since %s\n", e.Position, e.Application, e.Band, e.Effective)
		}
		for _, e := range sl.Skipped {
			fmt.Printf("  skipped: application %d: %s (%s)\n", e.Application, e.Skip, e.Clause)
		}
	}
	// Output:
	// advert 7001 under nn-2021@1
	//   1. application 1002, band B since 2025-09-01
	//   2. application 1001, band C since 2021-05-10
	//   skipped: application 1003: bedroom_mismatch (S5.4)
}

// Explain why a bid stands where it does: the checks it passed and its ranking key.
func ExampleExplain() {
	closed, err := closeWeek()
	if err != nil {
		panic(err)
	}
	tr, err := shortlist.Explain(closed.Closing, &closed.Results[0], 1001)
	if err != nil {
		panic(err)
	}
	fmt.Println(tr.Outcome, "at position", tr.Position, "of advert", tr.Advert)
	fmt.Println("band", tr.Key.Band, "effective", tr.Key.Effective)
	for _, c := range tr.Checks {
		fmt.Printf("  %s: %t\n", c.Name, c.Pass)
	}
	// Output:
	// ranked at position 2 of advert 7001
	// band C effective 2021-05-10
	//   status: true
	//   guarantor: true
	//   qualification: true
	//   bedrooms: true
	//   mobility_matrix: true
	//   homeowners_sheltered_only: true
}

// Rank one advert's bids with a Ranker (as RankCycle does for every advert of a
// cycle): the total order band ↑, effective date ↑, registration date ↑, id ↑.
func ExampleRanker_Rank() {
	closed, err := closeWeek()
	if err != nil {
		panic(err)
	}
	cl := closed.Closing
	var r shortlist.Ranker
	var res shortlist.Result
	r.Rank(cl.Index, cl.Listings[0], cl.Bids[0], &res)
	for i, e := range res.Shortlist(cl).Ranked {
		fmt.Println(i+1, e.Application)
	}
	// Output:
	// 1 1002
	// 2 1001
}
