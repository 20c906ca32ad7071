package bidding

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Check identifies one eligibility check (S5.9). CheckNone means every check
// passed. The fixed checks come first; then one Check per policy property rule
// (CheckRule0+i for properties.rules[i]) and one per local lettings rule on the advert
// (CheckLocal0+j for Advert.LocalLettings[j]).
type Check uint16

// The eligibility checks, in the order they are run: the first that fails decides a
// bid's skip reason (S5.9). The numbers are the order: the application's standing, then
// the home's size, then age, then mobility and medical restrictions, then the policy's
// property rules, then the advert's local lettings rules.
const (
	CheckNone           Check = iota
	CheckWithdrawn                      // the advert was withdrawn: property_withdrawn
	CheckStatus                         // the application is not active: not_active
	CheckGuarantor                      // under the guarantor age without a guarantor: no_guarantor
	CheckQualifies                      // the application holds no band: not_qualifying
	CheckBedrooms                       // the advert's size is outside the allowed range: bedroom_mismatch
	CheckShelteredAge                   // under a sheltered advert's minimum age, not sheltered-eligible
	CheckMinAge                         // under the advert's minimum age
	CheckMaxAge                         // over the advert's maximum age
	CheckMobility                       // the policy mobility matrix closes the advert to this need
	CheckGroundFloor                    // medical restriction: ground floor or lift
	CheckLevelAccess                    // medical restriction: level access
	CheckWheelchairHome                 // medical restriction: wheelchair standard
	CheckRule0          Check = 32      // + i: policy properties.rules[i]
	CheckLocal0         Check = 32 + 64 // + j: the advert's local_lettings[j]
)

// MaxPropertyRules is the most property rules a policy may have; each is a bit of a
// profile's rule masks (16 keeps a compact profile in 16 bytes; policies have a handful).
const MaxPropertyRules = 16

// CheckInfo describes a check for errors, entries and traces.
type CheckInfo struct {
	Name   string `json:"check"`
	Code   string `json:"code"`   // reason code (S7.5)
	Clause string `json:"clause"` // the rule's id in docs/scheme.md
	Label  string `json:"label"`
}

var fixedChecks = [...]CheckInfo{
	CheckWithdrawn:      {"advert_withdrawn", "property_withdrawn", "S8.11", "The advert was withdrawn"},
	CheckStatus:         {"status", "not_active", "S1.11", "Only active applications may bid"},
	CheckGuarantor:      {"guarantor", "no_guarantor", "S1.4", "Applicants under the guarantor age need a guarantor before bidding"},
	CheckQualifies:      {"qualification", "not_qualifying", "S1.2", "The application does not qualify for the register"},
	CheckBedrooms:       {"bedrooms", "bedroom_mismatch", "S5.4", "The home's bedrooms must be in the household's allowed range"},
	CheckShelteredAge:   {"sheltered_age", "age_restriction", "S5.6", "Sheltered homes are for applicants of the minimum age or with a sheltered-eligibility flag"},
	CheckMinAge:         {"min_age", "age_restriction", "S5.7", "The applicant is under the advert's minimum age"},
	CheckMaxAge:         {"max_age", "age_restriction", "S5.7", "The applicant is over the advert's maximum age"},
	CheckMobility:       {"mobility_matrix", "mobility_mismatch", "S4.4", "The policy mobility matrix reserves this accessibility category for other needs"},
	CheckGroundFloor:    {"ground_floor_or_lift", "mobility_mismatch", "S4.3", "A medical restriction requires a ground floor or a lift"},
	CheckLevelAccess:    {"level_access", "mobility_mismatch", "S4.3", "A medical restriction requires level access"},
	CheckWheelchairHome: {"wheelchair_home", "mobility_mismatch", "S4.3", "A medical restriction requires a wheelchair-standard home"},
}

// Rules is a policy compiled for bid checks: the property rules as bit positions and
// the policy's placing, autobid and overlay settings. Build one per policy with Compile
// and share it; it is read-only.
type Rules struct {
	Policy *policy.Policy
	// hard[code] reports the reason codes refused at placing.
	hard map[string]bool
	// areaRules has bit i set when properties.rules[i] requires an area connection.
	areaRules uint64
	// mobility[access] is the mask of mobility needs (bit need) allowed on the category.
	mobility     map[Accessibility]uint8
	autobidBands uint8 // bit b set: band b autobids
	// areas[id] is 1 + the index of autobid area id (a close looks one up per application).
	areas map[string]uint16
}

// Compile prepares p for bid checks. It fails if the policy has more than
// MaxPropertyRules property rules, or if p is nil.
func Compile(p *policy.Policy) (*Rules, error) {
	if p == nil {
		return nil, errors.New("bidding: Compile: no policy")
	}
	if n := len(p.Properties.Rules); n > MaxPropertyRules {
		return nil, fmt.Errorf("policy %s: properties.rules: %d rules, at most %d are supported", p.Name(), n, MaxPropertyRules)
	}
	r := &Rules{Policy: p, hard: map[string]bool{}, mobility: map[Accessibility]uint8{}, areas: map[string]uint16{}}
	for i, a := range p.Bidding.AutobidAreas {
		r.areas[a.ID] = uint16(i + 1)
	}
	for _, c := range p.Bidding.RejectAtPlacing {
		r.hard[c] = true
	}
	for i := range p.Properties.Rules {
		if p.Properties.Rules[i].RequiresAreaConnection {
			r.areaRules |= 1 << i
		}
	}
	for access, needs := range p.Properties.Mobility {
		var m uint8
		for _, n := range needs {
			m |= 1 << mobilityNeed(n)
		}
		r.mobility[Accessibility(access)] = m
	}
	for _, b := range p.Bidding.AutobidBands {
		r.autobidBands |= 1 << b
	}
	return r, nil
}

// Info describes check c on advert a (a is needed only for local lettings checks).
func (r *Rules) Info(c Check, a *Advert) CheckInfo {
	switch {
	case c == CheckNone:
		return CheckInfo{}
	case c >= CheckLocal0:
		j := int(c - CheckLocal0)
		label := ""
		if a != nil && j < len(a.LocalLettings) {
			label = a.LocalLettings[j].Label
		}
		return CheckInfo{Name: fmt.Sprintf("local_lettings[%d]", j), Code: "local_lettings_policy", Clause: "S5.8", Label: label}
	case c >= CheckRule0:
		pr := &r.Policy.Properties.Rules[c-CheckRule0]
		return CheckInfo{Name: pr.ID, Code: pr.Code, Clause: pr.Clause, Label: pr.Label}
	case int(c) < len(fixedChecks):
		return fixedChecks[c]
	}
	return CheckInfo{Name: fmt.Sprintf("check_%d", c)}
}

// RejectsAtPlacing reports whether the policy refuses a bid failing c when it is placed
// (bidding.reject_at_placing) rather than skipping it at shortlisting.
func (r *Rules) RejectsAtPlacing(c Check) bool {
	return r.hard[r.Info(c, nil).Code]
}

// Autobids reports whether an application in band b is bid for at close.
func (r *Rules) Autobids(b register.Band) bool { return r.autobidBands&(1<<b) != 0 }

// mobilityNeed maps a mobility need to its bit: 0 none, 1 level access, 2 wheelchair.
func mobilityNeed(m string) uint8 {
	switch register.Mobility(m) {
	case register.MobilityLevelAccess:
		return 1
	case register.MobilityWheelchair:
		return 2
	}
	return 0
}

// matches reports whether the advert selector picks advert a.
func matches(s *policy.AdvertSelector, a *Advert) bool {
	if len(s.Types) > 0 && !slices.Contains(s.Types, a.Type) {
		return false
	}
	if s.Garden != nil && *s.Garden != a.Garden {
		return false
	}
	if s.Sheltered != nil && *s.Sheltered != a.Sheltered {
		return false
	}
	if s.LegalAgreementArea != nil && *s.LegalAgreementArea != (a.LegalAgreementArea != "") {
		return false
	}
	return true
}
