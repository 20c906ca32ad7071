// Package shortlist ranks the bids on an advert at cycle close (S7).
//
// Every bid ends in exactly one state: ranked, with a position, or skipped, with the
// first eligibility check it failed (a reason code below, the check and its clause).
// The order is a contract, stated on Ranker.Rank: overlays, band, band effective date,
// registration date, application id (bid time instead of band and dates on a
// first-come-first-served advert). Bands are those of the bidding.Index, built as
// things stood at close.
//
// Ranking works on packed uint64 keys and a radix sort and allocates nothing once a
// Ranker's buffers have grown; Result.Shortlist builds the entries and Explain builds a
// bid's trace (facts, every check with pass/fail and clause, key components) only when
// asked. RankCycle ranks a whole cycle on all cores; CloseCycle goes from plain register
// data to shortlists in one call.
package shortlist

import (
	"time"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Skip reason codes (S7.5). Every bid that is not ranked carries exactly one.
const (
	UnsuitableProperty          = "unsuitable_property"
	BedroomMismatch             = "bedroom_mismatch"
	PropertyType                = "property_type"
	AgeRestriction              = "age_restriction"
	MobilityMismatch            = "mobility_mismatch"
	LocalLettingsPolicy         = "local_lettings_policy"
	LegalAgreementArea          = "legal_agreement_area"
	NotActive                   = "not_active"
	NoGuarantor                 = "no_guarantor"
	UnderOfferElsewhere         = "under_offer_elsewhere"
	UndisclosedChange           = "undisclosed_change"
	ChecksRevealIssues          = "checks_reveal_issues"
	NotQualifying               = "not_qualifying"
	Unaffordable                = "unaffordable"
	NoRentInAdvance             = "no_rent_in_advance"
	CurrentHomeFailedInspection = "current_home_failed_inspection"
	Arrears                     = "arrears"
	NoContact                   = "no_contact"
	LandlordPolicy              = "landlord_policy"
	PropertyWithdrawn           = "property_withdrawn"
	OfficerDiscretion           = "officer_discretion" // needs a note
)

// Codes lists every skip reason code, in the order S7.5 lists them. It is
// policy.SkipCodes: the policy loader checks the codes a file names against the same
// list (policy cannot import this package).
var Codes = policy.SkipCodes

// Entry is one bid's outcome on a shortlist: ranked at Position (1 = first), or skipped
// with a reason Code.
type Entry struct {
	Application int64         `json:"application"`
	Advert      int64         `json:"advert"`
	Position    int           `json:"position,omitempty"` // 0 when skipped
	Skip        string        `json:"skip,omitempty"`     // reason code when skipped
	Check       string        `json:"check,omitempty"`    // the rule that failed (policy rule id or check name)
	Clause      string        `json:"clause,omitempty"`
	Band        register.Band `json:"band"`
	Effective   register.Date `json:"effective"`
	Registered  register.Date `json:"registered"`
	Autobid     bool          `json:"autobid,omitempty"`
	Placed      time.Time     `json:"placed"`
	// By and At record who skipped the bid and when ("shortlist" at cycle close for the
	// eligibility checks); Note is the officer's note (officer_discretion needs one).
	By   string    `json:"by,omitempty"`
	At   time.Time `json:"at,omitzero"`
	Note string    `json:"note,omitempty"`
}

// Shortlist is one advert's outcome at cycle close.
type Shortlist struct {
	Advert  int64   `json:"advert"`
	Policy  string  `json:"policy"`
	Ranked  []Entry `json:"ranked"`  // in rank order
	Skipped []Entry `json:"skipped"` // by application id
}
