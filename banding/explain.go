package banding

import (
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Explanation is an assessment laid out for an officer or an applicant: every rule the
// policy checked, whether it applied, the condition in words and the facts it read.
// It is JSON-serialisable and is the seed of the per-bid trace.
type Explanation struct {
	Application int64         `json:"application"`
	Policy      string        `json:"policy"`
	AsOf        register.Date `json:"as_of"`
	Qualifies   bool          `json:"qualifies"`
	Band        register.Band `json:"band"`
	// BandOverride is set when an officer set the band.
	BandOverride  string     `json:"band_override,omitempty"`
	Qualification []RuleTest `json:"qualification"`
	Criteria      []RuleTest `json:"criteria"`
	// Preferences are the policy's additional-preference classes (S7.4): each with
	// Applies true when the application meets it in its band, and the Effect it has on
	// ranking.
	Preferences []RuleTest `json:"preferences,omitempty"`
	Medical     Medical    `json:"medical"`
	Bedrooms    Bedrooms   `json:"bedrooms"`
	AutobidArea string     `json:"autobid_area,omitempty"`
}

// RuleTest is one rule and its outcome.
type RuleTest struct {
	ID        string            `json:"id"` // criterion id or qualification code
	Band      register.Band     `json:"band,omitempty"`
	Label     string            `json:"label"`
	Clause    string            `json:"clause"`
	Condition string            `json:"condition"`
	Applies   bool              `json:"applies"`
	Override  string            `json:"override,omitempty"`
	Effect    string            `json:"effect,omitempty"` // additional preference only
	Facts     map[string]string `json:"facts"`
}

// Explain lays out assessment as against policy p, which must be the policy that produced
// it. With a nil p there are no rules to lay out: the explanation is the assessment's
// outcome alone.
func Explain(as Assessment, p *policy.Policy) Explanation {
	e := Explanation{
		Application: as.Application, Policy: as.Policy, AsOf: as.AsOf, Qualifies: as.Qualifies,
		Band: as.Band, BandOverride: as.BandOverride, Medical: as.Medical, Bedrooms: as.Bedrooms,
		AutobidArea: as.AutobidArea,
	}
	if p == nil {
		return e
	}
	f := &as.Facts
	failed := map[string]bool{}
	for _, r := range as.NotQualifying {
		failed[r.Code] = true
	}
	for i := range p.Qualification.Rules {
		r := &p.Qualification.Rules[i]
		e.Qualification = append(e.Qualification, RuleTest{ID: r.Code, Label: r.Label, Clause: r.Clause,
			Condition: r.When.String(), Applies: failed[r.Code], Facts: factValues(f, r.When.Facts())})
	}
	if code := p.Qualification.NoNeedCode; code != "" && failed[code] {
		e.Qualification = append(e.Qualification, RuleTest{ID: code, Clause: "S1.10", Applies: true,
			Label: "Meets no band criterion", Condition: "no criterion applies"})
	}
	met := map[string]Met{}
	for _, m := range as.Criteria {
		met[m.ID] = m
	}
	for i := range p.Criteria {
		c := &p.Criteria[i]
		m, ok := met[c.ID]
		e.Criteria = append(e.Criteria, RuleTest{ID: c.ID, Band: c.Band, Label: c.Label, Clause: c.Clause,
			Condition: c.When.String(), Applies: ok, Override: m.Override, Facts: factValues(f, c.When.Facts())})
	}
	for i := range p.AdditionalPreference {
		ap := &p.AdditionalPreference[i]
		applies := false
		for _, pr := range as.Preferences {
			if pr.ID == ap.ID && ap.AppliesTo(as.Band) {
				applies = true
			}
		}
		e.Preferences = append(e.Preferences, RuleTest{ID: ap.ID, Label: ap.Label, Clause: ap.Clause,
			Condition: ap.When.String(), Applies: applies, Effect: ap.Effect, Facts: factValues(f, ap.When.Facts())})
	}
	return e
}

func factValues(f *policy.Facts, names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = f.Value(n)
	}
	return out
}
