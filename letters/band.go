package letters

import (
	"fmt"
	"strings"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// Position is an application's place on one advert's shortlist, for the band letter.
type Position struct {
	Advert   int64
	Home     *bidding.Advert       // the advert, when known: the letter names the home
	Position int                   // 0 when skipped
	Of       int                   // ranked bids on the advert
	Skip     string                // reason code when skipped
	Reason   string                // the skip in words (SkipReason), when known
	Ahead    map[register.Band]int // ranked bidders ahead, by band
}

// Band writes the letter about an application's assessment e (banding.Explain under
// f.Policy): the band and why, the band date, the bedrooms, any additional preference
// and what would change the band; or, for an application that does not qualify, why.
// spell is the band-history spell that holds the band date; pos, if not nil, is the place
// on one advert's shortlist.
func Band(f Frame, e banding.Explanation, spell register.BandSpell, pos *Position) string {
	if !e.Qualifies {
		return notQualifying(f, e)
	}
	l := start(f, "Your band on the housing register")
	l.para(fmt.Sprintf("You are in Band %s.", e.Band),
		"There are five bands. Band A is for the most urgent housing need and Band E for the least.")
	var why []string
	for _, c := range e.Criteria {
		// Only the criteria of the band held decide it: a lower band's criterion (say,
		// "no housing need" beside a Band B need) would only confuse.
		if c.Applies && c.Band == e.Band {
			item := sentence(c.Label)
			if c.Override != "" {
				item += " An officer decided this."
			}
			why = append(why, item)
		}
	}
	switch {
	case e.BandOverride != "":
		l.para(fmt.Sprintf("An officer placed you in Band %s. Their reason: %s", e.Band, sentence(overrideReason(e.BandOverride))))
	case len(why) > 0:
		l.list(fmt.Sprintf("You are in Band %s because:", e.Band), why)
	}
	for _, p := range e.Preferences {
		if !p.Applies {
			continue
		}
		switch p.Effect {
		case "top_of_band":
			l.para(fmt.Sprintf("You also have extra priority, which the law gives to this group: %s.", phrase(p.Label)),
				fmt.Sprintf("This puts you ahead of everyone in Band %s who does not have it.", e.Band))
		case "one_band_up":
			l.para(fmt.Sprintf("You also have extra priority, which the law gives to this group: %s.", phrase(p.Label)),
				"When we rank bids, we treat you as if you were one band higher.")
		}
	}
	if !spell.Effective.IsZero() {
		l.para(fmt.Sprintf("Your band date is %s.", LongDate(spell.Effective)),
			"When two households in the same band bid for the same home, the one with the earlier band date comes first.")
	}
	if e.Medical.Assessment != 0 {
		l.para(fmt.Sprintf("Our medical assessment on %s gave you %s.", LongDate(e.Medical.Assessed), plural(e.Medical.Points, "point", "points")),
			medicalLevel(e.Medical.Level))
	}
	bd := e.Bedrooms
	need := fmt.Sprintf("Your household needs %s.", plural(bd.Need, "bedroom", "bedrooms"))
	if bd.ExtraForMedical > 0 {
		need = fmt.Sprintf("Your household needs %s, including %s for medical reasons.",
			plural(bd.Need, "bedroom", "bedrooms"), plural(bd.ExtraForMedical, "extra bedroom", "extra bedrooms"))
	}
	l.para(need, fmt.Sprintf("You can bid for %s.", sizes(bd.AllowedMin, bd.AllowedMax)))
	if pos != nil {
		l.heading("Your bid")
		l.para(positionText(pos)...)
	}
	if higher := higherCriteria(e); len(higher) > 0 {
		l.heading("What could change your band")
		l.list("Please tell us if any of these becomes true for your household:", higher)
	}
	l.review(f)
	return l.end()
}

func notQualifying(f Frame, e banding.Explanation) string {
	l := start(f, "Your application to join the housing register")
	noNeed := ""
	if f.Policy != nil {
		noNeed = f.Policy.Qualification.NoNeedCode
	}
	var why []string
	for _, r := range e.Qualification {
		if !r.Applies {
			continue
		}
		if r.ID == noNeed {
			why = append(why, "Your household does not have a housing need that our allocation scheme recognises.")
			continue
		}
		why = append(why, sentence(r.Label))
	}
	l.para("You cannot join the housing register at the moment.")
	l.list("This is because:", why)
	l.para("If your circumstances change, please tell us and we will look at your application again.")
	l.review(f)
	return l.end()
}

// medicalLevel says what a medical level means in a sentence.
func medicalLevel(level string) string {
	switch level {
	case "none", "":
		return "This does not give your household a medical need for rehousing."
	case "urgent":
		return "We count this as an urgent medical need."
	}
	return fmt.Sprintf("We count this as a %s medical need.", level)
}

// positionText describes a bid's place on a shortlist.
func positionText(pos *Position) []string {
	home := fmt.Sprintf("the home with property reference %d", pos.Advert)
	if pos.Home != nil {
		home = HomeName(pos.Home)
	}
	if pos.Skip != "" {
		reason := pos.Reason
		if reason == "" {
			reason = SkipReason(SkipFacts{Code: pos.Skip})
		}
		return []string{fmt.Sprintf("We could not consider your bid for %s.", home), reason}
	}
	out := []string{fmt.Sprintf("You bid for %s.", home),
		fmt.Sprintf("When bidding closed, you were %s of %s we could consider.", ordinal(pos.Position), plural(pos.Of, "bid", "bids"))}
	var ahead []string
	for _, b := range register.Bands {
		if n := pos.Ahead[b]; n > 0 {
			ahead = append(ahead, fmt.Sprintf("%d in Band %s", n, b))
		}
	}
	if len(ahead) > 0 {
		out = append(out, fmt.Sprintf("Ahead of you were %s.", andList(ahead)))
	}
	return out
}

// higherCriteria lists the labels of more urgent bands' criteria the household does not meet.
func higherCriteria(e banding.Explanation) []string {
	var out []string
	for _, c := range e.Criteria {
		if !c.Applies && c.Band.Higher(e.Band) {
			out = append(out, fmt.Sprintf("%s (Band %s).", strings.TrimSuffix(c.Label, "."), c.Band))
		}
	}
	return out
}

// overrideReason is the officer's reason from an override note "set by X on D: reason".
func overrideReason(note string) string {
	if _, reason, ok := strings.Cut(note, ": "); ok {
		return reason
	}
	return note
}
