package snapshottest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/shopspring/decimal"
)

// Register returns a valid snapshot of roughly the shape of the North Northamptonshire
// register, for load and timing tests: apps applications (1–5 members, a band history,
// some medical assessments and refusals), weekly cycles of 30 adverts, and about
// bidsPerAdvert bids on each. It is not a realistic synthetic register (package synth
// makes those); it only exercises every table at scale. The same seed gives the same
// snapshot.
func Register(seed uint64, apps, cycles, bidsPerAdvert int) *snapshot.Snapshot {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	s := &snapshot.Snapshot{}
	start := register.MustDate("2018-01-01")
	tenures := []register.Tenure{register.TenureSocial, register.TenurePrivate, register.TenureFamily, register.TenureTemporary}
	areas := []string{"corby", "kettering", "wellingborough", "east-northamptonshire"}
	var medID int64
	for i := range apps {
		reg := start.AddDays(r.IntN(2900))
		a := register.Application{
			ID: int64(100000 + i), Registered: reg, Status: register.StatusActive,
			Mobility: register.MobilityNone, Area: areas[r.IntN(len(areas))],
			Home:       register.CurrentHome{Bedrooms: r.IntN(4), Tenure: tenures[r.IntN(len(tenures))]},
			Connection: register.LocalConnection{NN: r.IntN(10) > 0},
			Flags:      register.Flags{Working: r.IntN(2) == 0},
			Debt:       register.HousingDebt{Amount: decimal.Zero},
		}
		a.Members = append(a.Members, register.Member{Name: fmt.Sprintf("Applicant %d", i),
			Born: register.MustDate("1971-01-01").AddDays(r.IntN(12000)), Sex: register.Female,
			Relationship: register.RelApplicant})
		for range r.IntN(5) {
			a.Members = append(a.Members, register.Member{Born: register.MustDate("2005-01-01").AddDays(r.IntN(7000)),
				Sex: register.Male, Relationship: register.RelChild})
		}
		band := register.BandA + register.Band(r.IntN(5))
		a.History = []register.BandSpell{{Band: band, From: reg, Effective: reg, Reason: "assessment"}}
		if r.IntN(5) == 0 {
			medID++
			a.Medical = []register.MedicalAssessment{{ID: medID, Requested: reg, Assessed: reg.AddDays(20),
				Conditions: []register.Condition{{Name: "condition", Severity: r.IntN(4), Impact: r.IntN(4)}}}}
		}
		if r.IntN(10) == 0 {
			a.Refusals = []register.Refusal{{Advert: 1, On: reg.AddDays(100), Kind: register.RefusedOffer}}
		}
		s.Applications = append(s.Applications, a)
	}
	s.Landlords = []bidding.Landlord{{ID: "nnc", Name: "North Northamptonshire Council", Council: true, NominationShare: 100}}
	opens := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	var advertID int64
	for c := range cycles {
		cyc := bidding.Cycle{ID: int64(c + 1), Opens: opens.AddDate(0, 0, 7*c), Policy: "nn-2021@1"}
		cyc.Closes = cyc.Opens.Add(5*24*time.Hour + 23*time.Hour + 59*time.Minute)
		s.Cycles = append(s.Cycles, cyc)
		live := map[int]int{} // bids each application holds this cycle: at most 3 (S6.2)
		for range 30 {
			advertID++
			s.Adverts = append(s.Adverts, bidding.Advert{ID: advertID, Cycle: cyc.ID, Landlord: "nnc",
				Locality: "Corby", Bedrooms: 1 + r.IntN(3), BedSpaces: 2, Type: "house", Access: bidding.AccessGeneral,
				Ordering: bidding.OrderBand, WeeklyRent: decimal.New(int64(8000+r.IntN(6000)), -2), Closes: cyc.Closes})
			placed := 0
			for _, k := range r.Perm(apps) {
				if placed == bidsPerAdvert {
					break
				}
				if live[k] == 3 {
					continue
				}
				live[k]++
				placed++
				s.Bids = append(s.Bids, bidding.Bid{Application: s.Applications[k].ID, Advert: advertID,
					Placed: cyc.Opens.Add(time.Duration(r.IntN(5*24*3600)) * time.Second), By: "applicant"})
			}
		}
	}
	return s
}
