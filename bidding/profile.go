package bidding

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Flags are an application's yes/no facts as bits, so a bid check is a mask test.
type Flags uint16

// Profile flags.
const (
	FlagActive              Flags = 1 << iota // status active
	FlagQualifies                             // qualifies for the register
	FlagNeedsGuarantor                        // under the guarantor age with no guarantor
	FlagDependentChildren                     // a member under 18 or a confirmed pregnancy
	FlagHomeowner                             // an applicant owns a home
	FlagShelteredEligible                     // eligible for sheltered housing
	FlagMobilityLevel                         // mobility need: level access
	FlagMobilityWheelchair                    // mobility need: wheelchair
	FlagNeedsGroundFloor                      // medical restriction: ground floor or lift
	FlagNeedsLevelAccess                      // medical restriction: level access
	FlagNeedsWheelchairHome                   // medical restriction: wheelchair standard
	FlagPreferenceTop                         // additional preference: top of the band (S7.4)
	FlagPreferenceUp                          // additional preference: one band up (S7.4)
)

// Profile is what bidding, autobid and the shortlist need to know about one application,
// computed once per cycle as things stand at close (S7.3: ranking uses the band as
// it stood at cycle close). Build it with Rules.Profile, or set the fields and call
// Rules.Complete.
type Profile struct {
	ID         int64
	Band       register.Band // band held at close; NoBand if none
	Effective  register.Date // band effective date at close
	Registered register.Date
	Flags      Flags
	Age        uint8 // main applicant's age at close, capped at 255
	Children   uint8 // members under the adult age, for local lettings rules
	BedMin     uint8 // allowed advert sizes, inclusive
	BedMax     uint8
	// Area is the autobid area, as 1 + its index in the policy's bidding.autobid_areas;
	// 0 for none.
	Area uint16
	// RulesApply has bit i set when properties.rules[i] applies to this band; RulesOK
	// when the rule's predicate holds or the rule does not apply.
	RulesApply, RulesOK uint64
	// LegalAgreementAreas the household is connected to.
	LegalAgreementAreas []string
	// Facts are the policy facts at close (local lettings rules and traces read them).
	Facts *policy.Facts
}

// Active reports whether the application's status is active.
func (p *Profile) Active() bool { return p.Flags&FlagActive != 0 }

// Connected reports whether the household is connected to Legal Agreement Area area.
func (p *Profile) Connected(area string) bool {
	return area != "" && slices.Contains(p.LegalAgreementAreas, area)
}

// mobility returns the need bit index: 0 none, 1 level access, 2 wheelchair.
func (f Flags) mobility() uint8 {
	switch {
	case f&FlagMobilityWheelchair != 0:
		return 2
	case f&FlagMobilityLevel != 0:
		return 1
	}
	return 0
}

// Profile builds application a's profile from its assessment as at close (banding.Assess
// under r's policy with asOf the closing date). The band and effective date are those of the band-history
// spell held at close; with no history, the assessment's band from the registration date.
func (r *Rules) Profile(a *register.Application, as *banding.Assessment, close register.Date) Profile {
	f := as.Facts
	p := Profile{
		ID:                  a.ID,
		Registered:          a.Registered,
		Band:                as.Band,
		Effective:           a.Registered,
		Age:                 uint8(min(max(f.Age, 0), 255)),
		BedMin:              uint8(min(max(as.Bedrooms.AllowedMin, 0), 255)),
		BedMax:              uint8(min(max(as.Bedrooms.AllowedMax, 0), 255)),
		LegalAgreementAreas: a.Connection.LegalAgreementAreas,
		Facts:               &f,
	}
	if s, ok := spellAt(a.History, close); ok {
		p.Band, p.Effective = s.Band, s.Effective
	} else if len(a.History) > 0 {
		p.Band = register.NoBand // a history with no band held at close
	}
	set := func(flag Flags, on bool) {
		if on {
			p.Flags |= flag
		}
	}
	set(FlagActive, a.Status == register.StatusActive)
	set(FlagQualifies, as.Qualifies)
	set(FlagNeedsGuarantor, f.Age < r.Policy.Qualification.GuarantorBelowAge && !f.Guarantor)
	set(FlagDependentChildren, f.DependentChildren)
	set(FlagHomeowner, f.Homeowner)
	set(FlagShelteredEligible, f.ShelteredEligible)
	set(FlagMobilityLevel, f.Mobility == string(register.MobilityLevelAccess))
	set(FlagMobilityWheelchair, f.Mobility == string(register.MobilityWheelchair))
	rs := as.Medical.Restrictions
	set(FlagNeedsGroundFloor, rs.GroundFloorOrLift)
	set(FlagNeedsLevelAccess, rs.LevelAccess)
	set(FlagNeedsWheelchairHome, rs.Wheelchair)
	if !as.Qualifies {
		p.Band = register.NoBand
	}
	// Additional preference follows the band held at close, which is what ranks.
	if pr, ok := as.PreferenceIn(p.Band); ok {
		set(FlagPreferenceTop, pr.Effect == policy.PreferenceTopOfBand)
		set(FlagPreferenceUp, pr.Effect == policy.PreferenceOneBandUp)
	}
	for _, m := range a.Members[1:] {
		if close.YearsSince(m.Born) < r.Policy.Bedrooms.AdultAge && p.Children < 255 {
			p.Children++
		}
	}
	p.Area = r.areaIndex(as.AutobidArea, a.Area) // banding.Assess found the locality's area
	r.Complete(&p)
	return p
}

// AreaIndex returns 1 + the index of the autobid area of locality (policy
// bidding.autobid_areas); a value that is itself an area id maps to that area; 0 if none.
func (r *Rules) AreaIndex(locality string) uint16 {
	return r.areaIndex(r.Policy.Bidding.AreaOf(locality), locality)
}

// areaIndex is AreaIndex(locality) given id, the autobid area of locality ("" if none).
func (r *Rules) areaIndex(id, locality string) uint16 {
	if id == "" {
		id = locality
	}
	return r.areas[id]
}

// Complete sets p's property-rule masks from its band and facts: a rule applies when
// its only_bands include the band; it is OK when it does not apply, or its predicate
// holds (a rule with neither predicate nor area connection is never OK where it applies).
func (r *Rules) Complete(p *Profile) {
	p.RulesApply, p.RulesOK = 0, 0
	for i := range r.Policy.Properties.Rules {
		pr := &r.Policy.Properties.Rules[i]
		bit := uint64(1) << i
		if !pr.AppliesTo(p.Band) {
			p.RulesOK |= bit
			continue
		}
		p.RulesApply |= bit
		switch {
		case pr.Requires != nil:
			if p.Facts != nil && pr.Requires.Eval(p.Facts) {
				p.RulesOK |= bit
			}
		case pr.RequiresAreaConnection:
			p.RulesOK |= bit // the connection is checked per advert
		}
	}
}

// spellAt returns the band-history spell held on day d.
func spellAt(hist []register.BandSpell, d register.Date) (register.BandSpell, bool) {
	for i := len(hist) - 1; i >= 0; i-- {
		s := hist[i]
		if s.From <= d && (s.To.IsZero() || d < s.To) {
			return s, s.Band != register.NoBand
		}
	}
	return register.BandSpell{}, false
}

// MaxProfiles is the most profiles an Index holds.
const MaxProfiles = 1 << 27

// Index is a cycle's profiles sorted by application id, so a profile's position orders
// the same way as its id. Bids refer to profiles by position. Treat an Index as
// read-only once built: it keeps a compact copy of every profile for screening bids.
type Index struct {
	Rules    *Rules
	Profiles []Profile

	compact []Compact
	layout  layout
	// byID[id-firstID] is 1 + the position of profile id, when ids are dense enough for
	// the table to be at most 16 times the profiles (4 bytes an id, against hundreds a
	// profile): registers number applications in sequence, and a close ranks about one
	// in four of a national register's. A close looks up every bid's application, and
	// binary search over the profiles misses the cache at every step (0.3 s of a
	// national close).
	byID    []uint32
	firstID int64
}

// NewIndex sorts profiles by id (in place), checks the ids are unique and builds the
// compact copies and key layout.
func NewIndex(r *Rules, profiles []Profile) (*Index, error) {
	if len(profiles) > MaxProfiles {
		return nil, fmt.Errorf("%d profiles: at most %d are supported", len(profiles), MaxProfiles)
	}
	slices.SortFunc(profiles, func(a, b Profile) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(profiles); i++ {
		if profiles[i-1].ID == profiles[i].ID {
			return nil, fmt.Errorf("application %d: two profiles", profiles[i].ID)
		}
	}
	lay, ok := newLayout(profiles)
	if !ok {
		return nil, fmt.Errorf("effective and registration dates span %s to beyond what a ranking key holds", lay.minDate)
	}
	ix := &Index{Rules: r, Profiles: profiles, compact: make([]Compact, len(profiles)), layout: lay}
	for i := range profiles {
		ix.compact[i] = compactOf(&profiles[i], &lay, uint32(i))
	}
	if n := len(profiles); n > 0 {
		first, last := profiles[0].ID, profiles[n-1].ID
		if span := uint64(last - first); span < 16*uint64(n) {
			ix.firstID, ix.byID = first, make([]uint32, span+1)
			for i := range profiles {
				ix.byID[profiles[i].ID-first] = uint32(i + 1)
			}
		}
	}
	return ix, nil
}

// Assess builds the index of apps as at close: banding.Assess each application under the
// rules' policy on the closing date, then Rules.Profile. The applications are shared out
// over GOMAXPROCS goroutines; the result does not depend on how. The first application
// that cannot be assessed (in input order) is the error.
func Assess(r *Rules, apps []register.Application, close register.Date) (*Index, error) {
	if r == nil || r.Policy == nil {
		return nil, errors.New("bidding: Assess: no rules (compile a policy with Compile)")
	}
	ps := make([]Profile, len(apps))
	errs := make([]error, len(apps))
	inParallel(len(apps), func(i int) {
		as, err := banding.Assess(&apps[i], r.Policy, close)
		if err != nil {
			errs[i] = err
			return
		}
		ps[i] = r.Profile(&apps[i], &as, close)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return NewIndex(r, ps)
}

// inParallel calls f(i) for every i below n, in chunks shared out over GOMAXPROCS
// goroutines.
func inParallel(n int, f func(i int)) {
	const chunk = 4096
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					f(i)
				}
			}
		})
	}
	wg.Wait()
}

// Find returns the position of application id's profile.
func (ix *Index) Find(id int64) (uint32, bool) {
	if off := uint64(id - ix.firstID); ix.byID != nil && id >= ix.firstID && off < uint64(len(ix.byID)) && ix.byID[off] != 0 {
		return ix.byID[off] - 1, true
	}
	i, ok := slices.BinarySearchFunc(ix.Profiles, id, func(p Profile, id int64) int { return cmp.Compare(p.ID, id) })
	return uint32(i), ok
}
