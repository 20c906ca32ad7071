package letters

import (
	"fmt"
	"strings"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// OfferFacts describe an offer of a home (S8.1).
type OfferFacts struct {
	Home     *bidding.Advert
	Landlord string        // the landlord's name, for a housing association's home
	Made     register.Date // the day the offer was made
	ReplyBy  register.Date // the last day to answer; zero: as soon as possible
	// Final: a final offer under a homeless duty (refusing a suitable one ends the duty,
	// S8.6).
	Final bool
	// Counted are the days of the counted refusals already on the application within
	// the policy's window (S8.4).
	Counted []register.Date
}

// Offer writes the offer letter: the home, how to answer, and what refusing would do.
func Offer(f Frame, o OfferFacts) string {
	l := start(f, "We are offering you a home")
	who := "We are"
	if o.Landlord != "" {
		who = o.Landlord + " is"
	}
	l.para(fmt.Sprintf("%s offering you %s.", who, HomeName(o.Home)),
		fmt.Sprintf("The offer was made on %s.", LongDate(o.Made)))
	if o.Home != nil && o.Home.WeeklyRent.IsPositive() {
		l.para(fmt.Sprintf("The rent is £%s a week.", o.Home.WeeklyRent.StringFixed(2)))
	}
	if o.ReplyBy.IsZero() {
		l.para("Please tell us as soon as you can whether you accept the offer. We will arrange for you to view the home.")
	} else {
		l.para(fmt.Sprintf("Please tell us by %s whether you accept the offer.", LongDate(o.ReplyBy)),
			"We will arrange for you to view the home.")
	}
	l.heading("If you do not accept")
	l.para(refusalWarning(f, o.Counted, o.Made)...)
	if o.Final {
		l.para("This is a final offer under our homelessness duty to you.",
			"If you refuse it and we decide it is suitable for you, our homelessness duty to you will end.",
			"You would then lose the priority that the duty gives you on the register.")
	}
	return l.end()
}

// refusalWarning says what a refusal of a suitable offer would mean now (S8.4, S8.5).
func refusalWarning(f Frame, counted []register.Date, on register.Date) []string {
	limit, months, closure := 2, 12, 12
	noReply := true
	if p := f.Policy; p != nil {
		limit, months, closure = p.Refusals.CountedLimit, p.Refusals.WindowMonths, p.Refusals.ClosureMonths
		noReply = p.Refusals.NoReplyCounts || p.Refusals.NoViewingCounts
	}
	out := []string{"You can refuse an offer.",
		"If you do, we decide whether the home was reasonable and suitable for you. If it was, the refusal counts against your application."}
	if noReply {
		out = append(out, "Not answering, or not coming to a viewing, is treated as a refusal.")
	}
	left := limit - len(counted)
	switch {
	case left <= 1:
		out = append(out, fmt.Sprintf("You already have %s that %s in the last %s.",
			plural(len(counted), "refusal", "refusals"), pluralVerb(len(counted)), plural(months, "month", "months")),
			fmt.Sprintf("One more would close your application for %s.", plural(closure, "month", "months")))
	default:
		out = append(out, fmt.Sprintf("If %s refusals count within %s, we close your application for %s.",
			numberWord(limit), plural(months, "month", "months"), plural(closure, "month", "months")))
	}
	return out
}

// pluralVerb is "counts" for one, "count" for several.
func pluralVerb(n int) string {
	if n == 1 {
		return "counts"
	}
	return "count"
}

// numberWord writes small numbers as words, as letters do.
func numberWord(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprint(n)
}

// WithdrawnFacts describe an offer withdrawn (S8.11).
type WithdrawnFacts struct {
	Home *bidding.Advert
	Made register.Date // the day of the offer
	On   register.Date // the day it was withdrawn
	Code string        // the reason code
	Note string        // the officer's note
}

// OfferWithdrawn writes the letter withdrawing an offer.
func OfferWithdrawn(f Frame, w WithdrawnFacts) string {
	l := start(f, "We have withdrawn our offer")
	l.para(fmt.Sprintf("On %s we offered you %s.", LongDate(w.Made), HomeName(w.Home)),
		fmt.Sprintf("We withdrew that offer on %s.", LongDate(w.On)))
	l.heading("Why")
	l.para(SkipReason(SkipFacts{Code: w.Code, Home: w.Home, Note: w.Note}))
	l.para("This is not a refusal and does not count against your application.",
		"Your band and band date stay the same, and you can keep bidding for other homes.")
	l.review(f)
	return l.end()
}

// RefusalFacts describe a refusal an officer judged to count (S8.4).
type RefusalFacts struct {
	Home *bidding.Advert
	On   register.Date
	Kind register.RefusalKind
	// Counted are the days of every counted refusal within the window, this one
	// included, oldest first.
	Counted []register.Date
}

// RefusalCounted writes the letter telling an applicant a refusal counts, and what
// another one would do.
func RefusalCounted(f Frame, r RefusalFacts) string {
	limit, months, closure := 2, 12, 12
	if p := f.Policy; p != nil {
		limit, months, closure = p.Refusals.CountedLimit, p.Refusals.WindowMonths, p.Refusals.ClosureMonths
	}
	l := start(f, "Your refusal of an offer counts")
	what := "you refused our offer of " + HomeName(r.Home)
	switch r.Kind {
	case register.RefusedNoReply:
		what = "you did not answer our offer of " + HomeName(r.Home)
	case register.RefusedNoView:
		what = "you did not come to the viewing of " + HomeName(r.Home)
	}
	l.para(sentence(fmt.Sprintf("On %s %s", LongDate(r.On), what)),
		"We have looked at the offer again and decided that the home was reasonable and suitable for your household.",
		"So the refusal counts against your application.")
	n := len(r.Counted)
	l.para(fmt.Sprintf("You now have %s that %s in the last %s.", plural(n, "refusal", "refusals"), pluralVerb(n), plural(months, "month", "months")))
	if n < limit && n > 0 {
		// The window runs from the oldest counted refusal still in it.
		until := r.Counted[0].AddMonths(months)
		more := limit - n
		l.heading("What happens if you refuse again")
		l.para(fmt.Sprintf("If you refuse %s before %s, and we decide %s suitable too, we will close your application for %s.",
			moreOffers(more), LongDate(until), itThey(more), plural(closure, "month", "months")),
			"You would not be able to bid during that time.")
	}
	l.review(f)
	return l.end()
}

func moreOffers(n int) string {
	if n == 1 {
		return "another offer"
	}
	return numberWord(n) + " more offers"
}

func itThey(n int) string {
	if n == 1 {
		return "that home was"
	}
	return "those homes were"
}

// ClosureFacts describe an application closed for refusals (S8.4).
type ClosureFacts struct {
	On    register.Date
	Until register.Date
	// Refused are the homes whose refusals counted, with the days, oldest first.
	Refused []RefusedHome
}

// RefusedHome is one counted refusal.
type RefusedHome struct {
	Home *bidding.Advert
	On   register.Date
}

// Closure writes the letter closing an application after counted refusals.
func Closure(f Frame, c ClosureFacts) string {
	months := 12
	if f.Policy != nil {
		months = f.Policy.Refusals.WindowMonths
	}
	l := start(f, "We have closed your application")
	l.para(fmt.Sprintf("We closed your housing register application on %s.", LongDate(c.On)),
		fmt.Sprintf("This is because you refused %s within %s, and we decided each home was reasonable and suitable for you.",
			plural(len(c.Refused), "suitable offer", "suitable offers"), plural(months, "month", "months")))
	var items []string
	for _, r := range c.Refused {
		items = append(items, fmt.Sprintf("%s, refused on %s.", capital(HomeName(r.Home)), LongDate(r.On)))
	}
	if len(items) > 0 {
		l.list("The offers were:", items)
	}
	l.heading("What this means")
	if !c.Until.IsZero() {
		l.para("While your application is closed you cannot bid for homes.",
			fmt.Sprintf("You can apply to join the register again from %s.", LongDate(c.Until)))
	} else {
		l.para("While your application is closed you cannot bid for homes.")
	}
	l.para("If your circumstances have changed a lot, for example you have become homeless, please contact us straight away.")
	l.review(f)
	return l.end()
}

// DischargeFacts describe the end of a homelessness duty after a refused final offer (S8.6).
type DischargeFacts struct {
	Home *bidding.Advert
	On   register.Date // the day of the refusal
	// Withdrawn are the labels of the criteria that no longer apply.
	Withdrawn []string
	// Before and After are the bands before and after; After is NoBand when the
	// application no longer qualifies.
	Before, After register.Band
}

// DutyDischarge writes the letter telling a homeless applicant the duty has ended.
func DutyDischarge(f Frame, d DischargeFacts) string {
	l := start(f, "Our homelessness duty to you has ended")
	l.para(fmt.Sprintf("On %s you refused %s.", LongDate(d.On), HomeName(d.Home)),
		"This was a final offer under our homelessness duty to you, and we have decided that the home was suitable for your household.",
		"This means our homelessness duty to you has now ended. The law calls this discharging the duty.")
	if len(d.Withdrawn) > 0 {
		var items []string
		for _, w := range d.Withdrawn {
			items = append(items, sentence(w))
		}
		l.list("Because of this, these reasons for your band no longer apply:", items)
	}
	switch {
	case d.After == d.Before:
		l.para(fmt.Sprintf("You stay in Band %s because of the other reasons for it.", d.After))
	case d.After == register.NoBand:
		l.para(fmt.Sprintf("You were in Band %s.", d.Before),
			"Without the homelessness duty, your household no longer has a housing need that our scheme recognises, so you cannot stay on the register.")
	default:
		l.para(fmt.Sprintf("You were in Band %s. You are now in Band %s.", d.Before, d.After))
	}
	l.para("If you are at risk of losing your home, please contact us straight away.")
	l.review(f)
	return l.end()
}

// ReviewFacts describe a review of a decision (S9.4).
type ReviewFacts struct {
	Subject   string        // "band", "effective_date" or "skip"
	Of        register.Date // the day of the decision reviewed
	Requested register.Date
	Decided   register.Date
	Outcome   string // "upheld", "changed" or "out_of_time"
	Reason    string // the reviewing officer's reason
	Home      *bidding.Advert
	// Band and Effective are the band and band date after the review.
	Band      register.Band
	Effective register.Date
}

// ReviewOutcome writes the outcome of a review.
func ReviewOutcome(f Frame, r ReviewFacts) string {
	what := "our decision"
	switch r.Subject {
	case "band":
		what = "our decision about your band"
	case "effective_date":
		what = "our decision about your band date"
	case "skip":
		what = "our decision not to consider your bid"
		if r.Home != nil {
			what += " for " + HomeName(r.Home)
		}
	}
	l := start(f, "The outcome of your review")
	l.para(fmt.Sprintf("On %s you asked us to review %s.", LongDate(r.Requested), strings.Replace(what, "our decision", "our decision of "+LongDate(r.Of), 1)))
	switch r.Outcome {
	case "out_of_time":
		days := reviewDays(f.Policy)
		l.para(fmt.Sprintf("You need to ask for a review within %s of a decision.", plural(days, "day", "days")),
			fmt.Sprintf("Your request reached us after that, so we could not review the decision of %s.", LongDate(r.Of)),
			"If something has changed since then, please tell us and we will look at your application again.")
		return l.end()
	case "changed":
		l.para(fmt.Sprintf("An officer who was not involved in the first decision reviewed it on %s.", LongDate(r.Decided)),
			"They have changed the decision.")
		switch r.Subject {
		case "band":
			if r.Band != register.NoBand {
				l.para(fmt.Sprintf("You are now in Band %s.", r.Band))
			}
		case "effective_date":
			if !r.Effective.IsZero() {
				l.para(fmt.Sprintf("Your band date is now %s.", LongDate(r.Effective)))
			}
		case "skip":
			l.para("We will now consider your bid as if it had not been set aside.")
		}
	default:
		l.para(fmt.Sprintf("An officer who was not involved in the first decision reviewed it on %s.", LongDate(r.Decided)),
			"They have decided that the decision was right, so it stays the same.")
	}
	if r.Reason != "" {
		l.para("Their reason: " + sentence(r.Reason))
	}
	l.para("This is our final decision.",
		"If you think we did not follow our allocation scheme properly, you can complain to the Local Government and Social Care Ombudsman.")
	return l.end()
}
