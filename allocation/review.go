package allocation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

func (e *engine) app(d *Decision) (*register.Application, error) {
	if e.get(d.Application) == nil {
		return nil, e.fail("application", fmt.Sprintf("%d: not in the register", d.Application))
	}
	return e.get(d.Application), nil
}

// requestReview opens a review of a decision taken on d.Of (S9.4). A request
// made more than the policy's review_request_days after the decision is recorded as out
// of time and opens nothing.
func (e *engine) requestReview(d *Decision) error {
	if _, err := e.app(d); err != nil {
		return err
	}
	switch d.Subject {
	case SubjectBand, SubjectEffective:
	case SubjectSkip:
		i, ok := e.advIdx[d.Advert]
		if !ok {
			return e.fail("advert", fmt.Sprintf("%d: not among the cycle's adverts (a skip review names the advert)", d.Advert))
		}
		if _, err := e.entryOf(&e.adverts[i], d.Application); err != nil {
			return err
		}
	case SubjectRefusal:
		a := e.get(d.Application)
		if !slices.ContainsFunc(a.Refusals, func(r register.Refusal) bool { return r.Advert == d.Advert && r.Counted }) {
			return e.fail("advert", fmt.Sprintf("%d: application %d has no counted refusal of it (a refusal review names the advert)", d.Advert, d.Application))
		}
	default:
		return e.fail("subject", fmt.Sprintf("%q: want band, effective_date, skip or refusal", d.Subject))
	}
	if d.Of.IsZero() || d.Of > d.On {
		return e.fail("of", fmt.Sprintf("%q: the reviewed decision's date must be set and not after the request", d.Of))
	}
	r := Review{Application: d.Application, Subject: d.Subject, Of: d.Of, Advert: d.Advert, Requested: d.On, Reason: d.Reason}
	for _, x := range e.res.Reviews {
		if x.Outcome == "" && sameReview(x, r) {
			return e.fail("application", fmt.Sprintf("%d already asked on %s for this review", d.Application, d.On))
		}
	}
	limit := e.p.Upkeep.ReviewRequestDays
	if int(d.On-d.Of) > limit {
		r.Outcome, r.Decided, r.By = OutOfTime, d.On, d.Actor
		e.noteReview(len(e.res.Reviews))
		e.res.Reviews = append(e.res.Reviews, r)
		e.decided("review_out_of_time", d.Application, d.Advert, d.Subject,
			fmt.Sprintf("requested %d days after the decision of %s; the limit is %d", int(d.On-d.Of), d.Of, limit))
		return nil
	}
	e.noteReview(len(e.res.Reviews))
	e.res.Reviews = append(e.res.Reviews, r)
	e.decided("review_requested", d.Application, d.Advert, d.Subject, fmt.Sprintf("of the decision of %s: %s", d.Of, d.Reason))
	return nil
}

// decideReview records the outcome of the application's earliest open review (of
// Subject, if given). A changed outcome changes what the review was about:
//
//   - band: an officer set_band override, and the band history moves;
//   - effective_date: an officer set_effective_date override, and a new band spell with
//     that effective date (banding.Transition);
//   - skip: the skipped candidate is put back on the advert's walk at its rank, if the
//     advert is still open; otherwise the outcome is recorded against the let;
//   - refusal: the refusal no longer counts (S8.4); a closure it caused stands until an
//     officer reinstates the application.
func (e *engine) decideReview(d *Decision) error {
	a, err := e.app(d)
	if err != nil {
		return err
	}
	var r *Review
	for i := range e.res.Reviews {
		x := &e.res.Reviews[i]
		if x.Application == d.Application && x.Outcome == "" && (d.Subject == "" || d.Subject == x.Subject) {
			r = x
			e.noteReview(i)
			break
		}
	}
	if r == nil {
		return e.fail("application", fmt.Sprintf("%d has no open review", d.Application))
	}
	if d.Outcome != Upheld && d.Outcome != Changed {
		return e.fail("outcome", fmt.Sprintf("%q: want upheld or changed", d.Outcome))
	}
	if d.Reason == "" {
		return e.fail("reason", "missing: a review decision needs reasons")
	}
	r.Decided, r.Outcome, r.By, r.Reason = d.On, d.Outcome, d.Actor, d.Reason
	e.decided("review_decided", a.ID, r.Advert, d.Outcome, fmt.Sprintf("%s review of the decision of %s: %s", r.Subject, r.Of, d.Reason))
	if d.Outcome == Upheld {
		return nil
	}
	why := "review: " + d.Reason
	a = e.mut(a.ID)
	switch r.Subject {
	case SubjectBand:
		if d.Band == register.NoBand {
			return e.fail("band", "missing: a changed band review sets the band")
		}
		a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideSetBand, Band: d.Band,
			Reason: why, By: d.Actor, On: d.On})
		return e.transition(a, banding.Change{Band: d.Band, On: d.On, Reason: why, By: d.Actor})
	case SubjectEffective:
		if d.Effective.IsZero() {
			return e.fail("effective", "missing: a changed effective-date review sets the date")
		}
		cur, ok := banding.Current(a.History)
		if !ok {
			return e.fail("application", fmt.Sprintf("%d holds no band", a.ID))
		}
		a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideSetEffective,
			Effective: d.Effective, Reason: why, By: d.Actor, On: d.On})
		return e.transition(a, banding.Change{Band: cur.Band, On: d.On, Reason: why, By: d.Actor, Effective: d.Effective})
	case SubjectRefusal:
		k := slices.IndexFunc(a.Refusals, func(x register.Refusal) bool { return x.Advert == r.Advert && x.Counted })
		if k < 0 {
			return e.fail("advert", fmt.Sprintf("%d: application %d has no counted refusal of it", r.Advert, a.ID))
		}
		a.Refusals = slices.Clone(a.Refusals) // not the caller's array
		a.Refusals[k].Counted = false
		e.decided("refusal_uncounted", a.ID, r.Advert, "", why)
		return nil
	default: // skip
		i := e.advIdx[r.Advert]
		s := &e.adverts[i]
		en, _ := e.entryOf(s, a.ID)
		if en.state != stSkipped {
			return e.fail("application", fmt.Sprintf("%d is not skipped on advert %d", a.ID, s.ad.ID))
		}
		if s.status != AdvertOpen {
			e.decided("skip_overturned", a.ID, s.ad.ID, en.code, fmt.Sprintf("advert already %s; recorded only", s.status))
			return nil
		}
		e.setState(s, en, stOpen)
		if en.nom > 0 {
			en.nom = 0
		}
		for j := range s.entries {
			if &s.entries[j] == en && j < s.lo {
				s.lo = j
			}
		}
		e.decided("skip_overturned", a.ID, s.ad.ID, en.code, fmt.Sprintf("back on the walk at position %d", en.e.Position))
		en.code = ""
		e.dirty = append(e.dirty, i)
		return nil
	}
}

// reassessed records a re-assessment made outside the walk (cbl assess, S2.2, S3.1–S3.4):
// the band moves to d.Band (NoBand: the application no longer qualifies) on d.On. The
// band and its effective date are given, not worked out here: the re-assessment read the
// application's facts as they stood and may have run under another policy than the
// cycle's, and replaying it must give the spell it wrote. The store records one for an
// application the record has changed, whose band history the replay rewrites.
func (e *engine) reassessed(d *Decision) error {
	if _, err := e.app(d); err != nil {
		return err
	}
	if d.Reason == "" {
		return e.fail("reason", "missing: a reassessment says what it ran under")
	}
	if d.Band != register.NoBand && d.Effective.IsZero() {
		return e.fail("effective", "missing: a reassessment that bands the application gives the effective date")
	}
	a := e.mut(d.Application)
	return e.transition(a, banding.Change{Band: d.Band, On: d.On, Reason: d.Reason, By: d.Actor, Effective: d.Effective})
}

// renew records the annual renewal.
func (e *engine) renew(d *Decision) error {
	a, err := e.app(d)
	if err != nil {
		return err
	}
	if a.Status == register.StatusClosed {
		return e.fail("application", fmt.Sprintf("%d is closed (%s)", a.ID, a.StatusReason))
	}
	e.res.Renewals = append(e.res.Renewals, Renewal{Application: a.ID, On: d.On, By: d.Actor})
	e.decided("renewed", a.ID, 0, d.Reason, "")
	return nil
}

// upkeep runs the register's clocks as of d.On (S9.1, S9.2): it closes applications
// whose renewal window has passed without a renewal, and flags for review, once each,
// housing-need applications with no bid for the policy's no_bid_review_months.
func (e *engine) upkeep(d *Decision) error {
	up := &e.p.Upkeep
	if e.lastBid == nil {
		e.lastBid = lastBids(e.in)
	}
	renewed := make(map[int64]register.Date)
	for _, r := range e.res.Renewals {
		renewed[r.Application] = max(renewed[r.Application], r.On)
	}
	for _, id := range e.byID() {
		a := e.get(id)
		if a.Status != register.StatusActive {
			continue
		}
		if due, ok := renewalDue(a.Registered, d.On); ok && d.On >= due.AddDays(up.RenewalWindowDays) &&
			renewed[id] < due.AddDays(-up.RenewalWindowDays) {
			a = e.mut(id)
			a.Status, a.StatusReason, a.StatusUntil = register.StatusClosed, "renewal_lapsed", 0
			e.decided("application_closed", a.ID, 0, "renewal_lapsed",
				fmt.Sprintf("not renewed within %d days of the anniversary %s", up.RenewalWindowDays, due))
			e.touch(a.ID)
			continue
		}
		if up.NoBidReviewMonths > 0 && !e.flagged[a.ID] && needsHousing(a) {
			last := max(e.lastBid[a.ID], a.Registered)
			if last.AddMonths(up.NoBidReviewMonths) <= d.On {
				e.flagged[a.ID] = true
				e.log.flagged = append(e.log.flagged, a.ID)
				e.decided("no_bid_review", a.ID, 0, "no_bid",
					fmt.Sprintf("no bid since %s (%d months)", last, up.NoBidReviewMonths))
			}
		}
	}
	return nil
}

// renewalDue returns the latest registration anniversary on or before asOf.
func renewalDue(registered, asOf register.Date) (register.Date, bool) {
	y0, _, _ := registered.YMD()
	y1, _, _ := asOf.YMD()
	for n := y1 - y0; n >= 1; n-- {
		if d := registered.AddMonths(12 * n); d <= asOf {
			return d, true
		}
	}
	return 0, false
}

// byID returns every application id in ascending order.
func (e *engine) byID() []int64 {
	ids := make([]int64, len(e.in.Applications))
	for i := range e.in.Applications {
		ids[i] = e.in.Applications[i].ID
	}
	slices.Sort(ids)
	return ids
}

// needsHousing: the application holds a housing-need band (A–D; E is the no-need band).
func needsHousing(a *register.Application) bool {
	cur, ok := banding.Current(a.History)
	return ok && cur.Band >= register.BandA && cur.Band <= register.BandD
}

// void records that decision d.Voids of the record was recorded wrongly. The engine
// changes nothing here: the record keeps both, and a replay of it leaves the voided
// decision out (the store rewrites what it kept from the record without it, and refuses
// the void if a later decision depended on it).
func (e *engine) void(d *Decision) error {
	if d.Voids <= 0 {
		return e.fail("voids", "missing: a void names the decision it voids (its number in the record)")
	}
	if strings.TrimSpace(d.Reason) == "" {
		return e.fail("reason", "missing: a void says why the decision was wrong")
	}
	e.decided("decision_voided", 0, 0, d.Reason, fmt.Sprintf("decision %d", d.Voids))
	return nil
}

// override records an officer's set band or effective date (S3.5), which survives
// re-assessment, or ends one (clear_override, Subject band or effective_date): the
// application is then re-assessed under the policy as of the decision's day.
func (e *engine) override(d *Decision) error {
	if _, err := e.app(d); err != nil {
		return err
	}
	if strings.TrimSpace(d.Reason) == "" {
		return e.fail("reason", "missing: an officer's override says why")
	}
	a := e.mut(d.Application)
	switch d.Kind {
	case SetBand:
		if d.Band == register.NoBand {
			return e.fail("band", "missing: a set band names the band")
		}
		a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideSetBand, Band: d.Band,
			Reason: d.Reason, By: d.Actor, On: d.On})
		e.decided("override_set", a.ID, 0, d.Reason, fmt.Sprintf("band %s", d.Band))
		return e.transition(a, banding.Change{Band: d.Band, On: d.On, Reason: "officer: " + d.Reason, By: d.Actor})
	case SetEffective:
		cur, ok := banding.Current(a.History)
		if !ok {
			return e.fail("application", fmt.Sprintf("%d holds no band", a.ID))
		}
		if d.Effective.IsZero() || d.Effective > d.On {
			return e.fail("effective", fmt.Sprintf("%q: want a date not after the decision's", d.Effective))
		}
		a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideSetEffective,
			Effective: d.Effective, Reason: d.Reason, By: d.Actor, On: d.On})
		e.decided("override_set", a.ID, 0, d.Reason, fmt.Sprintf("effective date %s", d.Effective))
		return e.transition(a, banding.Change{Band: cur.Band, On: d.On, Reason: "officer: " + d.Reason, By: d.Actor,
			Effective: d.Effective})
	}
	kind := register.OverrideSetBand
	switch d.Subject {
	case SubjectBand:
	case SubjectEffective:
		kind = register.OverrideSetEffective
	default:
		return e.fail("subject", fmt.Sprintf("%q: want band or effective_date", d.Subject))
	}
	ended := 0
	for i := range a.Overrides {
		if o := &a.Overrides[i]; o.Kind == kind && o.Active(d.On) {
			o.Removed = d.On
			ended++
		}
	}
	if ended == 0 {
		return e.fail("subject", fmt.Sprintf("application %d has no officer's %s in force", a.ID, d.Subject))
	}
	e.decided("override_cleared", a.ID, 0, d.Reason, d.Subject)
	return e.reband(a, d.On, "officer's "+d.Subject+" cleared: "+d.Reason)
}

// setStatus verifies a pending application (it becomes active and is banded), cancels
// one (closed) or reinstates a closed one (active, re-banded).
func (e *engine) setStatus(d *Decision) error {
	a, err := e.app(d)
	if err != nil {
		return err
	}
	if strings.TrimSpace(d.Reason) == "" {
		return e.fail("reason", "missing: a change of status says why")
	}
	switch {
	case d.Status == register.StatusActive && a.Status == register.StatusActive:
		return e.fail("status", fmt.Sprintf("application %d is active already", a.ID))
	case d.Status == register.StatusClosed && a.Status == register.StatusClosed:
		return e.fail("status", fmt.Sprintf("application %d is closed already (%s)", a.ID, a.StatusReason))
	case d.Status != register.StatusActive && d.Status != register.StatusClosed:
		return e.fail("status", fmt.Sprintf("%q: want active (verify, reinstate) or closed (cancel)", d.Status))
	}
	if o, ok := e.openOffer(a.ID); ok && d.Status == register.StatusClosed {
		return e.fail("application", fmt.Sprintf("%d is under offer on advert %d: withdraw the offer first", a.ID, o.Advert))
	}
	was := a.Status
	a = e.mut(a.ID)
	a.Status, a.StatusReason, a.StatusUntil = d.Status, d.Reason, 0
	e.decided("application_"+string(d.Status), a.ID, 0, d.Reason, fmt.Sprintf("was %s", was))
	e.touch(a.ID)
	if d.Status == register.StatusActive {
		return e.reband(a, d.On, "status "+string(d.Status)+": "+d.Reason)
	}
	return nil
}
