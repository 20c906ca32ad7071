// Package policy loads allocation schemes as versioned, effective-dated data (S0.1:
// "every rule is policy, not code").
//
// A policy file is JSON; docs/policy.md documents it field by field. Parse checks a file
// completely — unknown fields, unknown facts, bands without criteria, thresholds out of
// order — and reports every problem with the file, the JSON path and the reason. The
// library ships nn-2021 (the Keyways scheme in force) and nn-2025-proposed (the October
// 2025 review); Builtin returns them.
package policy

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cbl-lettings/cbl/register"
)

// Policy is one version of an allocation scheme.
type Policy struct {
	ID            string        `json:"id"`
	Version       int           `json:"version"`
	Title         string        `json:"title"`
	EffectiveFrom register.Date `json:"effective_from"`
	EffectiveTo   register.Date `json:"effective_to,omitempty"` // exclusive; zero: open-ended
	Source        string        `json:"source,omitempty"`

	Qualification Qualification      `json:"qualification"`
	Criteria      []Criterion        `json:"criteria"`
	EffectiveDate EffectiveDateRules `json:"effective_date"`
	Medical       MedicalRules       `json:"medical"`
	Bedrooms      BedroomRules       `json:"bedrooms"`
	Properties    PropertyRules      `json:"properties"`
	Cycle         CycleRules         `json:"cycle"`
	Bidding       BiddingRules       `json:"bidding"`
	Shortlist     ShortlistRules     `json:"shortlist"`
	// AdditionalPreference lists the classes given additional preference in ranking
	// (S7.4). Left out of a file, it is DefaultAdditionalPreference: the armed-forces
	// categories of the Housing Act 1996 s166A(3), top of their band.
	AdditionalPreference []AdditionalPreference `json:"additional_preference"`
	Refusals             RefusalRules           `json:"refusals"`
	Nominations          NominationRules        `json:"nominations"`
	Upkeep               UpkeepRules            `json:"upkeep"`

	// File is where the policy was loaded from, for messages.
	File string `json:"-"`
	loc  *time.Location
	name string // id@version, set by Parse: every assessment and trace cites it
}

// Name is "id@version", as traces and reports cite a policy.
func (p *Policy) Name() string {
	if p.name == "" { // a Policy built in code rather than by Parse
		return p.ID + "@" + strconv.Itoa(p.Version)
	}
	return p.name
}

// InForce reports whether the policy applies on day d.
func (p *Policy) InForce(d register.Date) bool {
	return p.EffectiveFrom <= d && (p.EffectiveTo.IsZero() || d < p.EffectiveTo)
}

// Qualification decides who may be on the register at all (S1.2–S1.10). An application
// meeting any rule's When does not qualify and carries that rule's Code.
type Qualification struct {
	Rules []QualificationRule `json:"rules"`
	// NoNeedCode, when set, is the code of an application that meets no band criterion.
	NoNeedCode string `json:"no_need_code"`
	// MinimumAgeToBid: younger applicants need a guarantor before they can bid.
	GuarantorBelowAge int `json:"guarantor_below_age"`
}

// QualificationRule is one non-qualifying class.
type QualificationRule struct {
	Code   string    `json:"code"`
	Label  string    `json:"label"`
	Clause string    `json:"clause"`
	When   Predicate `json:"when"`
}

// Criterion is one band criterion: an application meeting When is in at least Band.
type Criterion struct {
	ID     string        `json:"id"`
	Band   register.Band `json:"band"`
	Label  string        `json:"label"`
	Clause string        `json:"clause"`
	When   Predicate     `json:"when"`
}

// Effective-date rule values.
const (
	DateRegistration   = "registration"     // new application: the registration date
	DateMove           = "move_date"        // the date of the change
	DatePreviousInBand = "previous_in_band" // moving down: the date last held in that band
	DateKeep           = "keep"             // keep the current effective date
)

// EffectiveDateRules fix the band effective date on each kind of change (S3.1–S3.4).
type EffectiveDateRules struct {
	New           string `json:"new"`             // registration
	Up            string `json:"up"`              // move_date or keep
	Down          string `json:"down"`            // previous_in_band, move_date or keep
	DownNeverHeld string `json:"down_never_held"` // keep or move_date
	Same          string `json:"same"`            // keep or move_date
}

// MedicalRules are the points matrix and the thresholds to levels (S4.1, S4.2).
type MedicalRules struct {
	MaxSeverity   int            `json:"max_severity"`
	MaxImpact     int            `json:"max_impact"`
	PointsPerUnit int            `json:"points_per_unit"` // points = severity × impact × this
	Cap           int            `json:"cap"`
	Levels        []MedicalLevel `json:"levels"`       // most severe first
	PendingDays   int            `json:"pending_days"` // an assessment pending longer is overdue
}

// MedicalLevel maps a points total to a named level.
type MedicalLevel struct {
	Level     string `json:"level"`
	MinPoints int    `json:"min_points"`
}

// BedroomRules are the Keyways bedroom-need rule's parameters and the sizes each
// household may bid for (S5.1, S5.2, S5.4).
type BedroomRules struct {
	AdultAge              int `json:"adult_age"`                  // aged this or over (not a partner): own room
	ShareAnySexUnder      int `json:"share_any_sex_under"`        // two children both under this share whatever their sex
	SameSexGapYears       int `json:"same_sex_gap_years"`         // same-sex children share unless the gap is at least this…
	SameSexGapElderMinAge int `json:"same_sex_gap_elder_min_age"` // …and the elder is at least this old
	PregnancyWeeks        int `json:"pregnancy_weeks"`            // an unborn child counts from due date minus these weeks
	// Allowed lists bedroom ranges per household type; the first match wins. A range is
	// relative to need: need+MinOverNeed .. need+MaxOverNeed, capped by Max if set.
	Allowed []BedroomRange `json:"allowed"`
}

// BedroomRange is the sizes one household type may bid for.
type BedroomRange struct {
	Households  []string `json:"households"` // household_type values; empty: any
	MinOverNeed int      `json:"min_over_need"`
	MaxOverNeed int      `json:"max_over_need"`
	Max         int      `json:"max,omitempty"`
}

// PropertyRules restrict which homes a household may bid for (S5.5, S5.6).
type PropertyRules struct {
	ShelteredMinAge int            `json:"sheltered_min_age"` // default minimum age on sheltered adverts
	Types           []string       `json:"types"`             // property types adverts may carry
	Rules           []PropertyRule `json:"rules"`
	// Mobility is the mobility matrix (S4.4): for an advert accessibility
	// category ("general", "level-access", "wheelchair"), the mobility needs that may
	// bid on it. A category not listed is open to every need.
	Mobility map[string][]string `json:"mobility,omitempty"`
}

// PropertyRule: on adverts matching Advert, an application the rule applies to (all, or
// those in OnlyBands) must satisfy Requires and, if RequiresAreaConnection, be connected
// to the advert's Legal Agreement Area; otherwise its bid fails with Code. A rule with
// neither closes matching adverts to the applications it applies to.
type PropertyRule struct {
	ID                     string          `json:"id"`
	Label                  string          `json:"label"`
	Clause                 string          `json:"clause"`
	Code                   string          `json:"code"`
	Advert                 AdvertSelector  `json:"advert"`
	OnlyBands              []register.Band `json:"only_bands,omitempty"`
	Requires               *Predicate      `json:"requires,omitempty"`
	RequiresAreaConnection bool            `json:"requires_area_connection,omitempty"`
}

// AppliesTo reports whether the rule applies to an application in band b.
func (r *PropertyRule) AppliesTo(b register.Band) bool {
	return len(r.OnlyBands) == 0 || contains(r.OnlyBands, b)
}

// AdvertSelector matches adverts; every field set must match.
type AdvertSelector struct {
	Types              []string `json:"types,omitempty"`
	Garden             *bool    `json:"garden,omitempty"`
	Sheltered          *bool    `json:"sheltered,omitempty"`
	LegalAgreementArea *bool    `json:"legal_agreement_area,omitempty"`
}

// CycleRules fix the weekly bidding window (S6.1).
type CycleRules struct {
	TimeZone string    `json:"time_zone"`
	Opens    WeekClock `json:"opens"`
	Closes   WeekClock `json:"closes"`
}

// WeekClock is a weekday and a local time of day, "HH:MM".
type WeekClock struct {
	Weekday string `json:"weekday"`
	Time    string `json:"time"`
}

// BiddingRules limit bids and define autobid (S6.2–S6.4).
type BiddingRules struct {
	MaxLiveBids            int             `json:"max_live_bids"`
	AutobidBands           []register.Band `json:"autobid_bands"`
	AutobidCap             int             `json:"autobid_cap"` // 0: no cap
	AutobidCountsTowardCap bool            `json:"autobid_counts_toward_cap"`
	AutobidAreas           []AutobidArea   `json:"autobid_areas"`
	// RejectAtPlacing lists the check codes that refuse a bid when placed; other checks
	// accept the bid and skip it at shortlisting.
	RejectAtPlacing []string `json:"reject_at_placing"`
}

// AutobidArea groups localities for autobid.
type AutobidArea struct {
	ID         string   `json:"id"`
	Localities []string `json:"localities"`
}

// ShortlistRules choose the ordering options (S7.2, S7.3).
type ShortlistRules struct {
	// RankAt is when bands are read for ranking: "close", the only value (S7.3). The
	// format once also took "offer" (re-rank at offer time), which no part of the engine
	// did; the loader now rejects it rather than accept a setting nothing honours.
	RankAt string `json:"rank_at"`
	// MobilityFirstOnAccessible: on accessible homes, applicants who need them rank first.
	MobilityFirstOnAccessible bool `json:"mobility_first_on_accessible"`
	// LegalAgreementFirst: on S106 / village adverts, connected applicants rank first.
	LegalAgreementFirst bool `json:"legal_agreement_first"`
}

// SkipCodes lists every skip reason code (S7.5). The shortlist package names each one
// (shortlist.UnsuitableProperty, …); this list is the one definition both use.
var SkipCodes = []string{
	"unsuitable_property", "bedroom_mismatch", "property_type", "age_restriction", "mobility_mismatch",
	"local_lettings_policy", "legal_agreement_area", "not_active", "no_guarantor", "under_offer_elsewhere",
	"undisclosed_change", "checks_reveal_issues", "not_qualifying", "unaffordable", "no_rent_in_advance",
	"current_home_failed_inspection", "arrears", "no_contact", "landlord_policy", "property_withdrawn",
	"officer_discretion",
}

// Additional-preference effects (S7.4): what meeting a class does to an applicant's
// place in the shortlist order.
const (
	// PreferenceNone records the preference (traces and explain show it) without
	// changing the order.
	PreferenceNone = "none"
	// PreferenceTopOfBand ranks the applicant before everyone in the same band without
	// the preference; among those with it, the usual dates decide.
	PreferenceTopOfBand = "top_of_band"
	// PreferenceOneBandUp ranks the applicant as if in the next more urgent band (Band A
	// has none above it, so there it is top of the band).
	PreferenceOneBandUp = "one_band_up"
)

// PreferenceEffects lists the effects, weakest first: an applicant meeting several
// classes gets the strongest.
var PreferenceEffects = []string{PreferenceNone, PreferenceTopOfBand, PreferenceOneBandUp}

// AdditionalPreference is one class of applicant given additional preference: an
// applicant meeting When, in a band of OnlyBands (empty: any band), ranks by Effect.
type AdditionalPreference struct {
	ID        string          `json:"id"`
	Label     string          `json:"label"`
	Clause    string          `json:"clause"`
	When      Predicate       `json:"when"`
	OnlyBands []register.Band `json:"only_bands,omitempty"`
	Effect    string          `json:"effect"`
}

// AppliesTo reports whether the class may apply to an application in band b.
func (a *AdditionalPreference) AppliesTo(b register.Band) bool {
	return b != register.NoBand && (len(a.OnlyBands) == 0 || contains(a.OnlyBands, b))
}

// DefaultAdditionalPreference is the preference a policy file that says nothing gets:
// the statutory one. Section 166A(3) of the Housing Act 1996, with the Allocation of
// Housing (Qualification Criteria for Armed Forces) (England) Regulations 2012, requires
// additional preference for people with urgent housing need who are serving or former
// members of the armed forces, bereaved partners leaving services accommodation, or
// reservists injured in service: the armed_forces fact. Urgent need is read as Bands A
// to D (Band E is no housing need).
func DefaultAdditionalPreference() []AdditionalPreference {
	return []AdditionalPreference{{
		ID:        "armed_forces",
		Label:     "Serving or former member of the armed forces, a bereaved partner leaving forces housing, or a reservist injured in service",
		Clause:    "S7.4",
		When:      Predicate{Fact: "armed_forces"},
		OnlyBands: []register.Band{register.BandA, register.BandB, register.BandC, register.BandD},
		Effect:    PreferenceTopOfBand,
	}}
}

// RefusalRules are the refusal sanctions (S8.4–S8.6).
type RefusalRules struct {
	CountedLimit         int  `json:"counted_limit"`
	WindowMonths         int  `json:"window_months"`
	ClosureMonths        int  `json:"closure_months"`
	NoReplyCounts        bool `json:"no_reply_counts"`
	NoViewingCounts      bool `json:"no_viewing_counts"`
	FinalOfferDischarges bool `json:"final_offer_discharges_duty"`
	// DischargeCriteria are the criterion ids withdrawn when a homeless duty is
	// discharged by a refused suitable final offer.
	DischargeCriteria []string `json:"discharge_criteria"`
}

// NominationRules govern nominations to housing associations (S8.7, S8.8).
type NominationRules struct {
	BatchSize    int `json:"batch_size"`
	DefaultShare int `json:"default_share_percent"`
}

// UpkeepRules are the register-upkeep clocks (S9).
type UpkeepRules struct {
	RenewalWindowDays      int `json:"renewal_window_days"`
	NoBidReviewMonths      int `json:"no_bid_review_months"`
	BandAReviewWeeks       int `json:"band_a_review_weeks"` // 0: off
	ReviewRequestDays      int `json:"review_request_days"`
	ReviewDecisionWeeks    int `json:"review_decision_weeks"`
	NewApplicationWorkDays int `json:"new_application_working_days"`
	NoOfferAlertWeeks      int `json:"no_offer_alert_weeks"`
	// InputsRetentionDays is how long after a cycle closed the households' states its
	// close recorded are kept (S7.7); 0 keeps them as long as the cycle is held.
	InputsRetentionDays int `json:"inputs_retention_days"`
}

// Location is the cycle's time zone.
func (p *Policy) Location() *time.Location { return p.loc }

// Day is the one definition of "today", "the decision's day" and "as of" for a moment
// t: the calendar date of t on the scheme's clocks (the policy's time zone, UTC for a
// policy with none, such as one built in code, or a nil policy). At 00:30 BST on 12
// November the day is the 12th, though it is still the 11th in UTC; every command and
// package asks the policy so that none of them disagrees for that hour.
func (p *Policy) Day(t time.Time) register.Date {
	if p == nil || p.loc == nil {
		return register.DateOf(t.UTC())
	}
	return register.DateOf(t.In(p.loc))
}

// Level returns the medical level for a points total, or "none".
func (m *MedicalRules) Level(points int) string {
	for _, l := range m.Levels {
		if points >= l.MinPoints {
			return l.Level
		}
	}
	return "none"
}

// AllowedBedrooms returns the sizes (inclusive) a household of type household needing
// need bedrooms (medical extra bedrooms included) may bid for, and the index of the
// bedrooms.allowed entry that decided it (-1: none matched, so exactly the need). A
// policy that passed Parse never gives lo > hi (S5.4); one built in code might, and
// banding.Assess reports it.
func (b *BedroomRules) AllowedBedrooms(household string, need int) (lo, hi, rule int) {
	for i, r := range b.Allowed {
		if len(r.Households) > 0 && !contains(r.Households, household) {
			continue
		}
		lo, hi = need+r.MinOverNeed, need+r.MaxOverNeed
		if r.Max > 0 && hi > r.Max {
			hi = r.Max
		}
		return lo, hi, i
	}
	return need, need, -1
}

// MaxExtraBedrooms is the most bedrooms a medical assessment may add to a household's
// need (S4.3). The loader needs the bound to know every need a household can have.
const MaxExtraBedrooms = 3

// needBounds is the fewest bedrooms a household of each type needs before medical
// extras, and whether its need has no upper bound. A single person or a couple always
// needs exactly one room of their own; a family (a child or a counted pregnancy) or
// other adults need at least two, and more with every child or adult.
var needBounds = []struct {
	household string
	least     int
	unbounded bool
}{
	{"single", 1, false},
	{"couple", 1, false},
	{"family", 2, true},
	{"other", 2, true},
}

// Bedrooms says n bedrooms in words with the right plural: "1 bedroom", "2 bedrooms".
func Bedrooms(n int) string {
	if n == 1 {
		return "1 bedroom"
	}
	return strconv.Itoa(n) + " bedrooms"
}

type rangeProblem struct{ at, msg string }

// emptyRanges finds every household shape for which the first matching
// bedrooms.allowed entry can give no size at all (lowest size above highest), so that
// such a household could bid on nothing (S5.4). Only max can do it once
// min_over_need <= max_over_need: a cap below need+min_over_need.
func (b *BedroomRules) emptyRanges() []rangeProblem {
	var out []rangeProblem
	for _, nb := range needBounds {
		lo, hi, i := b.AllowedBedrooms(nb.household, nb.least)
		if i < 0 {
			continue
		}
		r := b.Allowed[i]
		at := fmt.Sprintf("bedrooms.allowed[%d].max", i)
		switch {
		case r.Max == 0 || r.MinOverNeed > r.MaxOverNeed:
			// no cap, or already reported as min_over_need above max_over_need
		case lo > hi:
			out = append(out, rangeProblem{at, fmt.Sprintf(
				"%d leaves a %s household needing %s no size to bid for (sizes %d to %d)",
				r.Max, nb.household, Bedrooms(nb.least), lo, hi)})
		case nb.unbounded:
			out = append(out, rangeProblem{at, fmt.Sprintf(
				"%d leaves a %s household needing %s or more no size to bid for; a %s household's need has no upper limit, so max may not apply to it",
				r.Max, nb.household, Bedrooms(r.Max-r.MinOverNeed+1), nb.household)})
		default:
			most := nb.least + MaxExtraBedrooms
			if lo, hi, _ := b.AllowedBedrooms(nb.household, most); lo > hi {
				out = append(out, rangeProblem{at, fmt.Sprintf(
					"%d leaves a %s household with a medical award of extra bedrooms (need %d to %d) no size to bid for once its need passes %d; drop max or raise it to %d",
					r.Max, nb.household, nb.least, most, r.Max-r.MinOverNeed, most+r.MinOverNeed)})
			}
		}
	}
	return out
}

// AreaOf returns the autobid area a locality belongs to, or "".
func (b *BiddingRules) AreaOf(locality string) string {
	for _, a := range b.AutobidAreas {
		if contains(a.Localities, locality) {
			return a.ID
		}
	}
	return ""
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
