// Package letters writes the letters an applicant receives about each decision on their
// application, in plain English: their band (or why they do not qualify), a bid that
// could not be considered, an offer, an offer withdrawn, a refusal that counts, a closure,
// the end of a homelessness duty and the outcome of a review. Input is the engine's own
// data; output is text.
//
// The letters follow a few rules so that anyone can read them: short sentences; dates
// written out ("2 December 2026"); numbers with the right plural ("1 bedroom",
// "2 bedrooms"); no reason codes, rule ids, policy names or other internal labels; and,
// wherever the decision can be reviewed (S9.4), the right to ask for a review within the
// policy's days, with the last date to ask.
package letters

import (
	"fmt"
	"strings"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Frame is what every letter carries: the day it is written, the application it is
// about, and the policy whose rules it explains (review window, refusal limits).
type Frame struct {
	Date        register.Date
	Application int64
	Policy      *policy.Policy
}

// letter builds one letter: a heading, paragraphs and the review right.
type letter struct {
	b strings.Builder
}

// start writes the date, the application number, the title and the greeting.
func start(f Frame, title string) *letter {
	l := &letter{}
	l.b.WriteString(LongDate(f.Date) + "\n")
	fmt.Fprintf(&l.b, "Housing register application %d\n\n", f.Application)
	l.b.WriteString(title + "\n\n")
	l.b.WriteString("Dear applicant,\n")
	return l
}

// para writes one paragraph of sentences.
func (l *letter) para(sentences ...string) {
	l.b.WriteString("\n" + strings.Join(sentences, " ") + "\n")
}

// list writes a line introducing a list, then one item a line.
func (l *letter) list(intro string, items []string) {
	l.b.WriteString("\n" + intro + "\n")
	for _, it := range items {
		l.b.WriteString("  - " + it + "\n")
	}
}

// heading writes a short heading before a paragraph.
func (l *letter) heading(h string) { l.b.WriteString("\n" + h + "\n") }

// review writes the right to ask for a review within the policy's days (S9.4).
func (l *letter) review(f Frame) {
	days := reviewDays(f.Policy)
	l.heading("If you disagree")
	l.para("You can ask us to review this decision.",
		fmt.Sprintf("Please ask within %s of the date of this letter, that is by %s.", plural(days, "day", "days"), LongDate(f.Date.AddDays(days))),
		"Tell us why you think the decision is wrong and send anything that supports what you say.",
		"A different officer will look at the decision again.")
}

// end signs the letter off.
func (l *letter) end() string {
	l.b.WriteString("\nYours sincerely,\n\nHousing Register Team\n")
	return l.b.String()
}

func reviewDays(p *policy.Policy) int {
	if p != nil && p.Upkeep.ReviewRequestDays > 0 {
		return p.Upkeep.ReviewRequestDays
	}
	return 21
}

// LongDate writes d the way UK letters do: "2 December 2026".
func LongDate(d register.Date) string {
	y, m, day := d.YMD()
	return fmt.Sprintf("%d %s %d", day, m, y)
}

// plural writes n with the singular or plural noun: "1 bedroom", "3 bedrooms".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ordinal writes 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// sizes says which sizes of home a household may bid for: "homes with 2 bedrooms",
// "homes with 1 or 2 bedrooms", "homes with 2 to 4 bedrooms".
func sizes(lo, hi int) string {
	switch {
	case lo == hi:
		return "homes with " + plural(lo, "bedroom", "bedrooms")
	case hi == lo+1:
		return fmt.Sprintf("homes with %d or %d bedrooms", lo, hi)
	}
	return fmt.Sprintf("homes with %d to %d bedrooms", lo, hi)
}

// andList joins items as "a", "a and b", "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// HomeName describes an advertised home for a letter: "the 2-bedroom flat in Corby
// (property reference 7001)"; nil is "the home we offered you".
func HomeName(a *bidding.Advert) string {
	if a == nil {
		return "the home we offered you"
	}
	kind := a.Type
	if kind == "" {
		kind = "home"
	}
	if a.Sheltered {
		kind = "sheltered " + kind
	}
	size := fmt.Sprintf("%d-bedroom ", a.Bedrooms)
	if a.Type == "bedsit" {
		size = ""
	}
	where := ""
	if a.Locality != "" {
		where = " in " + a.Locality
	}
	return fmt.Sprintf("the %s%s%s (property reference %d)", size, kind, where, a.ID)
}

// sentence makes s start with a capital letter and end with a full stop.
func sentence(s string) string {
	s = capital(strings.TrimSpace(s))
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// capital makes s start with a capital letter.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// phrase makes a label continue a sentence: no capital at the start, no full stop.
func phrase(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
