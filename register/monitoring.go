package register

import (
	"slices"
	"strings"
)

// Monitoring is the household's equality monitoring data: what the council asks so that
// it can show its scheme treats groups fairly (the Equality Act 2010's public sector
// equality duty) and fill the national CORE lettings log. Every field is optional (the
// zero value is "not recorded") and describes the main applicant unless it says
// otherwise.
//
// Nothing that decides a band, an effective date, a rank or a skip reads it: banding,
// bidding, shortlist and allocation never refer to this type (TestMonitoring_ChangesNoOutcome
// in package equality changes every field and compares a whole week's outcomes). Sex and age come
// from the members (Member.Sex, Member.Born); household type is derived from them
// (HouseholdTypeOf); the scheme flags (Flags, Home.Tenure) are groups too.
type Monitoring struct {
	EthnicGroup EthnicGroup `json:"ethnic_group,omitempty"`
	// Disability: does anyone in the household have a disability or long-term health
	// condition (the CORE question, and the Equality Act's definition as the applicant
	// understands it)?
	Disability Disability `json:"disability,omitempty"`
	// EconomicStatus is the main applicant's (CORE ecstat1).
	EconomicStatus EconomicStatus `json:"economic_status,omitempty"`
}

// EthnicGroup is one of the 19 ethnic groups of the 2021 Census in England (the ONS
// harmonised standard, which CORE uses), or that the applicant preferred not to say.
// Empty: not recorded.
type EthnicGroup string

// The 2021 Census ethnic groups for England, in the questionnaire's order.
const (
	EthnicWhiteBritish        EthnicGroup = "white_british" // English, Welsh, Scottish, Northern Irish or British
	EthnicWhiteIrish          EthnicGroup = "white_irish"
	EthnicWhiteGypsyTraveller EthnicGroup = "white_gypsy_traveller" // Gypsy or Irish Traveller
	EthnicWhiteRoma           EthnicGroup = "white_roma"
	EthnicWhiteOther          EthnicGroup = "white_other"
	EthnicMixedWhiteCaribbean EthnicGroup = "mixed_white_black_caribbean"
	EthnicMixedWhiteAfrican   EthnicGroup = "mixed_white_black_african"
	EthnicMixedWhiteAsian     EthnicGroup = "mixed_white_asian"
	EthnicMixedOther          EthnicGroup = "mixed_other"
	EthnicAsianIndian         EthnicGroup = "asian_indian"
	EthnicAsianPakistani      EthnicGroup = "asian_pakistani"
	EthnicAsianBangladeshi    EthnicGroup = "asian_bangladeshi"
	EthnicAsianChinese        EthnicGroup = "asian_chinese"
	EthnicAsianOther          EthnicGroup = "asian_other"
	EthnicBlackCaribbean      EthnicGroup = "black_caribbean"
	EthnicBlackAfrican        EthnicGroup = "black_african"
	EthnicBlackOther          EthnicGroup = "black_other"
	EthnicArab                EthnicGroup = "other_arab"
	EthnicOther               EthnicGroup = "other_any" // any other ethnic group
	EthnicRefused             EthnicGroup = "prefer_not_to_say"
)

// EthnicGroups lists every EthnicGroup value, in the Census order, then EthnicRefused.
var EthnicGroups = []EthnicGroup{
	EthnicWhiteBritish, EthnicWhiteIrish, EthnicWhiteGypsyTraveller, EthnicWhiteRoma, EthnicWhiteOther,
	EthnicMixedWhiteCaribbean, EthnicMixedWhiteAfrican, EthnicMixedWhiteAsian, EthnicMixedOther,
	EthnicAsianIndian, EthnicAsianPakistani, EthnicAsianBangladeshi, EthnicAsianChinese, EthnicAsianOther,
	EthnicBlackCaribbean, EthnicBlackAfrican, EthnicBlackOther, EthnicArab, EthnicOther, EthnicRefused,
}

// Valid reports whether g is empty or one of EthnicGroups.
func (g EthnicGroup) Valid() bool { return g == "" || slices.Contains(EthnicGroups, g) }

// Broad is the Census's high-level group of g, with White split into White British and
// Other White (in North Northamptonshire, as in most of England, White British is by
// far the largest group, and lumping the rest of White into it hides them): "White
// British", "Other White", "Mixed", "Asian", "Black", "Other", or "Not known" for an
// empty or refused g.
func (g EthnicGroup) Broad() string {
	s := string(g)
	switch {
	case g == EthnicWhiteBritish:
		return "White British"
	case strings.HasPrefix(s, "white_"):
		return "Other White"
	case strings.HasPrefix(s, "mixed_"):
		return "Mixed"
	case strings.HasPrefix(s, "asian_"):
		return "Asian"
	case strings.HasPrefix(s, "black_"):
		return "Black"
	case strings.HasPrefix(s, "other_"):
		return "Other"
	}
	return "Not known"
}

// Disability answers the household disability question. Empty: not recorded.
type Disability string

const (
	DisabilityYes     Disability = "yes"
	DisabilityNo      Disability = "no"
	DisabilityRefused Disability = "prefer_not_to_say"
)

// Valid reports whether d is empty, yes, no or prefer_not_to_say.
func (d Disability) Valid() bool {
	return d == "" || d == DisabilityYes || d == DisabilityNo || d == DisabilityRefused
}

// EconomicStatus is the main applicant's economic status, in CORE's categories
// (ecstat1). Empty: not recorded.
type EconomicStatus string

const (
	EconFullTime   EconomicStatus = "full_time"  // 30 hours or more a week
	EconPartTime   EconomicStatus = "part_time"  // under 30 hours a week
	EconTraining   EconomicStatus = "training"   // government training scheme
	EconJobSeeker  EconomicStatus = "job_seeker" // unemployed, seeking work
	EconRetired    EconomicStatus = "retired"
	EconNotSeeking EconomicStatus = "not_seeking" // not seeking work
	EconStudent    EconomicStatus = "student"     // full-time student
	EconUnable     EconomicStatus = "unable"      // unable to work because of long-term sickness or disability
	EconChild      EconomicStatus = "child"       // child under 16
	EconOther      EconomicStatus = "other"       // other
	EconRefused    EconomicStatus = "prefer_not_to_say"
)

// EconomicStatuses lists every EconomicStatus value in CORE's order.
var EconomicStatuses = []EconomicStatus{EconFullTime, EconPartTime, EconTraining, EconJobSeeker,
	EconRetired, EconNotSeeking, EconStudent, EconUnable, EconChild, EconOther, EconRefused}

// Valid reports whether s is empty or one of EconomicStatuses.
func (s EconomicStatus) Valid() bool { return s == "" || slices.Contains(EconomicStatuses, s) }

// HouseholdType is the shape of a household, as equality monitoring and CORE (hhtype)
// group them.
type HouseholdType string

const (
	HouseholdSingle             HouseholdType = "single"               // one adult, no children
	HouseholdCouple             HouseholdType = "couple"               // the applicant and a partner, no one else
	HouseholdLoneParent         HouseholdType = "lone_parent"          // one adult and dependent children
	HouseholdCoupleWithChildren HouseholdType = "couple_with_children" // the applicant, a partner and dependent children
	HouseholdOther              HouseholdType = "other"                // anything else: other adults, adult children
)

// HouseholdTypes lists every HouseholdType in that order.
var HouseholdTypes = []HouseholdType{HouseholdSingle, HouseholdCouple, HouseholdLoneParent,
	HouseholdCoupleWithChildren, HouseholdOther}

// DependentAge is the age from which a child member counts as an adult for the household
// type: 18, as CORE counts children (totchild).
const DependentAge = 18

// HouseholdTypeOf derives a's household type from its members on day on: a dependent
// child is a member with relationship child under DependentAge; a pregnancy is not yet
// a child. It is always derivable, since every application has a main applicant; an
// application with no members (never valid) is "other".
func HouseholdTypeOf(a *Application, on Date) HouseholdType {
	if len(a.Members) == 0 {
		return HouseholdOther
	}
	partner, children, others := false, 0, 0
	for _, m := range a.Members[1:] {
		switch {
		case m.Relationship == RelPartner && !partner:
			partner = true
		case m.Relationship == RelChild && on.YearsSince(m.Born) < DependentAge:
			children++
		default:
			others++
		}
	}
	switch {
	case others > 0:
		return HouseholdOther
	case partner && children > 0:
		return HouseholdCoupleWithChildren
	case partner:
		return HouseholdCouple
	case children > 0:
		return HouseholdLoneParent
	}
	return HouseholdSingle
}
