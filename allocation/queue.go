package allocation

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Work-queue item kinds: the clocks nobody chases (S9.7).
const (
	QueueVerification = "verification_overdue" // a new application not answered within the working days
	QueueMedical      = "medical_overdue"      // a medical assessment pending past the policy's days
	QueueReview       = "review_overdue"       // a review not decided within the weeks
	QueueNoOffer      = "no_offer"             // Band A or temporary accommodation with no offer for the weeks
	QueueRenewal      = "renewal_due"          // in the renewal window
	QueueNoBid        = "no_bid_review"        // a housing-need application with no bid for the months
	QueueBandAReview  = "band_a_review"        // a Band A award's review date has come
	QueueClosureEnded = "closure_ended"        // a closure with an until-date (refusals) has run out
)

// Item is one entry of the work queue: a clock that started at Since and fell due at Due.
type Item struct {
	Kind        string        `json:"kind"`
	Application int64         `json:"application"`
	Since       register.Date `json:"since"`
	Due         register.Date `json:"due"`
	// DaysOverdue is the calendar days from Due to the queue's date (0 when due today
	// or, for renewals, still inside the window).
	DaysOverdue int    `json:"days_overdue"`
	Detail      string `json:"detail"`
}

// WorkQueue derives, from the register after res (in's applications as res changed
// them), every clock that is due on asOf,
// ordered by due date, kind and application. Working days come from cal.
func WorkQueue(in *Input, res *Result, asOf register.Date, cal *Calendar) []Item {
	p := in.Policy
	up := &p.Upkeep
	out := []Item{}
	add := func(kind string, app int64, since, due register.Date, detail string) {
		out = append(out, Item{Kind: kind, Application: app, Since: since, Due: due,
			DaysOverdue: max(int(asOf-due), 0), Detail: detail})
	}
	lastOffer := map[int64]register.Date{}
	underOffer := map[int64]bool{}
	for _, o := range res.Offers {
		lastOffer[o.Application] = max(lastOffer[o.Application], o.Made)
		if o.Outcome == OfferOpen {
			underOffer[o.Application] = true
		}
	}
	renewed := map[int64]register.Date{}
	for _, r := range res.Renewals {
		renewed[r.Application] = max(renewed[r.Application], r.On)
	}
	lastBid := lastBids(in)
	changed := make(map[int64]*register.Application, len(res.Applications))
	for i := range res.Applications {
		changed[res.Applications[i].ID] = &res.Applications[i]
	}
	apps := make([]*register.Application, len(in.Applications))
	for i := range in.Applications {
		apps[i] = &in.Applications[i]
		if c, ok := changed[apps[i].ID]; ok {
			apps[i] = c
		}
	}
	slices.SortFunc(apps, func(a, b *register.Application) int { return cmp.Compare(a.ID, b.ID) })
	for _, a := range apps {
		if a.Status == register.StatusPending {
			if due := cal.AddWorkingDays(a.Registered, up.NewApplicationWorkDays); asOf > due {
				add(QueueVerification, a.ID, a.Registered, due,
					fmt.Sprintf("registered %s; not answered within %d working days", a.Registered, up.NewApplicationWorkDays))
			}
		}
		if a.Status == register.StatusClosed {
			if !a.StatusUntil.IsZero() && asOf >= a.StatusUntil {
				add(QueueClosureEnded, a.ID, a.StatusUntil, a.StatusUntil,
					fmt.Sprintf("closed until %s (%s); may reapply or be reopened", a.StatusUntil, a.StatusReason))
			}
			continue
		}
		for _, m := range a.Medical {
			if due := m.Requested.AddDays(p.Medical.PendingDays); m.Pending() && asOf > due {
				add(QueueMedical, a.ID, m.Requested, due,
					fmt.Sprintf("medical assessment %d requested %s, pending over %d days", m.ID, m.Requested, p.Medical.PendingDays))
			}
		}
		if a.Status != register.StatusActive {
			continue
		}
		cur, banded := banding.Current(a.History)
		if up.NoOfferAlertWeeks > 0 && !underOffer[a.ID] {
			var since register.Date
			var why string
			switch {
			case banded && cur.Band == register.BandA:
				since, why = cur.From, "Band A since "+cur.From.String()
			case a.Home.Tenure == register.TenureTemporary:
				since, why = a.Registered, "in temporary accommodation, registered "+a.Registered.String()
			}
			if !since.IsZero() {
				last := lastOffer[a.ID]
				for _, r := range a.Refusals {
					last = max(last, r.On)
				}
				if last > since {
					since, why = last, why+"; last offer "+last.String()
				}
				if due := since.AddDays(7 * up.NoOfferAlertWeeks); asOf >= due {
					add(QueueNoOffer, a.ID, since, due, fmt.Sprintf("%s; no offer for %d weeks", why, up.NoOfferAlertWeeks))
				}
			}
		}
		if up.BandAReviewWeeks > 0 && banded && cur.Band == register.BandA {
			if due := cur.From.AddDays(7 * up.BandAReviewWeeks); asOf >= due {
				add(QueueBandAReview, a.ID, cur.From, due, fmt.Sprintf("Band A awarded %s; review after %d weeks", cur.From, up.BandAReviewWeeks))
			}
		}
		if x, ok := renewalDue(a.Registered, asOf); ok {
			due := x.AddDays(up.RenewalWindowDays)
			if asOf < due && renewed[a.ID] < x.AddDays(-up.RenewalWindowDays) {
				add(QueueRenewal, a.ID, x, due, fmt.Sprintf("anniversary %s; renew by %s or the application closes", x, due))
			}
		}
		if up.NoBidReviewMonths > 0 && needsHousing(a) {
			last := max(lastBid[a.ID], a.Registered)
			if due := last.AddMonths(up.NoBidReviewMonths); asOf >= due {
				add(QueueNoBid, a.ID, last, due, fmt.Sprintf("no bid since %s", last))
			}
		}
	}
	for _, r := range res.Reviews {
		if r.Outcome != "" {
			continue
		}
		if due := r.Requested.AddDays(7 * up.ReviewDecisionWeeks); asOf > due {
			add(QueueReview, r.Application, r.Requested, due,
				fmt.Sprintf("%s review requested %s, not decided within %d weeks", r.Subject, r.Requested, up.ReviewDecisionWeeks))
		}
	}
	slices.SortStableFunc(out, func(x, y Item) int {
		return cmp.Or(cmp.Compare(x.Due, y.Due), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Application, y.Application))
	})
	return out
}

// lastBids returns each application's latest bid date, from the bid history and the
// cycle's shortlists.
func lastBids(in *Input) map[int64]register.Date {
	last := make(map[int64]register.Date)
	note := func(app int64, d register.Date) {
		if d > last[app] {
			last[app] = d
		}
	}
	for _, b := range in.Bids {
		note(b.Application, in.Policy.Day(b.Placed))
	}
	for i := range in.Shortlists {
		for _, l := range [][]shortlist.Entry{in.Shortlists[i].Ranked, in.Shortlists[i].Skipped} {
			for _, en := range l {
				if !en.Placed.IsZero() {
					note(en.Application, in.Policy.Day(en.Placed))
				}
			}
		}
	}
	return last
}
