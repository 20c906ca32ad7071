// Package letters writes plain-English explanations an applicant can understand: their
// band and why, their band effective date, their place on a shortlist and what would
// change it. Input is the engine's own explanation data; output is text.
package letters

import (
	"fmt"
	"strings"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

// Position is an application's place on one advert's shortlist.
type Position struct {
	Advert   int64
	Position int                   // 0 when skipped
	Of       int                   // ranked bids on the advert
	Skip     string                // reason code when skipped
	Ahead    map[register.Band]int // ranked bidders ahead, by band
}

// Band writes the letter for an assessment e (from banding.Explain) and the band spell
// that holds its effective date. pos is optional.
func Band(e banding.Explanation, spell register.BandSpell, pos *Position) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Application %d — your housing register assessment on %s\n\n", e.Application, e.AsOf)
	if !e.Qualifies {
		w("You do not currently qualify to join the housing register, because:\n")
		for _, r := range e.Qualification {
			if r.Applies {
				w("  - %s (scheme %s).\n", strings.TrimSuffix(r.Label, "."), r.Clause)
			}
		}
		w("\nIf your circumstances change, tell us and we will look at your application again.\n")
		w("You can ask for a review of this decision within 21 days.\n")
		return b.String()
	}
	w("You are in Band %s.", e.Band)
	if e.BandOverride != "" {
		w(" An officer set this band (%s).", e.BandOverride)
	}
	w(" This is because:\n")
	for _, c := range e.Criteria {
		if c.Applies {
			w("  - %s (Band %s, scheme %s)", c.Label, c.Band, c.Clause)
			if c.Override != "" {
				w(" — %s", c.Override)
			}
			w(".\n")
		}
	}
	if e.Medical.Assessment != 0 {
		w("\nYour medical assessment of %s scored %d points (", e.Medical.Assessed, e.Medical.Points)
		for i, t := range e.Medical.Terms {
			if i > 0 {
				w(" + ")
			}
			w("%s: %d×%d×%d", t.Condition, t.Severity, t.Impact, t.PerUnit)
		}
		w("), which is a %s medical need.\n", e.Medical.Level)
	}
	w("\nYour household needs %d bedroom(s); you may bid for homes with %d", e.Bedrooms.Need, e.Bedrooms.AllowedMin)
	if e.Bedrooms.AllowedMax != e.Bedrooms.AllowedMin {
		w(" to %d", e.Bedrooms.AllowedMax)
	}
	w(" bedroom(s).\n")
	if !spell.Effective.IsZero() {
		w("\nYour band effective date is %s. Within a band, households with the oldest date come first.\n", spell.Effective)
	}
	if pos != nil {
		w("\n")
		switch {
		case pos.Skip != "":
			w("Your bid on property %d was not considered: %s.\n", pos.Advert, strings.ReplaceAll(pos.Skip, "_", " "))
		default:
			w("On property %d you are number %d of %d eligible bids.", pos.Advert, pos.Position, pos.Of)
			var ahead []string
			for _, band := range register.Bands {
				if n := pos.Ahead[band]; n > 0 {
					ahead = append(ahead, fmt.Sprintf("%d in Band %s", n, band))
				}
			}
			if len(ahead) > 0 {
				w(" Ahead of you: %s.", strings.Join(ahead, ", "))
			}
			w("\n")
		}
	}
	if higher := higherCriteria(e); len(higher) > 0 {
		w("\nWhat would change your band: tell us if any of these becomes true —\n")
		for _, c := range higher {
			w("  - %s (Band %s).\n", c.Label, c.Band)
		}
	}
	w("\nYou can ask for a review of any decision about your application within 21 days.\n")
	return b.String()
}

// higherCriteria lists criteria of more urgent bands than e's that the household does not meet.
func higherCriteria(e banding.Explanation) []banding.RuleTest {
	var out []banding.RuleTest
	for _, c := range e.Criteria {
		if !c.Applies && c.Band.Higher(e.Band) {
			out = append(out, c)
		}
	}
	return out
}
