package bidding

import (
	"errors"
	"fmt"
)

// Sentinel errors for the conditions a caller branches on when a bid is refused
// (S6.1, S6.2). Place wraps none of them; compare with errors.Is.
var (
	// ErrCycleClosed: the bid or withdrawal falls outside the cycle's open window.
	ErrCycleClosed = errors.New("cycle is not open for bidding")
	// ErrBidLimit: the application already holds the policy's maximum of live bids.
	ErrBidLimit = errors.New("live bid limit reached for this cycle")
	// ErrDuplicateBid: the application already holds a live bid on the advert.
	ErrDuplicateBid = errors.New("already bid on this advert")
	// ErrWrongCycle: the advert belongs to another cycle.
	ErrWrongCycle = errors.New("advert belongs to another cycle")
	// ErrUnknownAdvert: the advert is not in the cycle's book.
	ErrUnknownAdvert = errors.New("advert not in this cycle")
	// ErrAdvertWithdrawn: the advert was withdrawn and takes no bids.
	ErrAdvertWithdrawn = errors.New("advert withdrawn")
	// ErrNotActive: the application's status is not active.
	ErrNotActive = errors.New("application is not active")
	// ErrNoGuarantor: the applicant is under the policy's guarantor age and has none.
	ErrNoGuarantor = errors.New("applicant under the guarantor age has no guarantor")
	// ErrNoBid: there is no live bid to withdraw or to position.
	ErrNoBid = errors.New("no live bid")
	// ErrIneligible is what every *IneligibleError unwraps to.
	ErrIneligible = errors.New("not eligible for this advert")
)

// IneligibleError refuses a bid that fails an eligibility check the policy rejects at
// placing (policy bidding.reject_at_placing). Check names the rule, Code is the
// reason code (S7.5) and Clause the id of the rule in docs/scheme.md.
type IneligibleError struct {
	Application int64
	Advert      int64
	Check       string
	Code        string
	Clause      string
}

// Error names the application, advert, check code and clause.
func (e *IneligibleError) Error() string {
	return fmt.Sprintf("application %d, advert %d: %s (check %s, %s)", e.Application, e.Advert, e.Code, e.Check, e.Clause)
}

// Unwrap returns ErrIneligible.
// Unwrap returns ErrIneligible, so errors.Is(err, ErrIneligible) holds.
func (e *IneligibleError) Unwrap() error { return ErrIneligible }
