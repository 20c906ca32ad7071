// Package bidtest builds small registers, adverts and cycles for the bidding and
// shortlist tests: applications with a chosen band and dates, adverts with options, and
// closed cycles. It is for tests only.
package bidtest

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Week is a Thursday inside the test cycle's window (London time).
var Week = time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC)

// Env is a policy, its compiled rules and the test cycle.
type Env struct {
	T      testing.TB
	Policy *policy.Policy
	Rules  *bidding.Rules
	Cycle  bidding.Cycle
}

// New loads the built-in policy id and the cycle containing Week.
func New(t testing.TB, id string) *Env {
	t.Helper()
	p, err := policy.Builtin(id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := bidding.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := bidding.CycleAt(p, 1, Week)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, Policy: p, Rules: r, Cycle: c}
}

// During returns a time h hours after the cycle opened.
func (e *Env) During(h float64) time.Time {
	return e.Cycle.Opens.Add(time.Duration(h * float64(time.Hour)))
}

// CloseDate is the cycle's closing day.
func (e *Env) CloseDate() register.Date { return e.Rules.Policy.Day(e.Cycle.Closes) }

// AppOpt changes a test application.
type AppOpt func(*register.Application)

// App is an active single applicant aged 40 at Week, living with family in Corby with a
// local connection (so it qualifies), holding band since effective (YYYY-MM-DD),
// registered on registered.
func App(id int64, band register.Band, effective, registered string, opts ...AppOpt) register.Application {
	reg := register.MustDate(registered)
	a := register.Application{
		ID: id, Registered: reg, Status: register.StatusActive,
		Members:    []register.Member{{Born: register.NewDate(1986, 1, 1), Sex: register.Female, Relationship: register.RelApplicant}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenureFamily},
		Connection: register.LocalConnection{NN: true},
		Mobility:   register.MobilityNone,
		Area:       "Corby",
	}
	if band != register.NoBand {
		a.History = []register.BandSpell{{Band: band, From: register.MustDate(effective), Effective: register.MustDate(effective), Reason: "test"}}
	}
	for _, o := range opts {
		o(&a)
	}
	return a
}

// Child adds a boy of the given age (at Week).
func Child(age int) AppOpt { return ChildOf(age, register.Male) }

// ChildOf adds a child of the given age (at Week) and sex.
func ChildOf(age int, sex register.Sex) AppOpt {
	return func(a *register.Application) {
		a.Members = append(a.Members, register.Member{Born: register.NewDate(2026-age, 1, 1), Sex: sex, Relationship: register.RelChild})
		a.Home.SharingFacilities = true
	}
}

// Aged sets the main applicant's age (at Week).
func Aged(age int) AppOpt {
	return func(a *register.Application) { a.Members[0].Born = register.NewDate(2026-age, 1, 1) }
}

// Mobility sets the mobility need.
func Mobility(m register.Mobility) AppOpt { return func(a *register.Application) { a.Mobility = m } }

// Status sets the status.
func Status(s register.Status) AppOpt { return func(a *register.Application) { a.Status = s } }

// Area sets the locality the autobid area comes from.
func Area(locality string) AppOpt { return func(a *register.Application) { a.Area = locality } }

// Connected adds Legal Agreement Area connections.
func Connected(areas ...string) AppOpt {
	return func(a *register.Application) {
		a.Connection.LegalAgreementAreas = append(a.Connection.LegalAgreementAreas, areas...)
	}
}

// Homeowner makes the household homeowners with exceptional circumstances (so it still
// qualifies).
func Homeowner() AppOpt {
	return func(a *register.Application) {
		a.Home.Homeowner, a.Flags.ExceptionalCircumstances = true, true
	}
}

// Working marks someone in the household as working.
func Working() AppOpt { return func(a *register.Application) { a.Flags.Working = true } }

// NoConnection removes the local connection, so the application does not qualify.
func NoConnection() AppOpt { return func(a *register.Application) { a.Connection.NN = false } }

// AdOpt changes a test advert.
type AdOpt func(*bidding.Advert)

// Advert is a one-bedroom general-needs council flat in Corby in the test cycle, band
// ordered.
func (e *Env) Advert(id int64, opts ...AdOpt) bidding.Advert {
	a := bidding.Advert{ID: id, Cycle: e.Cycle.ID, Landlord: "nnc", Locality: "Corby", Bedrooms: 1, BedSpaces: 2,
		Type: "flat", Access: bidding.AccessGeneral, Ordering: bidding.OrderBand,
		WeeklyRent: decimal.RequireFromString("98.50"), Closes: e.Cycle.Closes}
	for _, o := range opts {
		o(&a)
	}
	return a
}

// Profiles assesses apps as at the cycle's close and returns the index.
func (e *Env) Index(apps ...register.Application) *bidding.Index {
	e.T.Helper()
	ix, err := bidding.Assess(e.Rules, apps, e.CloseDate())
	if err != nil {
		e.T.Fatal(err)
	}
	return ix
}

// Profile returns application id's profile in ix.
func Profile(t testing.TB, ix *bidding.Index, id int64) *bidding.Profile {
	t.Helper()
	at, ok := ix.Find(id)
	if !ok {
		t.Fatalf("no profile for application %d", id)
	}
	return &ix.Profiles[at]
}

// Closing builds a closed cycle directly: bids[advert id] lists the bidders' application
// ids in bid order, one hour apart from the opening. No autobid is run.
func (e *Env) Closing(ix *bidding.Index, adverts []bidding.Advert, bids map[int64][]int64) *bidding.Closing {
	e.T.Helper()
	cl := &bidding.Closing{Cycle: e.Cycle, Index: ix}
	for i := range adverts {
		l, err := e.Rules.List(&adverts[i])
		if err != nil {
			e.T.Fatal(err)
		}
		cl.Listings = append(cl.Listings, l)
		var refs []bidding.Ref
		for j, id := range bids[adverts[i].ID] {
			at, ok := ix.Find(id)
			if !ok {
				e.T.Fatalf("no profile for application %d", id)
			}
			refs = append(refs, bidding.Ref{App: at, At: e.Cycle.Millis(e.During(float64(j + 1)))})
		}
		cl.Bids = append(cl.Bids, refs)
	}
	return cl
}
