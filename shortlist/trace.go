package shortlist

import (
	"fmt"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Trace explains one bid's outcome on one advert: the facts it was decided on, every
// check with its result and clause, and the components of its ranking key. It is built on
// request (Explain), never while ranking, and marshals to JSON.
type Trace struct {
	Application int64  `json:"application"`
	Advert      int64  `json:"advert"`
	Policy      string `json:"policy"`
	Outcome     string `json:"outcome"` // "ranked" or "skipped"
	Position    int    `json:"position,omitempty"`
	Skip        string `json:"skip,omitempty"`
	Check       string `json:"check,omitempty"`
	Clause      string `json:"clause,omitempty"`

	Facts  TraceFacts   `json:"facts"`
	Checks []TraceCheck `json:"checks"`
	Key    *TraceKey    `json:"key,omitempty"` // ranked bids only
}

// TraceFacts are the application facts the checks and the ranking read.
type TraceFacts struct {
	Active              bool          `json:"active"`
	Qualifies           bool          `json:"qualifies"`
	Band                register.Band `json:"band"`
	Effective           register.Date `json:"effective"`
	Registered          register.Date `json:"registered"`
	Age                 int           `json:"age"`
	Children            int           `json:"children"`
	BedroomsAllowed     [2]int        `json:"bedrooms_allowed"`
	Flags               []string      `json:"flags,omitempty"`
	AutobidArea         string        `json:"autobid_area,omitempty"`
	LegalAgreementAreas []string      `json:"legal_agreement_areas,omitempty"`
	Autobid             bool          `json:"autobid,omitempty"`
	Placed              string        `json:"placed"`
	// Policy are the policy's facts at close, by vocabulary name (policy.FactNames).
	Policy map[string]string `json:"policy_facts,omitempty"`
}

// TraceCheck is one check's result: the check's name, reason code, clause and label
// (bidding.CheckInfo) and whether the bid passed it. A stored trace (Stored) keeps the
// name alone for a passed check and drops every label.
type TraceCheck struct {
	Name   string `json:"check"`
	Code   string `json:"code,omitempty"`
	Clause string `json:"clause,omitempty"`
	Label  string `json:"label,omitempty"`
	Pass   bool   `json:"pass"`
}

// traceCheck is info's result pass.
func traceCheck(info bidding.CheckInfo, pass bool) TraceCheck {
	return TraceCheck{Name: info.Name, Code: info.Code, Clause: info.Clause, Label: info.Label, Pass: pass}
}

// Stored returns the compact form of t a cycle close keeps with each shortlist entry:
// the outcome, the application's facts, each check by name (with its reason code and
// clause where the bid failed it) and the ranking key, without the policy text a reader
// can look up by policy and check name — the policy's fact values (Facts.Policy) and the
// checks' labels. It is about a third of the full trace's size; Explain on the closing
// gives the full trace again.
func (t Trace) Stored() Trace {
	t.Facts.Policy = nil
	checks := make([]TraceCheck, len(t.Checks))
	for i, c := range t.Checks {
		checks[i] = TraceCheck{Name: c.Name, Pass: c.Pass}
		if !c.Pass {
			checks[i].Code, checks[i].Clause = c.Code, c.Clause
		}
	}
	t.Checks = checks
	return t
}

// TraceKey is a ranked bid's key, component by component, most significant first. It
// names facts, never the packed key an index builds from them: that depends on who else
// was assessed, and a trace rebuilt from a cycle's recorded inputs must equal the one
// its close computed (S7.7).
type TraceKey struct {
	Ordering      string        `json:"ordering"` // band or fcfs
	MobilityFirst *bool         `json:"mobility_first,omitempty"`
	AreaFirst     *bool         `json:"area_first,omitempty"`
	Band          register.Band `json:"band,omitempty"`
	// Preference is the additional-preference effect applied (S7.4): "top_of_band" or
	// "one_band_up"; RankedInBand is the band ranked in when that differs from Band.
	Preference   string        `json:"preference,omitempty"`
	RankedInBand register.Band `json:"ranked_in_band,omitempty"`
	Effective    register.Date `json:"effective,omitempty"`
	Registered   register.Date `json:"registered,omitempty"`
	PlacedMillis *uint32       `json:"placed_ms,omitempty"`
	Application  int64         `json:"application"`
}

var flagNames = []struct {
	f    bidding.Flags
	name string
}{
	{bidding.FlagNeedsGuarantor, "needs_guarantor"}, {bidding.FlagDependentChildren, "dependent_children"},
	{bidding.FlagHomeowner, "homeowner"}, {bidding.FlagShelteredEligible, "sheltered_eligible"},
	{bidding.FlagMobilityLevel, "mobility_level_access"}, {bidding.FlagMobilityWheelchair, "mobility_wheelchair"},
	{bidding.FlagNeedsGroundFloor, "needs_ground_floor_or_lift"}, {bidding.FlagNeedsLevelAccess, "needs_level_access"},
	{bidding.FlagNeedsWheelchairHome, "needs_wheelchair_home"},
	{bidding.FlagPreferenceTop, "additional_preference_top_of_band"},
	{bidding.FlagPreferenceUp, "additional_preference_one_band_up"},
}

// Explain traces application app's bid in res. cl must be the closing res was ranked in.
func Explain(cl *bidding.Closing, res *Result, app int64) (Trace, error) {
	return explain(cl, res, app, true)
}

// ExplainStored is Explain(cl, res, app).Stored(), without first looking up the policy
// text Stored drops: a close calls it for every entry it writes.
func ExplainStored(cl *bidding.Closing, res *Result, app int64) (Trace, error) {
	t, err := explain(cl, res, app, false)
	return t.Stored(), err
}

// explain builds the trace; full adds the policy's fact values.
func explain(cl *bidding.Closing, res *Result, app int64, full bool) (Trace, error) {
	ix, rules, l := cl.Index, cl.Index.Rules, res.Listing
	ad := l.Advert
	at, ok := ix.Find(app)
	var bid bidding.Ref
	found := false
	for _, b := range res.Bids {
		if ok && b.App == at {
			bid, found = b, true
			break
		}
	}
	if !found {
		return Trace{}, fmt.Errorf("advert %d: application %d: %w", ad.ID, app, bidding.ErrNoBid)
	}
	p := &ix.Profiles[at]
	t := Trace{Application: app, Advert: ad.ID, Policy: rules.Policy.Name(), Facts: TraceFacts{
		Active: p.Active(), Qualifies: p.Flags&bidding.FlagQualifies != 0, Band: p.Band,
		Effective: p.Effective, Registered: p.Registered, Age: int(p.Age), Children: int(p.Children),
		BedroomsAllowed: [2]int{int(p.BedMin), int(p.BedMax)}, LegalAgreementAreas: p.LegalAgreementAreas,
		Autobid: bid.Autobid, Placed: cl.Placed(bid).Format("2006-01-02T15:04:05.000Z07:00"),
	}}
	if full && p.Facts != nil {
		t.Facts.Policy = map[string]string{}
		for _, name := range policy.FactNames() {
			t.Facts.Policy[name] = p.Facts.Value(name)
		}
	}
	for _, fn := range flagNames {
		if p.Flags&fn.f != 0 {
			t.Facts.Flags = append(t.Facts.Flags, fn.name)
		}
	}
	if p.Area > 0 {
		t.Facts.AutobidArea = rules.Policy.Bidding.AutobidAreas[p.Area-1].ID
	}
	if ad.Withdrawn {
		t.Checks = append(t.Checks, traceCheck(rules.Info(bidding.CheckWithdrawn, ad), false))
	} else {
		for _, o := range l.Evaluate(p) {
			t.Checks = append(t.Checks, traceCheck(rules.Info(o.Check, ad), o.Pass))
		}
	}
	for _, s := range res.Skipped {
		if s.Bid.App == at {
			info := rules.Info(s.Check, ad)
			t.Outcome, t.Skip, t.Check, t.Clause = "skipped", info.Code, info.Name, info.Clause
			return t, nil
		}
	}
	for i, r := range res.Ranked {
		if r == at {
			t.Outcome, t.Position = "ranked", i+1
			break
		}
	}
	tk := &TraceKey{Ordering: string(bidding.OrderBand), Application: app}
	mob, area := l.Overlay(p)
	if l.MobilityOverlay() {
		tk.MobilityFirst = &mob
	}
	if l.AreaOverlay() {
		tk.AreaFirst = &area
	}
	if l.FCFS() {
		tk.Ordering = string(bidding.OrderFCFS)
		ms := bid.At
		tk.PlacedMillis = &ms
	} else {
		tk.Band, tk.Effective, tk.Registered = p.Band, p.Effective, p.Registered
		switch {
		case p.Flags&bidding.FlagPreferenceUp != 0:
			tk.Preference = policy.PreferenceOneBandUp
		case p.Flags&bidding.FlagPreferenceTop != 0:
			tk.Preference = policy.PreferenceTopOfBand
		}
		if band, _ := bidding.RankBand(p.Band, p.Flags); band != p.Band {
			tk.RankedInBand = band
		}
	}
	t.Key = tk
	return t, nil
}
