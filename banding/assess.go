// Package banding decides, for one application under one policy on one day, whether it
// qualifies, its band and every criterion behind it, its medical points and level, and its
// bedroom need (S1 to S5); and keeps band history and effective dates (S3).
//
// Everything here is a pure function of its arguments: no clock, no I/O.
package banding

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Reason is a rule that applied, with the scheme clause it enforces.
type Reason struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Clause string `json:"clause"`
}

// Met is a band criterion the application meets.
type Met struct {
	ID     string        `json:"id"`
	Band   register.Band `json:"band"`
	Label  string        `json:"label"`
	Clause string        `json:"clause"`
	// Override is the officer's reason when an officer awarded the criterion.
	Override string `json:"override,omitempty"`
}

// Medical is the medical points arithmetic (S4.1, S4.2).
type Medical struct {
	Assessment   int64                 `json:"assessment,omitempty"` // 0: none completed
	Assessed     register.Date         `json:"assessed,omitempty"`
	Terms        []MedicalTerm         `json:"terms,omitempty"`
	Sum          int                   `json:"sum"`
	Points       int                   `json:"points"` // Sum capped at the policy's cap
	Level        string                `json:"level"`
	Restrictions register.Restrictions `json:"restrictions"`
}

// MedicalTerm is one condition's score: Severity × Impact × PerUnit.
type MedicalTerm struct {
	Condition string `json:"condition"`
	Severity  int    `json:"severity"`
	Impact    int    `json:"impact"`
	PerUnit   int    `json:"per_unit"`
	Points    int    `json:"points"`
}

// Assessment is the outcome of Assess.
type Assessment struct {
	Application int64         `json:"application"`
	Policy      string        `json:"policy"` // id@version
	AsOf        register.Date `json:"as_of"`
	Qualifies   bool          `json:"qualifies"`
	// NotQualifying lists every qualification rule failed; empty when Qualifies.
	NotQualifying []Reason `json:"not_qualifying,omitempty"`
	// Band is the highest band of any criterion met (or an officer's set band); NoBand
	// when the application does not qualify.
	Band register.Band `json:"band"`
	// BandOverride is the officer's reason when an officer set the band.
	BandOverride string   `json:"band_override,omitempty"`
	Criteria     []Met    `json:"criteria"`
	Medical      Medical  `json:"medical"`
	Bedrooms     Bedrooms `json:"bedrooms"`
	// Preferences are the additional-preference classes the application meets (S7.4),
	// in policy order; whether one applies depends on the band held (PreferenceIn).
	Preferences []Preference `json:"preferences,omitempty"`
	// AutobidArea is the policy's autobid area for the application's locality, or "".
	AutobidArea string       `json:"autobid_area,omitempty"`
	Facts       policy.Facts `json:"facts"`
}

// Preference is an additional-preference class an application meets (S7.4).
type Preference struct {
	ID     string          `json:"id"`
	Label  string          `json:"label"`
	Clause string          `json:"clause"`
	Effect string          `json:"effect"` // policy.PreferenceNone, TopOfBand or OneBandUp
	Bands  []register.Band `json:"bands,omitempty"`
}

// PreferenceIn returns the strongest of as.Preferences that applies to an application
// holding band b (the band at close, for ranking), and whether any applies. Effects
// rank none < top_of_band < one_band_up; on a tie the first in policy order wins.
func (as *Assessment) PreferenceIn(b register.Band) (Preference, bool) {
	var best Preference
	found := false
	for _, pr := range as.Preferences {
		if b == register.NoBand || (len(pr.Bands) > 0 && !slices.Contains(pr.Bands, b)) {
			continue
		}
		if !found || effectRank(pr.Effect) > effectRank(best.Effect) {
			best, found = pr, true
		}
	}
	return best, found
}

func effectRank(e string) int { return slices.Index(policy.PreferenceEffects, e) }

// ErrInvalid marks an application whose facts cannot be assessed (see *InvalidError).
var ErrInvalid = errors.New("invalid application")

// InvalidError names the field and value that make an application impossible to assess.
type InvalidError struct {
	Application int64
	Field       string
	Value       string
	Reason      string
}

// Error names the application, field, value and reason.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("application %d: %s: %q: %s", e.Application, e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalid, so errors.Is(err, ErrInvalid) holds.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// ErrNoSizes marks a policy that leaves a household no bedroom size to bid for (see
// *NoSizesError).
var ErrNoSizes = errors.New("no bedroom size to bid for")

// ErrNoInput is what Assess returns (wrapped) for a nil application or policy.
var ErrNoInput = errors.New("nil input")

// NoSizesError is a policy's bedrooms.allowed[Rule] giving a household an empty range
// of sizes (S5.4): Min is above Max.
type NoSizesError struct {
	Application int64
	Policy      string
	Rule        int
	Household   string
	Need        int
	Min, Max    int
}

// Error names the policy rule, the household and the empty range.
func (e *NoSizesError) Error() string {
	return fmt.Sprintf("application %d: policy %s bedrooms.allowed[%d] leaves a %s household needing %s no size to bid for (sizes %d to %d) (S5.4)",
		e.Application, e.Policy, e.Rule, e.Household, policy.Bedrooms(e.Need), e.Min, e.Max)
}

// Unwrap returns ErrNoSizes.
func (e *NoSizesError) Unwrap() error { return ErrNoSizes }

// Assess applies policy p to application a as things stand on day asOf. It reads the
// application's facts, its latest completed medical assessment and its active officer
// overrides; it does not read or change band history (see Transition).
//
// A nil application or policy is an error wrapping ErrNoInput.
func Assess(a *register.Application, p *policy.Policy, asOf register.Date) (Assessment, error) {
	switch {
	case a == nil:
		return Assessment{AsOf: asOf}, fmt.Errorf("banding: Assess: no application: %w", ErrNoInput)
	case p == nil:
		return Assessment{Application: a.ID, AsOf: asOf}, fmt.Errorf("banding: Assess: application %d: no policy: %w", a.ID, ErrNoInput)
	}
	out := Assessment{Application: a.ID, Policy: p.Name(), AsOf: asOf}
	if err := validate(a, p, asOf); err != nil {
		return out, err
	}
	out.Medical = medical(a, &p.Medical, asOf)
	out.Bedrooms = BedroomNeed(a.Members, &p.Bedrooms, asOf)
	bd := &out.Bedrooms
	bd.ExtraForMedical = out.Medical.Restrictions.ExtraBedrooms
	bd.Need += bd.ExtraForMedical
	bd.Current = a.Home.Bedrooms
	bd.Shortfall = max(bd.Need-bd.Current, 0)
	var rule int
	bd.AllowedMin, bd.AllowedMax, rule = p.Bedrooms.AllowedBedrooms(bd.HouseholdType, bd.Need)
	if bd.AllowedMin > bd.AllowedMax {
		// Parse rejects such a policy (S5.4); one built in code can still get here, and a
		// household that may bid on nothing must not pass silently.
		return out, &NoSizesError{Application: a.ID, Policy: p.Name(), Rule: rule,
			Household: bd.HouseholdType, Need: bd.Need, Min: bd.AllowedMin, Max: bd.AllowedMax}
	}
	out.AutobidArea = p.Bidding.AreaOf(a.Area)
	out.Facts = facts(a, &out, asOf)
	// The predicates are closures the compiler cannot see into, so what they are given
	// escapes: given &out.Facts, the whole 480-byte assessment moved to the heap at every
	// call (a simulation assesses ~300k times); a copy of the facts is a third of that.
	f := new(policy.Facts)
	*f = out.Facts

	for i := range p.Qualification.Rules {
		r := &p.Qualification.Rules[i]
		if r.When.Eval(f) {
			out.NotQualifying = append(out.NotQualifying, Reason{Code: r.Code, Label: r.Label, Clause: r.Clause})
		}
	}

	out.Criteria = make([]Met, 0, 4)
	for i := range p.Criteria {
		c := &p.Criteria[i]
		withdrawn, awarded := criterionOverride(a.Overrides, c.ID, asOf)
		switch {
		case withdrawn != nil:
			continue
		case c.When.Eval(f):
			out.Criteria = append(out.Criteria, Met{ID: c.ID, Band: c.Band, Label: c.Label, Clause: c.Clause})
		case awarded != nil:
			out.Criteria = append(out.Criteria, Met{ID: c.ID, Band: c.Band, Label: c.Label, Clause: c.Clause,
				Override: fmt.Sprintf("awarded by %s on %s: %s", awarded.By, awarded.On, awarded.Reason)})
		}
	}
	for i := range p.AdditionalPreference {
		ap := &p.AdditionalPreference[i]
		if ap.When.Eval(f) {
			out.Preferences = append(out.Preferences, Preference{ID: ap.ID, Label: ap.Label, Clause: ap.Clause,
				Effect: ap.Effect, Bands: ap.OnlyBands})
		}
	}
	for _, m := range out.Criteria {
		if m.Band.Higher(out.Band) {
			out.Band = m.Band
		}
	}
	if o := activeOverride(a.Overrides, register.OverrideSetBand, asOf); o != nil {
		out.Band = o.Band
		out.BandOverride = fmt.Sprintf("set by %s on %s: %s", o.By, o.On, o.Reason)
	}
	if out.Band == register.NoBand && p.Qualification.NoNeedCode != "" && len(out.NotQualifying) == 0 {
		out.NotQualifying = append(out.NotQualifying, Reason{Code: p.Qualification.NoNeedCode,
			Label: "Meets no band criterion: no housing need the scheme recognises", Clause: "S1.10"})
	}
	out.Qualifies = len(out.NotQualifying) == 0
	if !out.Qualifies {
		out.Band = register.NoBand
	}
	return out, nil
}

func validate(a *register.Application, p *policy.Policy, asOf register.Date) error {
	bad := func(field, value, reason string) error {
		return &InvalidError{Application: a.ID, Field: field, Value: value, Reason: reason}
	}
	if len(a.Members) == 0 {
		return bad("members", "", "an application needs at least the main applicant")
	}
	if a.Home.Bedrooms < 0 {
		return bad("home.bedrooms", fmt.Sprint(a.Home.Bedrooms), "must not be negative")
	}
	for i, m := range a.Members {
		if m.Born > asOf {
			return bad(fmt.Sprintf("members[%d].born", i), m.Born.String(), "born after the assessment date "+asOf.String())
		}
		if m.Sex != register.Female && m.Sex != register.Male {
			return bad(fmt.Sprintf("members[%d].sex", i), string(m.Sex), "want F or M")
		}
	}
	for i, ma := range a.Medical {
		for j, c := range ma.Conditions {
			if c.Severity < 0 || c.Severity > p.Medical.MaxSeverity {
				return bad(fmt.Sprintf("medical[%d].conditions[%d].severity", i, j), fmt.Sprint(c.Severity),
					fmt.Sprintf("must be 0 to %d", p.Medical.MaxSeverity))
			}
			if c.Impact < 0 || c.Impact > p.Medical.MaxImpact {
				return bad(fmt.Sprintf("medical[%d].conditions[%d].impact", i, j), fmt.Sprint(c.Impact),
					fmt.Sprintf("must be 0 to %d", p.Medical.MaxImpact))
			}
		}
		if ma.Restrictions.ExtraBedrooms < 0 || ma.Restrictions.ExtraBedrooms > policy.MaxExtraBedrooms {
			return bad(fmt.Sprintf("medical[%d].restrictions.extra_bedrooms", i), fmt.Sprint(ma.Restrictions.ExtraBedrooms),
				fmt.Sprintf("must be 0 to %d", policy.MaxExtraBedrooms))
		}
	}
	return nil
}

// medical scores the latest assessment completed on or before asOf.
func medical(a *register.Application, m *policy.MedicalRules, asOf register.Date) Medical {
	var latest *register.MedicalAssessment
	for i := range a.Medical {
		ma := &a.Medical[i]
		if ma.Pending() || ma.Assessed > asOf {
			continue
		}
		if latest == nil || ma.Assessed > latest.Assessed || (ma.Assessed == latest.Assessed && ma.ID > latest.ID) {
			latest = ma
		}
	}
	out := Medical{Level: "none"}
	if latest == nil {
		return out
	}
	out.Assessment, out.Assessed, out.Restrictions = latest.ID, latest.Assessed, latest.Restrictions
	out.Terms = make([]MedicalTerm, len(latest.Conditions))
	for i, c := range latest.Conditions {
		pts := c.Severity * c.Impact * m.PointsPerUnit
		out.Terms[i] = MedicalTerm{Condition: c.Name, Severity: c.Severity, Impact: c.Impact, PerUnit: m.PointsPerUnit, Points: pts}
		out.Sum += pts
	}
	out.Points = min(out.Sum, m.Cap)
	out.Level = m.Level(out.Points)
	return out
}

func facts(a *register.Application, as *Assessment, asOf register.Date) policy.Facts {
	duty := string(a.Flags.HomelessDuty)
	if duty == "" {
		duty = "none"
	}
	mobility := string(a.Mobility)
	if mobility == "" {
		mobility = string(register.MobilityNone)
	}
	f := policy.Facts{
		Age:                      asOf.YearsSince(a.Members[0].Born),
		HouseholdType:            as.Bedrooms.HouseholdType,
		DependentChildren:        as.Bedrooms.DependentChildren,
		Homeowner:                a.Home.Homeowner || a.Home.Tenure == register.TenureOwner,
		ImmigrationIneligible:    a.Flags.ImmigrationIneligible,
		LocalConnection:          a.Connection.NN,
		RightToMove:              a.Connection.RightToMove,
		ArmedForces:              a.Flags.ArmedForces,
		CareLeaver:               a.Flags.CareLeaver || a.Flags.CareLeaverNNC,
		CareLeaverNNC:            a.Flags.CareLeaverNNC,
		AdultSocialCareMoveOn:    a.Flags.AdultSocialCareMoveOn,
		DomesticAbuse:            a.Flags.DomesticAbuse,
		ShelteredEligible:        a.Flags.ShelteredEligible,
		LegalAgreementConnection: len(a.Connection.LegalAgreementAreas) > 0,
		UnacceptableBehaviour:    a.Flags.UnacceptableBehaviour,
		ExceptionalCircumstances: a.Flags.ExceptionalCircumstances,
		Guarantor:                a.Flags.Guarantor,
		Working:                  a.Flags.Working,
		HomelessDuty:             duty,
		TemporaryAccommodation:   a.Home.Tenure == register.TenureTemporary,
		Tenure:                   string(a.Home.Tenure),
		SharingFacilities:        a.Home.SharingFacilities,
		Disrepair:                a.Home.Disrepair,
		MedicalPoints:            as.Medical.Points,
		MedicalLevel:             as.Medical.Level,
		BedroomNeed:              as.Bedrooms.Need,
		BedroomShortfall:         as.Bedrooms.Shortfall,
		Mobility:                 mobility,
	}
	if f.Tenure == "" {
		f.Tenure = string(register.TenureNone)
	}
	if a.Debt.Amount.IsPositive() || !a.Debt.LastOwed.IsZero() {
		f.HousingDebt = true
		if !a.Debt.LastOwed.IsZero() && a.Debt.LastOwed < asOf {
			f.MonthsSinceHousingDebt = monthsBetween(a.Debt.LastOwed, asOf)
		}
	}
	return f
}

// monthsBetween counts whole calendar months from a to b (b after a).
func monthsBetween(a, b register.Date) int {
	y1, m1, d1 := a.YMD()
	y2, m2, d2 := b.YMD()
	n := (y2-y1)*12 + int(m2-m1)
	if d2 < d1 {
		n--
	}
	return max(n, 0)
}

func activeOverride(os []register.Override, kind register.OverrideKind, asOf register.Date) *register.Override {
	var found *register.Override
	for i := range os {
		if os[i].Kind == kind && os[i].Active(asOf) {
			found = &os[i] // the latest wins
		}
	}
	return found
}

func criterionOverride(os []register.Override, id string, asOf register.Date) (withdrawn, awarded *register.Override) {
	for i := range os {
		o := &os[i]
		if o.Criterion != id || !o.Active(asOf) {
			continue
		}
		switch o.Kind {
		case register.OverrideWithdrawCriterion:
			withdrawn, awarded = o, nil
		case register.OverrideAwardCriterion:
			awarded, withdrawn = o, nil
		}
	}
	return withdrawn, awarded
}
