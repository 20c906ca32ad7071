package policy

import (
	"fmt"
	"sort"
	"strings"
)

// Facts are the values a policy's predicates can read about one application on one day.
// The banding package derives them from a register.Application; they are the closed
// vocabulary of the rules S1 to S5 of docs/scheme.md. A policy that names any other fact is rejected at load.
type Facts struct {
	Age                      int    // main applicant's age in whole years
	HouseholdType            string // single, couple, family, other
	DependentChildren        bool   // a member under 18, or a confirmed pregnancy
	Homeowner                bool
	ImmigrationIneligible    bool
	LocalConnection          bool
	RightToMove              bool
	ArmedForces              bool
	CareLeaver               bool
	CareLeaverNNC            bool
	AdultSocialCareMoveOn    bool
	DomesticAbuse            bool
	ShelteredEligible        bool
	LegalAgreementConnection bool
	UnacceptableBehaviour    bool
	ExceptionalCircumstances bool
	Guarantor                bool
	Working                  bool
	HomelessDuty             string // "", prevention, relief, main
	TemporaryAccommodation   bool
	Tenure                   string
	SharingFacilities        bool
	Disrepair                bool
	HousingDebt              bool // any housing-related debt ever recorded
	MonthsSinceHousingDebt   int  // whole months since the debt was last owed; 0 if none recorded
	MedicalPoints            int
	MedicalLevel             string // one of the policy's medical levels, or "none"
	BedroomNeed              int
	BedroomShortfall         int // need minus bedrooms in the current home, never below 0
	Mobility                 string
}

type factKind uint8

const (
	kindBool factKind = iota
	kindInt
	kindEnum
)

func (k factKind) String() string { // for messages
	return [...]string{"yes/no", "number", "choice"}[k]
}

type factDef struct {
	kind   factKind
	values []string // fixed choices for kindEnum; nil means the policy supplies them
	doc    string
	b      func(*Facts) bool
	i      func(*Facts) int
	s      func(*Facts) string
}

// vocabulary is the closed set of facts. Keep it in step with Facts and with
// docs/policy.md.
var vocabulary = map[string]factDef{
	"age":                        {kind: kindInt, doc: "main applicant's age in whole years", i: func(f *Facts) int { return f.Age }},
	"household_type":             {kind: kindEnum, values: []string{"single", "couple", "family", "other"}, doc: "single, couple (no one else), family (dependent children or a pregnancy) or other adults", s: func(f *Facts) string { return f.HouseholdType }},
	"dependent_children":         {kind: kindBool, doc: "a member under 18, or a confirmed pregnancy", b: func(f *Facts) bool { return f.DependentChildren }},
	"homeowner":                  {kind: kindBool, doc: "an applicant owns a home", b: func(f *Facts) bool { return f.Homeowner }},
	"immigration_ineligible":     {kind: kindBool, doc: "not eligible on immigration grounds", b: func(f *Facts) bool { return f.ImmigrationIneligible }},
	"local_connection":           {kind: kindBool, doc: "local connection to the council's area", b: func(f *Facts) bool { return f.LocalConnection }},
	"right_to_move":              {kind: kindBool, doc: "social tenant moving for work (Right to Move)", b: func(f *Facts) bool { return f.RightToMove }},
	"armed_forces":               {kind: kindBool, doc: "serving, veteran, or bereaved or injured as the 2012 regulations define", b: func(f *Facts) bool { return f.ArmedForces }},
	"care_leaver":                {kind: kindBool, doc: "care leaver (any corporate parent)", b: func(f *Facts) bool { return f.CareLeaver }},
	"care_leaver_nnc":            {kind: kindBool, doc: "care leaver ready to move on, the council as corporate parent", b: func(f *Facts) bool { return f.CareLeaverNNC }},
	"adult_social_care_move_on":  {kind: kindBool, doc: "accommodated by Adult Social Care and ready for independent living", b: func(f *Facts) bool { return f.AdultSocialCareMoveOn }},
	"domestic_abuse":             {kind: kindBool, doc: "victim of domestic abuse", b: func(f *Facts) bool { return f.DomesticAbuse }},
	"sheltered_eligible":         {kind: kindBool, doc: "eligible for sheltered, supported or assisted living", b: func(f *Facts) bool { return f.ShelteredEligible }},
	"legal_agreement_connection": {kind: kindBool, doc: "connection to at least one Legal Agreement Area (S106 / village exception site)", b: func(f *Facts) bool { return f.LegalAgreementConnection }},
	"unacceptable_behaviour":     {kind: kindBool, doc: "history of unacceptable behaviour", b: func(f *Facts) bool { return f.UnacceptableBehaviour }},
	"exceptional_circumstances":  {kind: kindBool, doc: "officer finding of exceptional circumstances", b: func(f *Facts) bool { return f.ExceptionalCircumstances }},
	"guarantor":                  {kind: kindBool, doc: "a suitable guarantor is recorded", b: func(f *Facts) bool { return f.Guarantor }},
	"working":                    {kind: kindBool, doc: "someone in the household is in work", b: func(f *Facts) bool { return f.Working }},
	"homeless_duty":              {kind: kindEnum, values: []string{"none", "prevention", "relief", "main"}, doc: "homelessness duty owed", s: func(f *Facts) string { return f.HomelessDuty }},
	"temporary_accommodation":    {kind: kindBool, doc: "living in temporary accommodation", b: func(f *Facts) bool { return f.TemporaryAccommodation }},
	"tenure":                     {kind: kindEnum, values: []string{"owner", "social", "private", "temporary", "family", "none"}, doc: "tenure of the current home", s: func(f *Facts) string { return f.Tenure }},
	"sharing_facilities":         {kind: kindBool, doc: "shares a kitchen or bathroom with another household", b: func(f *Facts) bool { return f.SharingFacilities }},
	"disrepair":                  {kind: kindBool, doc: "severe disrepair or a prohibition order on the current home", b: func(f *Facts) bool { return f.Disrepair }},
	"housing_debt":               {kind: kindBool, doc: "housing-related debt recorded", b: func(f *Facts) bool { return f.HousingDebt }},
	"months_since_housing_debt":  {kind: kindInt, doc: "whole months since housing debt was last owed", i: func(f *Facts) int { return f.MonthsSinceHousingDebt }},
	"medical_points":             {kind: kindInt, doc: "total medical points (S4.1)", i: func(f *Facts) int { return f.MedicalPoints }},
	"medical_level":              {kind: kindEnum, doc: "medical level from the policy's thresholds, or none", s: func(f *Facts) string { return f.MedicalLevel }},
	"bedroom_need":               {kind: kindInt, doc: "bedrooms the household needs (S5.1–S5.3)", i: func(f *Facts) int { return f.BedroomNeed }},
	"bedroom_shortfall":          {kind: kindInt, doc: "bedrooms lacking in the current home", i: func(f *Facts) int { return f.BedroomShortfall }},
	"mobility":                   {kind: kindEnum, values: []string{"none", "level-access", "wheelchair"}, doc: "assessed mobility need", s: func(f *Facts) string { return f.Mobility }},
}

// FactNames lists the vocabulary, sorted.
func FactNames() []string {
	names := make([]string, 0, len(vocabulary))
	for n := range vocabulary {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// FactDoc describes a fact for documentation and error messages.
func FactDoc(name string) string {
	d, ok := vocabulary[name]
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s (%s): %s", name, d.kind, d.doc)
}

// Value returns a fact's value as a string, for explanations.
func (f *Facts) Value(name string) string {
	d, ok := vocabulary[name]
	if !ok {
		return ""
	}
	switch d.kind {
	case kindBool:
		if d.b(f) {
			return "yes"
		}
		return "no"
	case kindInt:
		return fmt.Sprint(d.i(f))
	}
	v := d.s(f)
	if v == "" {
		return "none"
	}
	return v
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
