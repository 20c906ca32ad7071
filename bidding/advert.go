// Package bidding holds adverts, weekly cycles and bids, and the rules for placing bids
// and autobidding (S5, S6).
//
// The flow of one cycle:
//
//   - Compile a policy into Rules; CycleAt gives the week's window (Thursday 00:00 to
//     Tuesday 23:59, Europe/London by default, as policy data).
//   - While the cycle is open a Book takes bids: Place enforces the window, the live-bid
//     cap, one live bid per advert, active status and guarantor, and refuses the checks
//     the policy rejects at placing with an *IneligibleError; Withdraw frees a slot;
//     Position tells a bidder where they stand.
//   - At close, Assess builds an Index of per-application Profiles as things stand at
//     close (band and effective date from band history, allowed bedrooms, facts as bits,
//     property-rule masks), and Book.Close (or NewClosing, for bids held elsewhere)
//     resolves the live bids and runs Autobid for the autobid bands.
//   - Package shortlist then ranks every advert of the Closing.
//
// Eligibility is decided in one place, Listing (an advert compiled against the rules):
// Eligible for one profile, Screen for every bid on an advert, Evaluate for a full
// explanation. Every check has a Check id, a reason code (S7.5) and the id of the rule it enforces.
// Nothing here reads a clock or does I/O: times are arguments.
package bidding

import (
	"time"

	"github.com/shopspring/decimal"
)

// Ordering is how an advert's shortlist is ordered.
type Ordering string

const (
	OrderBand Ordering = "band" // overlays, band, effective date, registration date, id
	OrderFCFS Ordering = "fcfs" // first come, first served: bid time, then id
)

// Accessibility is an advert's accessibility category (S4.4 mobility matrix).
type Accessibility string

const (
	AccessGeneral    Accessibility = "general"
	AccessLevel      Accessibility = "level-access" // accessible: applicants who need it rank first
	AccessWheelchair Accessibility = "wheelchair"   // wheelchair standard: only to wheelchair need
)

// Advert is one home advertised in one cycle.
type Advert struct {
	ID       int64  `json:"id"`
	Cycle    int64  `json:"cycle"`
	Landlord string `json:"landlord"`
	// Locality is the town or village; the policy maps it to an autobid area.
	Locality  string        `json:"locality"`
	Bedrooms  int           `json:"bedrooms"`
	BedSpaces int           `json:"bed_spaces"`
	Type      string        `json:"type"` // one of the policy's property types
	Garden    bool          `json:"garden,omitempty"`
	Floor     int           `json:"floor"` // 0 ground
	Lift      bool          `json:"lift,omitempty"`
	Access    Accessibility `json:"access"`
	Sheltered bool          `json:"sheltered,omitempty"`
	MinAge    int           `json:"min_age,omitempty"` // 0: none (sheltered adverts default to the policy's)
	MaxAge    int           `json:"max_age,omitempty"` // 0: none
	// LegalAgreementArea names the S106 / village exception area, or "".
	LegalAgreementArea string          `json:"legal_agreement_area,omitempty"`
	LocalLettings      []LocalLetting  `json:"local_lettings,omitempty"`
	Ordering           Ordering        `json:"ordering"`
	WeeklyRent         decimal.Decimal `json:"weekly_rent"`
	Closes             time.Time       `json:"closes"`
	Withdrawn          bool            `json:"withdrawn,omitempty"`
}

// LocalLetting is one rule of a local lettings policy, as data: the application fact
// named by Fact must satisfy the comparison. Facts are those of the policy vocabulary
// (policy.FactNames) plus "children" (number of dependent children) and "parish"
// (a Legal Agreement Area / parish connection named by Value).
type LocalLetting struct {
	Label string `json:"label"`
	Fact  string `json:"fact"`
	Is    *bool  `json:"is,omitempty"`
	Gte   *int   `json:"gte,omitempty"`
	Lte   *int   `json:"lte,omitempty"`
	Value string `json:"value,omitempty"`
}

// Cycle is one weekly bidding window.
type Cycle struct {
	ID     int64     `json:"id"`
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
	Policy string    `json:"policy"` // id@version the cycle runs under
}

// AdvertsOf returns the adverts of c among all (a register's adverts of every cycle),
// in their order, for shortlist.CloseCycle, which refuses an advert of another cycle.
func (c Cycle) AdvertsOf(all []Advert) []Advert {
	var out []Advert
	for i := range all {
		if all[i].Cycle == c.ID {
			out = append(out, all[i])
		}
	}
	return out
}

// Bid is one application's bid on one advert.
type Bid struct {
	Application int64     `json:"application"`
	Advert      int64     `json:"advert"`
	Placed      time.Time `json:"placed"`
	Autobid     bool      `json:"autobid,omitempty"`
	Withdrawn   time.Time `json:"withdrawn,omitempty"`
	// By is who placed it: the applicant, an officer (assisted bidding) or "autobid".
	By string `json:"by,omitempty"`
}

// Live reports whether the bid has not been withdrawn.
func (b *Bid) Live() bool { return b.Withdrawn.IsZero() }

// Landlord is the council or a housing association whose homes are advertised.
type Landlord struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Council: the council's own stock (no nomination). Otherwise the council nominates.
	Council bool `json:"council,omitempty"`
	// NominationShare is the percentage of the landlord's lets the council nominates to.
	NominationShare int `json:"nomination_share"`
}

// MinAgeFor returns the advert's minimum age, applying the policy's sheltered default.
func (a *Advert) MinAgeFor(shelteredDefault int) int {
	if a.MinAge == 0 && a.Sheltered {
		return shelteredDefault
	}
	return a.MinAge
}
