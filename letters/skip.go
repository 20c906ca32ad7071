package letters

import (
	"fmt"

	"github.com/cbl-lettings/cbl/bidding"
)

// SkipFacts are what a letter needs to say concretely why a bid was not considered: the
// reason code and check (shortlist.Entry's Skip and Check), the home, and the household's
// facts the check read (from the bid's trace). Fields not known stay zero; the reason is
// then said more generally.
type SkipFacts struct {
	Code  string
	Check string // the check or policy rule that failed, e.g. "sheltered_age"
	Home  *bidding.Advert
	// AllowedMin and AllowedMax are the sizes the household may bid for; Age is the main
	// applicant's age; MinAge the home's minimum age (sheltered default included).
	AllowedMin, AllowedMax int
	Age, MinAge            int
	// Area is the Legal Agreement Area of the home; Note an officer's note.
	Note string
}

// SkipReason says in plain words why a bid was skipped, as concretely as the facts
// allow: "This is a 3-bedroom home. Your household can bid for homes with 2 bedrooms."
func SkipReason(s SkipFacts) string {
	a := s.Home
	switch s.Code {
	case "bedroom_mismatch":
		if a != nil && s.AllowedMax > 0 {
			return fmt.Sprintf("This is a %d-bedroom home. Your household can bid for %s.", a.Bedrooms, sizes(s.AllowedMin, s.AllowedMax))
		}
		return "The home does not have the number of bedrooms your household can bid for."
	case "property_type":
		if a != nil && a.Type == "house" {
			return "This is a house. Houses are for households with children under 18 or expecting a baby."
		}
		if a != nil && a.Garden {
			return fmt.Sprintf("This %s has a garden. Flats and maisonettes with gardens are for households with children under 18 or expecting a baby.", a.Type)
		}
		return "This type of home is for households with children under 18 or expecting a baby."
	case "unsuitable_property":
		switch s.Check {
		case "homeowners_sheltered_only":
			return "You own a home, so you can bid only for sheltered housing."
		case "band_e_sheltered_or_laa":
			return "You are in Band E, so you can bid only for sheltered housing or for homes on sites kept for people with a local connection to them."
		}
		return "This home is not suitable for your household under our allocation scheme."
	case "legal_agreement_area":
		if a != nil && a.LegalAgreementArea != "" {
			return fmt.Sprintf("This home is kept for people with a local connection to %s. We do not have a record of your connection to %s.", a.LegalAgreementArea, a.LegalAgreementArea)
		}
		return "This home is kept for people with a local connection to the area. We do not have a record of your connection to it."
	case "age_restriction":
		switch {
		case s.Check == "sheltered_age" && s.MinAge > 0:
			return fmt.Sprintf("This is sheltered housing for people aged %d or over. You are %d, and we have no record that you need sheltered housing.", s.MinAge, s.Age)
		case s.Check == "sheltered_age":
			return "This is sheltered housing for older people, and you are under its minimum age."
		case s.Check == "min_age" && a != nil && a.MinAge > 0:
			return fmt.Sprintf("This home is for people aged %d or over. You are %d.", a.MinAge, s.Age)
		case s.Check == "max_age" && a != nil && a.MaxAge > 0:
			return fmt.Sprintf("This home is for people aged %d or under. You are %d.", a.MaxAge, s.Age)
		}
		return "You are outside the age range this home is for."
	case "mobility_mismatch":
		switch s.Check {
		case "mobility_matrix":
			return "This home is built for wheelchair users, and your assessment does not show that you need one."
		case "ground_floor_or_lift":
			if a != nil {
				return fmt.Sprintf("Your medical assessment says you need a home on the ground floor or with a lift. This home is on floor %d and has no lift.", a.Floor)
			}
			return "Your medical assessment says you need a home on the ground floor or with a lift, and this home is not."
		case "level_access":
			return "Your medical assessment says you need a home with level access, and this home does not have it."
		case "wheelchair_home":
			return "Your medical assessment says you need a home built for a wheelchair user, and this home is not."
		}
		return "This home does not meet your household's mobility needs."
	case "local_lettings_policy":
		var j int
		if _, err := fmt.Sscanf(s.Check, "local_lettings[%d]", &j); err == nil && a != nil && j >= 0 && j < len(a.LocalLettings) && a.LocalLettings[j].Label != "" {
			return fmt.Sprintf("A local lettings plan applies to this home: %s. Your household does not meet it.", phrase(a.LocalLettings[j].Label))
		}
		return "A local lettings plan applies to this home, and your household does not meet it."
	case "not_active":
		return "Your application was not active when bidding closed, so we could not consider bids from it."
	case "no_guarantor":
		return "Applicants under 18 need a guarantor before they can bid. We do not have a guarantor on record for you."
	case "not_qualifying":
		return "Your application did not qualify for the housing register when bidding closed."
	case "under_offer_elsewhere":
		return "You had an offer of another home waiting for your answer, so we moved on to the next person."
	case "undisclosed_change":
		return "Your circumstances had changed and you had not told us, so we could not go ahead."
	case "checks_reveal_issues":
		return "Our checks before making an offer found a problem with your application."
	case "unaffordable":
		return "The rent of this home would not be affordable for your household."
	case "no_rent_in_advance":
		return "The landlord asks for rent in advance, and you could not pay it."
	case "current_home_failed_inspection":
		return "Your current home did not pass the landlord's inspection."
	case "arrears":
		return "You owe rent arrears."
	case "no_contact":
		return "We tried to contact you about this home and could not reach you."
	case "landlord_policy":
		return "The landlord's own lettings policy does not allow them to let this home to your household."
	case "property_withdrawn":
		return "The home was withdrawn and will not be let through this advert."
	case "officer_discretion":
		if s.Note != "" {
			return "An officer decided not to go ahead with your bid. Their reason: " + sentence(s.Note)
		}
		return "An officer decided not to go ahead with your bid."
	}
	return "Your bid did not meet the rules for this home."
}

// Skipped writes the letter about one bid that was not considered.
func Skipped(f Frame, s SkipFacts) string {
	home := "the home you bid for"
	if s.Home != nil {
		home = HomeName(s.Home)
	}
	l := start(f, "Your bid could not be considered")
	l.para(fmt.Sprintf("You bid for %s.", home), "We could not consider your bid.")
	l.heading("Why")
	l.para(SkipReason(s))
	l.para("This does not change your band or your place on the register. You can keep bidding for other homes.")
	l.review(f)
	return l.end()
}
