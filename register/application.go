// Package register holds the plain data of a housing register: applications, their
// households, circumstances, medical assessments, band history and refusals (S1.1).
//
// It has no behaviour beyond parsing and formatting its own values. The rules that read
// these facts live in policy files and in the banding, bidding, shortlist and allocation
// packages.
package register

import "github.com/shopspring/decimal"

// Status is where an application stands on the register.
type Status string

const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusClosed    Status = "closed"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusActive, StatusSuspended, StatusClosed:
		return true
	}
	return false
}

// Application is one household on the register. Members[0] is the main applicant.
type Application struct {
	ID         int64  `json:"id"`
	Registered Date   `json:"registered"`
	Status     Status `json:"status"`
	// StatusReason and StatusUntil explain a suspension or closure (e.g. two counted
	// refusals: closed until a date).
	StatusReason string `json:"status_reason,omitempty"`
	StatusUntil  Date   `json:"status_until,omitempty"`

	Members    []Member        `json:"members"`
	Home       CurrentHome     `json:"home"`
	Connection LocalConnection `json:"connection"`
	Flags      Flags           `json:"flags"`
	Debt       HousingDebt     `json:"debt"`
	Mobility   Mobility        `json:"mobility"`
	// Area is the autobid area the household is assigned to (S6.4).
	Area string `json:"area,omitempty"`
	// Monitoring is equality monitoring data; no rule reads it.
	Monitoring Monitoring `json:"monitoring,omitzero"`

	Medical   []MedicalAssessment `json:"medical,omitempty"`
	History   []BandSpell         `json:"history,omitempty"`
	Refusals  []Refusal           `json:"refusals,omitempty"`
	Overrides []Override          `json:"overrides,omitempty"`
}

// Main returns the main applicant, or the zero Member if there are no members.
func (a *Application) Main() Member {
	if len(a.Members) == 0 {
		return Member{}
	}
	return a.Members[0]
}

// Sex of a household member, as bedroom sharing rules use it.
type Sex string

const (
	Female Sex = "F"
	Male   Sex = "M"
)

// Relationship of a member to the main applicant.
type Relationship string

const (
	RelApplicant Relationship = "applicant" // the main applicant (Members[0])
	RelPartner   Relationship = "partner"   // spouse, civil partner or cohabitee; shares the couple's room
	RelChild     Relationship = "child"
	RelOther     Relationship = "other" // any other relative or household member
)

// Member is one person in the household.
type Member struct {
	Name         string       `json:"name,omitempty"`
	Born         Date         `json:"born"`
	Sex          Sex          `json:"sex"`
	Relationship Relationship `json:"relationship"`
	// Joint marks a joint applicant (usually the partner).
	Joint bool `json:"joint,omitempty"`
	// PregnancyDue is the due date of a recorded pregnancy; zero when not pregnant.
	PregnancyDue Date `json:"pregnancy_due,omitempty"`
}

// Tenure of the current home.
type Tenure string

const (
	TenureOwner     Tenure = "owner"
	TenureSocial    Tenure = "social"    // council or housing association tenant
	TenurePrivate   Tenure = "private"   // private rented
	TenureTemporary Tenure = "temporary" // temporary accommodation under a homeless duty
	TenureFamily    Tenure = "family"    // living with family or friends
	TenureNone      Tenure = "none"      // no fixed home
)

// CurrentHome holds the facts of where the household lives now.
type CurrentHome struct {
	Bedrooms int    `json:"bedrooms"`
	Tenure   Tenure `json:"tenure"`
	// Homeowner is true if any applicant owns a home, wherever it is.
	Homeowner bool `json:"homeowner,omitempty"`
	// SharingFacilities: shares a kitchen or bathroom with another household.
	SharingFacilities bool `json:"sharing_facilities,omitempty"`
	// Disrepair: severe disrepair or a prohibition order on the current home.
	Disrepair bool `json:"disrepair,omitempty"`
}

// LocalConnection holds the facts of the household's connection to the area.
type LocalConnection struct {
	// NN: a local connection to North Northamptonshire (residence, work or close family).
	NN bool `json:"nn"`
	// RightToMove: a social tenant who must move to the area for work (statutory exemption).
	RightToMove bool `json:"right_to_move,omitempty"`
	// LegalAgreementAreas lists the S106 / village exception areas the household has a
	// connection to.
	LegalAgreementAreas []string `json:"legal_agreement_areas,omitempty"`
}

// HomelessDuty is the homelessness duty the council owes the household.
type HomelessDuty string

const (
	DutyNone       HomelessDuty = ""
	DutyPrevention HomelessDuty = "prevention"
	DutyRelief     HomelessDuty = "relief"
	DutyMain       HomelessDuty = "main"
)

// Flags are the yes/no circumstances the scheme reads.
type Flags struct {
	ImmigrationIneligible bool         `json:"immigration_ineligible,omitempty"`
	HomelessDuty          HomelessDuty `json:"homeless_duty,omitempty"`
	ArmedForces           bool         `json:"armed_forces,omitempty"` // serving, veteran, or bereaved/injured as the 2012 regulations define
	CareLeaver            bool         `json:"care_leaver,omitempty"`
	CareLeaverNNC         bool         `json:"care_leaver_nnc,omitempty"` // the council is corporate parent
	AdultSocialCareMoveOn bool         `json:"adult_social_care_move_on,omitempty"`
	DomesticAbuse         bool         `json:"domestic_abuse,omitempty"`
	ShelteredEligible     bool         `json:"sheltered_eligible,omitempty"`
	Connected             bool         `json:"connected,omitempty"` // councillor, employee or close relative
	Guarantor             bool         `json:"guarantor,omitempty"` // for a 16–17 year old applicant
	UnacceptableBehaviour bool         `json:"unacceptable_behaviour,omitempty"`
	// ExceptionalCircumstances is an officer's finding that lets a homeowner qualify.
	ExceptionalCircumstances bool `json:"exceptional_circumstances,omitempty"`
	// Working: someone in the household is in work (local lettings policies use it).
	Working bool `json:"working,omitempty"`
}

// HousingDebt is housing-related debt owed to any landlord.
type HousingDebt struct {
	Amount decimal.Decimal `json:"amount"`
	// LastOwed is the last date the debt was outstanding; zero if never owed.
	LastOwed Date `json:"last_owed,omitempty"`
}

// Mobility is the household's assessed mobility need.
type Mobility string

const (
	MobilityNone        Mobility = "none"
	MobilityLevelAccess Mobility = "level-access"
	MobilityWheelchair  Mobility = "wheelchair"
)

// MedicalAssessment is one medical/welfare assessment (S4).
type MedicalAssessment struct {
	ID        int64  `json:"id"`
	Requested Date   `json:"requested"`
	Assessed  Date   `json:"assessed,omitempty"` // zero while pending
	Assessor  string `json:"assessor,omitempty"`
	// Conditions are scored on the policy's severity × impact matrix.
	Conditions   []Condition  `json:"conditions,omitempty"`
	Restrictions Restrictions `json:"restrictions"`
}

// Pending reports whether the assessment has not been decided yet.
func (m MedicalAssessment) Pending() bool { return m.Assessed.IsZero() }

// Condition is one medical or welfare condition and how the current home affects it.
type Condition struct {
	Name     string `json:"name"`
	Severity int    `json:"severity"` // 0..policy max
	Impact   int    `json:"impact"`   // how much the current home makes it worse, 0..policy max
}

// Restrictions a medical assessment places on the homes the household can take.
type Restrictions struct {
	GroundFloorOrLift bool `json:"ground_floor_or_lift,omitempty"`
	LevelAccess       bool `json:"level_access,omitempty"`
	Wheelchair        bool `json:"wheelchair,omitempty"`
	ExtraBedrooms     int  `json:"extra_bedrooms,omitempty"` // e.g. for an overnight carer
}

// BandSpell is one entry of band history: the application held Band from From until
// To (zero To: still held), ranking by Effective within it.
type BandSpell struct {
	Band      Band   `json:"band"`
	From      Date   `json:"from"`
	To        Date   `json:"to,omitempty"`
	Effective Date   `json:"effective"`
	Reason    string `json:"reason"`
	By        string `json:"by,omitempty"`
}

// RefusalKind distinguishes a refusal from the no-shows a policy may count as one.
type RefusalKind string

const (
	RefusedOffer   RefusalKind = "refused"
	RefusedNoReply RefusalKind = "no_reply"
	RefusedNoView  RefusalKind = "no_viewing"
)

// Refusal is one refused offer (S8.4, S8.5).
type Refusal struct {
	Advert int64       `json:"advert"`
	On     Date        `json:"on"`
	Kind   RefusalKind `json:"kind"`
	// Counted: an officer judged the offer reasonable and suitable.
	Counted bool `json:"counted"`
	// Final: the offer was a final offer under a homeless duty.
	Final bool   `json:"final,omitempty"`
	By    string `json:"by,omitempty"`
}

// OverrideKind is what an officer override does (S2.4, S3.5).
type OverrideKind string

const (
	OverrideSetBand           OverrideKind = "set_band"
	OverrideAwardCriterion    OverrideKind = "award_criterion"
	OverrideWithdrawCriterion OverrideKind = "withdraw_criterion"
	OverrideSetEffective      OverrideKind = "set_effective_date"
)

// Override is an officer's decision that survives re-assessment until Removed is set.
type Override struct {
	Kind      OverrideKind `json:"kind"`
	Band      Band         `json:"band,omitempty"`      // set_band
	Criterion string       `json:"criterion,omitempty"` // award_/withdraw_criterion
	Effective Date         `json:"effective,omitempty"` // set_effective_date
	Reason    string       `json:"reason"`
	By        string       `json:"by"`
	On        Date         `json:"on"`
	Removed   Date         `json:"removed,omitempty"`
}

// Active reports whether the override is in force on day d.
func (o Override) Active(d Date) bool {
	return o.On <= d && (o.Removed.IsZero() || d < o.Removed)
}
