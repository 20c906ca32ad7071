package allocation

import (
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Input is everything Run reads besides the decisions: the register, the cycle's adverts
// with their landlords and shortlists, and the policy they run under.
type Input struct {
	Policy       *policy.Policy         `json:"-"`
	Applications []register.Application `json:"applications"`
	Landlords    []bidding.Landlord     `json:"landlords"`
	Adverts      []bidding.Advert       `json:"adverts"`
	// Shortlists are the cycle's shortlists, one per advert; an advert without one has
	// no bids.
	Shortlists []shortlist.Shortlist `json:"shortlists"`
	// Bids is the bid history the 12-month no-bid review reads (optional).
	Bids []bidding.Bid `json:"bids,omitempty"`
	// Renewals are renewals recorded before this run (optional).
	Renewals []Renewal `json:"renewals,omitempty"`

	// What a store kept from earlier decisions, so that the next one continues from it
	// rather than from the shortlists' heads (all optional; see Step). Walks are where
	// each advert's walk stands (an advert without one has not been reached); Offers are
	// the offers already made (at least the open ones of the applications above);
	// Nominations the open nominations of the adverts above; Reviews the open reviews of
	// the applications above; Households their last decision days; Flagged the
	// applications already flagged for a no-bid review.
	Walks       []AdvertWalk `json:"walks,omitempty"`
	Offers      []Offer      `json:"offers,omitempty"`
	Nominations []Nomination `json:"nominations,omitempty"`
	Reviews     []Review     `json:"reviews,omitempty"`
	Households  []Household  `json:"households,omitempty"`
	Flagged     []int64      `json:"flagged,omitempty"`
}

// Kind is what an officer's (or a landlord's, or an applicant's) decision does.
type Kind string

// Decision kinds.
const (
	VerifyPass     Kind = "verify_pass"     // the next candidate passes verification
	VerifySkip     Kind = "verify_skip"     // the candidate is skipped with Code (S8.1, S7.5)
	MakeOffer      Kind = "offer"           // offer the advert to the verified candidate
	Accept         Kind = "accept"          // the applicant accepts the open offer: a let
	Refuse         Kind = "refuse"          // refused, no reply or no viewing (Refusal)
	Withdraw       Kind = "withdraw"        // the offer (or, with property_withdrawn, the advert) is withdrawn
	Nominate       Kind = "nominate"        // send the verified batch to the housing association
	LandlordAccept Kind = "landlord_accept" // the landlord offers to a nominee
	LandlordReject Kind = "landlord_reject" // the landlord rejects a nominee with Code
	RequestMore    Kind = "request_more"    // the landlord asks for the next batch
	DirectLet      Kind = "direct_let"      // let outside the shortlist (Category, Authoriser)
	RequestReview  Kind = "request_review"  // the applicant asks for a review of a decision
	DecideReview   Kind = "decide_review"   // the review's outcome
	Renew          Kind = "renew"           // the annual renewal is made
	Upkeep         Kind = "upkeep"          // run the register's clocks as of On (S9.1–S9.3, S9.8)
	SetBand        Kind = "set_band"        // an officer sets the band (Band), surviving re-assessment until cleared (S3.5)
	SetEffective   Kind = "set_effective"   // an officer sets the band effective date (Effective) (S3.5)
	ClearOverride  Kind = "clear_override"  // an officer's set band or date (Subject band or effective_date) ends; the application is re-assessed
	SetStatus      Kind = "set_status"      // verify (pending → active), cancel (→ closed) or reinstate (→ active): Status
	Void           Kind = "void"            // a decision recorded wrongly is voided (Voids: its number in the record; Reason required)
	Reband         Kind = "reband"          // a reassessment moved the band to Band, effective Effective (S2.2, S3.1–S3.4)
)

// Direct-let categories (S8.9).
const (
	AdaptedProperty       = "adapted_property"
	Decant                = "decant"
	ManagementMove        = "management_move"
	HomelessDutyDischarge = "homeless_duty_discharge"
)

// Review subjects and outcomes (S9.4).
const (
	SubjectBand      = "band"
	SubjectEffective = "effective_date"
	SubjectSkip      = "skip"
	SubjectRefusal   = "refusal" // whether a refusal counts (S8.4)
	Upheld           = "upheld"  // the decision stands
	Changed          = "changed" // the decision is changed
	OutOfTime        = "out_of_time"
)

// Decision is one recorded decision. Decisions are applied in order and must not go
// back in time. Which fields matter depends on Kind; the rest stay zero.
type Decision struct {
	Kind Kind          `json:"kind"`
	On   register.Date `json:"on"`
	// At is the moment the decision was made, when known (a store sets it): a decision
	// on an advert may not be made before the advert closed.
	At          time.Time `json:"at,omitzero"`
	Actor       string    `json:"actor"`
	Reason      string    `json:"reason,omitempty"`
	Advert      int64     `json:"advert,omitempty"`
	Application int64     `json:"application,omitempty"`
	// Code is the skip reason of verify_skip, landlord_reject and withdraw.
	Code string `json:"code,omitempty"`
	// Refusal, Counted and Final describe a refuse: its kind, whether the officer judged
	// the offer reasonable and suitable, and whether it was a final offer under a
	// homeless duty.
	Refusal register.RefusalKind `json:"refusal,omitempty"`
	Counted bool                 `json:"counted,omitempty"`
	Final   bool                 `json:"final,omitempty"`
	// Category and Authoriser describe a direct_let.
	Category   string `json:"category,omitempty"`
	Authoriser string `json:"authoriser,omitempty"`
	// Subject and Of describe a request_review: what is reviewed and the date of the
	// decision under review. Outcome, Band and Effective describe decide_review. Band
	// (NoBand: no longer qualifies) and Effective describe a reband.
	Subject   string        `json:"subject,omitempty"`
	Of        register.Date `json:"of,omitempty"`
	Outcome   string        `json:"outcome,omitempty"`
	Band      register.Band `json:"band,omitempty"`
	Effective register.Date `json:"effective,omitempty"`
	// Voids is the record's number (sequence) of the decision a void voids.
	Voids int64 `json:"voids,omitempty"`
	// Status is the status a set_status decision gives the application.
	Status register.Status `json:"status,omitempty"`
}

// Result is everything Run decides. Slices are in a fixed order, so encoding a Result
// is byte-for-byte reproducible.
type Result struct {
	Policy string `json:"policy"`
	// Applications are the applications the decisions changed, as they now stand, by
	// id; the others are as in the input.
	Applications []register.Application `json:"applications"`
	Offers       []Offer                `json:"offers"`
	Nominations  []Nomination           `json:"nominations"`
	Lets         []Let                  `json:"lets"`
	Sanctions    []Sanction             `json:"sanctions"`
	Reviews      []Review               `json:"reviews"`
	Renewals     []Renewal              `json:"renewals"`
	// Adverts says where each advert's walk stands, in processing order.
	Adverts []AdvertStatus `json:"adverts"`
	// Pending is what officer input each open advert is waiting for.
	Pending []Wait  `json:"pending"`
	Events  []Event `json:"events"`
}

// Offer outcomes.
const (
	OfferOpen      = ""
	OfferAccepted  = "accepted"
	OfferWithdrawn = "withdrawn"
	// Refusals use the register.RefusalKind values: refused, no_reply, no_viewing.
)

// Offer is one offer of one advert to one application.
type Offer struct {
	Advert      int64         `json:"advert"`
	Application int64         `json:"application"`
	Position    int           `json:"position"`
	Made        register.Date `json:"made"`
	Resolved    register.Date `json:"resolved,omitempty"`
	Outcome     string        `json:"outcome,omitempty"`
	Counted     bool          `json:"counted,omitempty"`
	// Landlord: made by a housing association to a council nominee.
	Landlord bool `json:"landlord,omitempty"`
}

// Nomination is one nominee sent to a housing association.
type Nomination struct {
	Advert      int64         `json:"advert"`
	Landlord    string        `json:"landlord"`
	Round       int           `json:"round"`
	Application int64         `json:"application"`
	Position    int           `json:"position"`
	Sent        register.Date `json:"sent"`
	Decided     register.Date `json:"decided,omitempty"`
	Outcome     string        `json:"outcome,omitempty"` // accepted, rejected, or a skip code
	Code        string        `json:"code,omitempty"`    // the landlord's reason for a rejection
}

// Let routes.
const (
	RouteShortlist  = "shortlist"
	RouteNomination = "nomination"
	RouteDirect     = "direct"
)

// Let is the let record (S8.10): the facts a council publishes.
type Let struct {
	Advert      int64         `json:"advert"`
	Landlord    string        `json:"landlord"`
	Application int64         `json:"application"`
	On          register.Date `json:"on"`
	Route       string        `json:"route"`
	// Category, Authoriser and Reason describe a direct let.
	Category   string `json:"category,omitempty"`
	Authoriser string `json:"authoriser,omitempty"`
	Reason     string `json:"reason,omitempty"`

	BidsReceived int         `json:"bids_received"`
	EligibleBids int         `json:"eligible_bids"`
	Skips        []SkipCount `json:"skips"`
	// Band, Effective and Position are the successful application's as ranked at cycle
	// close (for a direct let outside the shortlist: its band when let, position 0).
	Band                   register.Band `json:"band"`
	Effective              register.Date `json:"effective"`
	Position               int           `json:"position"`
	Offered                register.Date `json:"offered"`
	DaysEffectiveToOffer   int           `json:"days_effective_to_offer"`
	OffersBeforeAcceptance int           `json:"offers_before_acceptance"`
}

// SkipCount is how many bids on an advert were skipped with Code.
type SkipCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// Sanction kinds.
const (
	SanctionClosed    = "closed_refusals" // counted refusals reached the limit
	SanctionDischarge = "duty_discharged" // a suitable final offer was refused
)

// Sanction is a consequence of refusals (S8.4, S8.6).
type Sanction struct {
	Application int64         `json:"application"`
	Kind        string        `json:"kind"`
	On          register.Date `json:"on"`
	Until       register.Date `json:"until,omitempty"`
	Reason      string        `json:"reason"`
	// Adverts are the refused adverts behind the sanction.
	Adverts []int64 `json:"adverts"`
	// Criteria are the criteria withdrawn by a duty discharge.
	Criteria []string `json:"criteria,omitempty"`
}

// Review is a review of a decision (S9.4).
type Review struct {
	Application int64         `json:"application"`
	Subject     string        `json:"subject"`
	Of          register.Date `json:"of"`
	Advert      int64         `json:"advert,omitempty"`
	Requested   register.Date `json:"requested"`
	Decided     register.Date `json:"decided,omitempty"`
	Outcome     string        `json:"outcome,omitempty"`
	By          string        `json:"by,omitempty"`
	Reason      string        `json:"reason,omitempty"`
}

// Renewal is an annual renewal of an application.
type Renewal struct {
	Application int64         `json:"application"`
	On          register.Date `json:"on"`
	By          string        `json:"by,omitempty"`
}

// Advert walk states.
const (
	AdvertOpen      = "open"
	AdvertLet       = "let"
	AdvertWithdrawn = "withdrawn"
)

// AdvertStatus is where one advert's walk stands.
type AdvertStatus struct {
	Advert      int64  `json:"advert"`
	Status      string `json:"status"`
	Application int64  `json:"application,omitempty"` // the let's
}

// What a pending advert waits for.
const (
	WaitVerify      = "verify"       // verification of Applications[0]
	WaitOffer       = "offer"        // an offer to the verified Applications[0]
	WaitReply       = "reply"        // the applicant's answer to the open offer
	WaitNominate    = "nominate"     // sending the verified batch to the landlord
	WaitLandlord    = "landlord"     // the landlord's decision on each nominee
	WaitRequestMore = "request_more" // the landlord to ask for more (all nominees decided)
	WaitRelet       = "relet"        // nobody is left: re-advertise or let directly
)

// Wait is one thing an open advert is waiting for.
type Wait struct {
	Advert       int64         `json:"advert"`
	For          string        `json:"for"`
	Applications []int64       `json:"applications,omitempty"`
	Since        register.Date `json:"since"`
}

// Event is one state change in the audit trail: who did what, when and why.
type Event struct {
	Seq         int           `json:"seq"`
	At          register.Date `json:"at"`
	Actor       string        `json:"actor"`
	Kind        string        `json:"kind"`
	Application int64         `json:"application,omitempty"`
	Advert      int64         `json:"advert,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	Detail      string        `json:"detail,omitempty"`
}
