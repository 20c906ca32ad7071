package bidding

import (
	"fmt"
	"math/bits"
	"strconv"

	"github.com/cbl-lettings/cbl/policy"
)

// Listing is an advert compiled against a policy: which property rules select it, its
// age limits, the mobility needs it admits and its ranking overlays, so that checking a
// bid is a handful of integer operations. Build it with Rules.List.
type Listing struct {
	Advert *Advert
	Rules  *Rules

	ruleMask    uint16 // property rules whose advert selector matches
	areaMask    uint16 // of those, the rules needing a connection to the advert's area
	minAge      uint8
	maxAge      uint8 // 255: none
	sheltered   bool
	upstairs    bool // above the ground floor with no lift
	levelAccess bool // accessibility category other than general
	wheelchair  bool // wheelchair standard
	bedrooms    uint8
	mobility    uint8 // mobility needs admitted, bit per need
	area        uint16
	fcfs        bool
	overlayMob  bool // accessible home: mobility need ranks first
	overlayLAA  bool // Legal Agreement Area home: connected applicants rank first
	local       []localRule
	// quickWant is what a compact profile's flags masked with quickMask equal when the
	// quick path may accept it (an impossible value when the advert has local rules).
	quickWant Flags
	ageSpan   uint8 // maxAge - minAge
}

// quickMask: flags that send a bid to the full check when set (or, for FlagActive, unset).
const quickMask = FlagActive | FlagNeedsGuarantor | flagNoBand | FlagNeedsGroundFloor | FlagNeedsLevelAccess | FlagNeedsWheelchairHome

// List compiles advert a. It fails, naming the advert and field, on a property type the
// policy does not list, an unknown ordering or accessibility, or a malformed local
// lettings rule.
func (r *Rules) List(a *Advert) (*Listing, error) {
	p := r.Policy
	bad := func(field, value, msg string) error {
		return fmt.Errorf("advert %d: %s %q: %s", a.ID, field, value, msg)
	}
	if !containsString(p.Properties.Types, a.Type) {
		return nil, bad("type", a.Type, "not a property type of policy "+p.Name())
	}
	switch a.Ordering {
	case OrderBand, OrderFCFS, "":
	default:
		return nil, bad("ordering", string(a.Ordering), "want band or fcfs")
	}
	switch a.Access {
	case AccessGeneral, AccessLevel, AccessWheelchair, "":
	default:
		return nil, bad("access", string(a.Access), "want general, level-access or wheelchair")
	}
	access := a.Access
	if access == "" {
		access = AccessGeneral
	}
	l := &Listing{
		Advert:      a,
		Rules:       r,
		minAge:      uint8(min(max(a.MinAgeFor(p.Properties.ShelteredMinAge), 0), 255)),
		maxAge:      255,
		sheltered:   a.Sheltered,
		upstairs:    a.Floor > 0 && !a.Lift,
		levelAccess: access != AccessGeneral,
		wheelchair:  access == AccessWheelchair,
		bedrooms:    uint8(min(max(a.Bedrooms, 0), 15)),
		mobility:    0b111,
		area:        r.AreaIndex(a.Locality),
		fcfs:        a.Ordering == OrderFCFS,
		overlayMob:  p.Shortlist.MobilityFirstOnAccessible && access != AccessGeneral,
		overlayLAA:  p.Shortlist.LegalAgreementFirst && a.LegalAgreementArea != "",
	}
	if a.MaxAge > 0 {
		l.maxAge = uint8(min(a.MaxAge, 254))
	}
	if m, ok := r.mobility[access]; ok {
		l.mobility = m
	}
	for i := range p.Properties.Rules {
		if matches(&p.Properties.Rules[i].Advert, a) {
			l.ruleMask |= 1 << i
		}
	}
	l.areaMask = l.ruleMask & uint16(r.areaRules)
	l.quickWant = FlagActive
	if len(a.LocalLettings) > 0 {
		l.quickWant = ^Flags(0)
	}
	if l.maxAge >= l.minAge {
		l.ageSpan = l.maxAge - l.minAge
	} else {
		l.quickWant = ^Flags(0) // no age passes; let the full check say which
	}
	for j, ll := range a.LocalLettings {
		lr, err := compileLocal(ll)
		if err != nil {
			return nil, fmt.Errorf("advert %d: local_lettings[%d]: %w", a.ID, j, err)
		}
		l.local = append(l.local, lr)
	}
	return l, nil
}

// FCFS reports whether the advert is ordered first come, first served.
func (l *Listing) FCFS() bool { return l.fcfs }

// Area is the advert's autobid area (1 + index in the policy's areas; 0 none).
func (l *Listing) Area() uint16 { return l.area }

// Eligible returns the first check (in Check order) that p fails on the advert, or
// CheckNone. It does not look at whether the advert is withdrawn.
func (l *Listing) Eligible(p *Profile) Check {
	c := compactOf(p, nil, 0)
	return l.screen(&c, p)
}

// Overlay reports the advert's overlays for p: whether p ranks in the first group for a
// mobility need on an accessible home, and for a connection to the advert's Legal
// Agreement Area (each false when the overlay is off for this advert).
func (l *Listing) Overlay(p *Profile) (mobilityFirst, areaFirst bool) {
	return l.overlayMob && p.Flags&needsAccess != 0, l.overlayLAA && p.Connected(l.Advert.LegalAgreementArea)
}

// quick reports whether c passes every check by the common path: active, banded, no
// guarantor needed, no medical restriction, the size in range, no property rule failed,
// no area connection needed, the age in range, the mobility need admitted, and no local
// lettings rules. When it reports false, screen decides.
func (l *Listing) quick(c *Compact) bool {
	return c.flags&quickMask == l.quickWant &&
		c.beds&15 <= l.bedrooms && l.bedrooms <= c.beds>>4 &&
		l.ruleMask&^c.rulesOK|l.areaMask&c.rulesApply == 0 &&
		c.age-l.minAge <= l.ageSpan &&
		l.mobility&(1<<c.flags.mobility()) != 0
}

// screen is the bid check on the compact profile c; p is the full profile, read only
// for Legal Agreement Area connections and local lettings facts.
func (l *Listing) screen(c *Compact, p *Profile) Check {
	if l.quick(c) {
		return CheckNone
	}
	const need = FlagActive | FlagNeedsGuarantor
	if c.flags&need != FlagActive {
		if c.flags&FlagActive == 0 {
			return CheckStatus
		}
		return CheckGuarantor
	}
	if c.flags&flagNoBand != 0 {
		return CheckQualifies
	}
	if b := l.bedrooms; b < c.beds&15 || b > c.beds>>4 {
		return CheckBedrooms
	}
	// Age and mobility come before the policy's property rules, as Check numbers them
	// (S5.9): a couple of 40 bidding on a sheltered house is too young for it, which says
	// more than that houses are for families.
	if c.age < l.minAge && !(l.sheltered && c.flags&FlagShelteredEligible != 0) {
		if l.sheltered {
			return CheckShelteredAge
		}
		return CheckMinAge
	}
	if c.age > l.maxAge {
		return CheckMaxAge
	}
	if chk := l.mobilityCheck(c.flags); chk != CheckNone {
		return chk
	}
	fail := l.ruleMask &^ c.rulesOK
	if m := l.areaMask & c.rulesApply; m != 0 && (c.flags&flagLAA == 0 || !p.Connected(l.Advert.LegalAgreementArea)) {
		fail |= m
	}
	if fail != 0 {
		return CheckRule0 + Check(bits.TrailingZeros16(fail))
	}
	for j := range l.local {
		if !l.local[j].holds(c, p) {
			return CheckLocal0 + Check(j)
		}
	}
	return CheckNone
}

func (l *Listing) mobilityCheck(f Flags) Check {
	switch {
	case l.mobility&(1<<f.mobility()) == 0:
		return CheckMobility
	case f&FlagNeedsGroundFloor != 0 && l.upstairs:
		return CheckGroundFloor
	case f&FlagNeedsLevelAccess != 0 && !l.levelAccess:
		return CheckLevelAccess
	case f&FlagNeedsWheelchairHome != 0 && !l.wheelchair:
		return CheckWheelchairHome
	}
	return CheckNone
}

// Outcome is one check's result for one bid.
type Outcome struct {
	Check Check
	Pass  bool
}

// Evaluate runs every check that concerns the advert and the applicant (property rules
// that select the advert and apply to the band), in Check order, and reports each one's
// result. The first failure it reports is always what Eligible returns.
func (l *Listing) Evaluate(p *Profile) []Outcome {
	var out []Outcome
	add := func(c Check, pass bool) { out = append(out, Outcome{c, pass}) }
	c := compactOf(p, nil, 0)
	add(CheckStatus, p.Flags&FlagActive != 0)
	add(CheckGuarantor, p.Flags&FlagNeedsGuarantor == 0)
	add(CheckQualifies, p.Band != 0)
	add(CheckBedrooms, l.bedrooms >= c.beds&15 && l.bedrooms <= c.beds>>4)
	ageOK := p.Age >= l.minAge || (l.sheltered && p.Flags&FlagShelteredEligible != 0)
	switch {
	case l.sheltered:
		add(CheckShelteredAge, ageOK)
	case l.minAge > 0:
		add(CheckMinAge, ageOK)
	}
	if l.maxAge < 255 {
		add(CheckMaxAge, p.Age <= l.maxAge)
	}
	add(CheckMobility, l.mobility&(1<<p.Flags.mobility()) != 0)
	if p.Flags&FlagNeedsGroundFloor != 0 {
		add(CheckGroundFloor, !l.upstairs)
	}
	if p.Flags&FlagNeedsLevelAccess != 0 {
		add(CheckLevelAccess, l.levelAccess)
	}
	if p.Flags&FlagNeedsWheelchairHome != 0 {
		add(CheckWheelchairHome, l.wheelchair)
	}
	connected := p.Connected(l.Advert.LegalAgreementArea)
	for i := range MaxPropertyRules {
		bit := uint16(1) << i
		if l.ruleMask&c.rulesApply&bit == 0 {
			continue // the rule does not select this advert or does not apply to the band
		}
		ok := c.rulesOK&bit != 0 && (l.areaMask&c.rulesApply&bit == 0 || connected)
		add(CheckRule0+Check(i), ok)
	}
	for j := range l.local {
		add(CheckLocal0+Check(j), l.local[j].holds(&c, p))
	}
	return out
}

// localRule is a compiled LocalLetting.
type localRule struct {
	fact     string
	is       *bool
	gte, lte *int
	value    string
}

func compileLocal(ll LocalLetting) (localRule, error) {
	lr := localRule{fact: ll.Fact, is: ll.Is, gte: ll.Gte, lte: ll.Lte, value: ll.Value}
	forms := 0
	for _, set := range []bool{ll.Is != nil, ll.Gte != nil || ll.Lte != nil, ll.Value != ""} {
		if set {
			forms++
		}
	}
	switch {
	case ll.Fact == "parish":
		if ll.Value == "" || forms != 1 {
			return lr, fmt.Errorf("fact \"parish\" needs value (the area) and nothing else")
		}
	case ll.Fact == "children":
		if ll.Gte == nil && ll.Lte == nil || forms != 1 {
			return lr, fmt.Errorf("fact \"children\" is a number: use gte and/or lte")
		}
	case policy.FactDoc(ll.Fact) == "":
		return lr, fmt.Errorf("fact %q: not a policy fact, \"children\" or \"parish\"", ll.Fact)
	case forms != 1:
		return lr, fmt.Errorf("fact %q: use exactly one of is, gte/lte or value", ll.Fact)
	}
	return lr, nil
}

func (lr *localRule) holds(c *Compact, p *Profile) bool {
	var v string
	switch lr.fact {
	case "parish":
		return c.flags&flagLAA != 0 && p.Connected(lr.value)
	case "children":
		n := int(p.Children)
		return (lr.gte == nil || n >= *lr.gte) && (lr.lte == nil || n <= *lr.lte)
	default:
		if p.Facts == nil {
			return false
		}
		v = p.Facts.Value(lr.fact)
	}
	switch {
	case lr.is != nil:
		return (v == "yes") == *lr.is
	case lr.value != "":
		return v == lr.value
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return false
	}
	return (lr.gte == nil || n >= *lr.gte) && (lr.lte == nil || n <= *lr.lte)
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// MobilityOverlay reports whether applicants with a mobility need rank first on the advert.
func (l *Listing) MobilityOverlay() bool { return l.overlayMob }

// AreaOverlay reports whether applicants connected to the advert's Legal Agreement Area
// rank first.
func (l *Listing) AreaOverlay() bool { return l.overlayLAA }
