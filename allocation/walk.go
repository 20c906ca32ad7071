package allocation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// checkCode validates a skip reason code; officer_discretion needs a reason.
func (e *engine) checkCode(d *Decision) error {
	if !slices.Contains(shortlist.Codes, d.Code) {
		return e.fail("code", fmt.Sprintf("%q is not a skip reason code (S7.5); valid: %s", d.Code, strings.Join(shortlist.Codes, ", ")))
	}
	if d.Code == shortlist.OfficerDiscretion && d.Reason == "" {
		return e.fail("reason", "officer_discretion needs a note")
	}
	return nil
}

// verify records the verification of the advert's next candidate (or, for a skip, of a
// verified candidate whose checks failed later).
func (e *engine) verify(d *Decision) error {
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	en, err := e.entryOf(s, d.Application)
	if err != nil {
		return err
	}
	next := e.next(s)
	switch {
	case en == next:
	case d.Kind == VerifySkip && (en.state == stVerified || en.state == stNominated):
	default:
		want := "none"
		if next != nil {
			want = fmt.Sprint(next.e.Application)
		}
		return e.fail("application", fmt.Sprintf("%d is not the next candidate to verify on advert %d (next: %s)",
			d.Application, s.ad.ID, want))
	}
	if d.Kind == VerifyPass {
		e.setState(s, en, stVerified)
		e.decided("verified", d.Application, s.ad.ID, d.Reason, fmt.Sprintf("position %d", en.e.Position))
		return nil
	}
	if err := e.checkCode(d); err != nil {
		return err
	}
	e.skip(s, en, d.Code, d.Actor, d.Reason, d.On)
	return nil
}

// offer makes an offer to the verified candidate of a council advert.
func (e *engine) offer(d *Decision) error {
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	if !s.council {
		return e.fail("advert", fmt.Sprintf("%d is a housing association's: the landlord offers (landlord_accept)", s.ad.ID))
	}
	en, err := e.entryOf(s, d.Application)
	if err != nil {
		return err
	}
	if en.state != stVerified {
		return e.fail("application", fmt.Sprintf("%d has not passed verification on advert %d", d.Application, s.ad.ID))
	}
	e.open(s, en, false)
	return nil
}

// open records an offer to en and puts the application under offer.
func (e *engine) open(s *advertState, en *entry, landlord bool) {
	d := e.d
	en.offer = len(e.res.Offers)
	e.noteOffer(en.offer)
	e.res.Offers = append(e.res.Offers, Offer{Advert: s.ad.ID, Application: en.e.Application,
		Position: en.e.Position, Made: d.On, Landlord: landlord})
	e.offerAt[en.k] = int32(en.offer) + 1
	s.offers++
	e.setState(s, en, stOffered)
	e.decided("offered", en.e.Application, s.ad.ID, d.Reason, fmt.Sprintf("position %d", en.e.Position))
	e.touch(en.e.Application)
}

// offered returns the open offer to the decision's application on its advert.
func (e *engine) offered(d *Decision) (*advertState, *entry, error) {
	s, err := e.advertOf(d)
	if err != nil {
		return nil, nil, err
	}
	en, err := e.entryOf(s, d.Application)
	if err != nil {
		return nil, nil, err
	}
	if en.state != stOffered {
		return nil, nil, e.fail("application", fmt.Sprintf("%d has no open offer on advert %d", d.Application, s.ad.ID))
	}
	return s, en, nil
}

// resolve closes en's open offer and releases the application.
func (e *engine) resolve(en *entry, outcome string) *Offer {
	o := &e.res.Offers[en.offer]
	e.noteOffer(en.offer)
	o.Resolved, o.Outcome = e.d.On, outcome
	e.offerAt[en.k] = 0
	e.touch(en.e.Application)
	return o
}

func (e *engine) accept(d *Decision) error {
	s, en, err := e.offered(d)
	if err != nil {
		return err
	}
	o := e.resolve(en, OfferAccepted)
	e.setState(s, en, stLet)
	s.status = AdvertLet
	route := RouteShortlist
	if o.Landlord {
		route = RouteNomination
	}
	e.decided("accepted", d.Application, s.ad.ID, d.Reason, "")
	let := e.letRecord(s, d.Application, route)
	let.Band, let.Effective, let.Position = en.e.Band, en.e.Effective, en.e.Position
	let.Offered = o.Made
	let.DaysEffectiveToOffer = int(o.Made - en.e.Effective)
	let.OffersBeforeAcceptance = s.offers - 1
	e.res.Lets = append(e.res.Lets, let)
	e.housed(d.Application, s.ad.ID)
	e.closeNominations(s)
	return nil
}

// closeNominations marks the nominees still awaiting the landlord once the advert is let.
func (e *engine) closeNominations(s *advertState) {
	for _, en := range s.entries {
		if en.state == stNominated {
			e.noteNom(en.nom - 1)
			n := &e.res.Nominations[en.nom-1]
			n.Outcome, n.Decided = "advert_let", e.d.On
		}
	}
}

// housed closes an application that has been let a home.
func (e *engine) housed(app, advert int64) {
	e.adverts[e.advIdx[advert]].tenant = app
	a := e.mut(app)
	a.Status, a.StatusReason, a.StatusUntil = register.StatusClosed, fmt.Sprintf("rehoused: advert %d", advert), 0
	e.decided("let", app, advert, e.d.Reason, fmt.Sprintf("%s by %s", e.d.On, e.d.Actor))
	e.decided("application_closed", app, advert, "rehoused", "")
	e.touch(app)
}

func (e *engine) refuse(d *Decision) error {
	switch d.Refusal {
	case register.RefusedOffer, register.RefusedNoReply, register.RefusedNoView:
	default:
		return e.fail("refusal", fmt.Sprintf("%q: want refused, no_reply or no_viewing", d.Refusal))
	}
	s, en, err := e.offered(d)
	if err != nil {
		return err
	}
	counts := d.Counted
	rf := &e.p.Refusals
	why := "officer judged the offer reasonable and suitable"
	switch {
	case !d.Counted:
		why = "officer judged the offer not reasonable or not suitable"
	case d.Refusal == register.RefusedNoReply && !rf.NoReplyCounts:
		counts, why = false, "policy: no reply does not count as a refusal"
	case d.Refusal == register.RefusedNoView && !rf.NoViewingCounts:
		counts, why = false, "policy: not attending a viewing does not count as a refusal"
	}
	o := e.resolve(en, string(d.Refusal))
	o.Counted = counts
	e.setState(s, en, stRefused)
	a := e.mut(d.Application)
	a.Refusals = append(a.Refusals, register.Refusal{Advert: s.ad.ID, On: d.On, Kind: d.Refusal,
		Counted: counts, Final: d.Final, By: d.Actor})
	detail := "not counted: " + why
	if counts {
		detail = "counted: " + why
	}
	if d.Final {
		detail += "; final offer"
	}
	e.decided(string(d.Refusal), d.Application, s.ad.ID, d.Reason, detail)
	return e.sanctions(a, d.Final && counts)
}

// withdraw withdraws the open offer to the decision's application (skipping it with
// Code), or with code property_withdrawn the whole advert.
func (e *engine) withdraw(d *Decision) error {
	if err := e.checkCode(d); err != nil {
		return err
	}
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	if d.Application != 0 {
		_, en, err := e.offered(d)
		if err != nil {
			return err
		}
		e.resolve(en, OfferWithdrawn)
		e.decided("offer_withdrawn", d.Application, s.ad.ID, d.Code, d.Reason)
		e.skip(s, en, d.Code, d.Actor, d.Reason, d.On)
	} else if d.Code != shortlist.PropertyWithdrawn {
		return e.fail("application", "missing: only property_withdrawn withdraws an advert without an offer")
	}
	if d.Code == shortlist.PropertyWithdrawn {
		if s.live > 0 {
			for i := range s.entries {
				if en := &s.entries[i]; en.state == stOffered {
					return e.fail("advert", fmt.Sprintf("%d has an open offer to %d: withdraw it first", s.ad.ID, en.e.Application))
				}
			}
		}
		s.status = AdvertWithdrawn
		e.decided("advert_withdrawn", 0, s.ad.ID, d.Code, d.Reason)
	}
	return nil
}

// directLet lets the advert outside the shortlist (S8.9).
func (e *engine) directLet(d *Decision) error {
	switch d.Category {
	case AdaptedProperty, Decant, ManagementMove, HomelessDutyDischarge:
	default:
		return e.fail("category", fmt.Sprintf("%q: want adapted_property, decant, management_move or homeless_duty_discharge", d.Category))
	}
	if d.Authoriser == "" {
		return e.fail("authoriser", "missing: a direct let needs an authoriser")
	}
	if d.Reason == "" {
		return e.fail("reason", "missing: a direct let needs a reason")
	}
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	a := e.get(d.Application)
	if a == nil {
		return e.fail("application", fmt.Sprintf("%d: not in the register", d.Application))
	}
	if a.Status == register.StatusClosed {
		return e.fail("application", fmt.Sprintf("%d is closed (%s)", d.Application, a.StatusReason))
	}
	if o, ok := e.openOffer(d.Application); ok {
		return e.fail("application", fmt.Sprintf("%d is under offer on advert %d", d.Application, o.Advert))
	}
	for i := range s.entries {
		if en := &s.entries[i]; en.state == stOffered {
			return e.fail("advert", fmt.Sprintf("%d has an open offer to %d", s.ad.ID, en.e.Application))
		}
	}
	s.status = AdvertLet
	e.decided("direct_let", d.Application, s.ad.ID, d.Category,
		fmt.Sprintf("authorised by %s: %s", d.Authoriser, d.Reason))
	let := e.letRecord(s, d.Application, RouteDirect)
	let.Category, let.Authoriser, let.Reason = d.Category, d.Authoriser, d.Reason
	let.Offered = d.On
	if cur, ok := banding.Current(a.History); ok {
		let.Band, let.Effective = cur.Band, cur.Effective
	}
	for _, en := range s.entries {
		if en.e.Application == d.Application {
			let.Band, let.Effective, let.Position = en.e.Band, en.e.Effective, en.e.Position
		}
	}
	if !let.Effective.IsZero() {
		let.DaysEffectiveToOffer = int(d.On - let.Effective)
	}
	let.OffersBeforeAcceptance = s.offers
	e.res.Lets = append(e.res.Lets, let)
	e.housed(d.Application, s.ad.ID)
	e.closeNominations(s)
	return nil
}

// letRecord counts the bids and skips on s for the let record.
func (e *engine) letRecord(s *advertState, app int64, route string) Let {
	let := Let{Advert: s.ad.ID, Landlord: s.ad.Landlord, Application: app, On: e.d.On, Route: route,
		BidsReceived: len(s.sl.Ranked) + len(s.sl.Skipped), EligibleBids: len(s.sl.Ranked)}
	counts := map[string]int{}
	for _, en := range s.sl.Skipped {
		counts[en.Skip]++
	}
	for _, en := range s.entries {
		if en.state == stSkipped {
			counts[en.code]++
		}
	}
	let.Skips = []SkipCount{}
	for _, code := range shortlist.Codes {
		if n := counts[code]; n > 0 {
			let.Skips = append(let.Skips, SkipCount{Code: code, Count: n})
		}
	}
	return let
}
