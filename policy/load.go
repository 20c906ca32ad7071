package policy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cbl-lettings/cbl/register"
)

// Problem is one thing wrong with a policy file.
type Problem struct {
	File string // file name as given to Parse
	Line int    // 1-based line, when the problem is a JSON syntax or type error; else 0
	Path string // JSON path, e.g. criteria[3].when.fact
	Msg  string
}

// String formats the problem as file[:line]: path: message.
func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, p.Line)
	}
	if p.Path != "" {
		loc += ": " + p.Path
	}
	return loc + ": " + p.Msg
}

// LoadError lists every problem found in a policy file. Nothing from the file is used.
type LoadError struct {
	File     string
	Problems []Problem
}

// Error lists every problem, one a line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("policy %s rejected:\n  %s", e.File, strings.Join(lines, "\n  "))
}

// Parse decodes and checks one policy file. file names it in errors. The returned error,
// if any, is a *LoadError naming every problem.
func Parse(file string, data []byte) (*Policy, error) {
	var p Policy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, &LoadError{File: file, Problems: []Problem{decodeProblem(file, data, err)}}
	}
	if dec.More() {
		return nil, &LoadError{File: file, Problems: []Problem{{File: file, Msg: "more than one JSON value in the file"}}}
	}
	p.File = file
	p.name = p.ID + "@" + strconv.Itoa(p.Version)
	if probs := p.check(); len(probs) > 0 {
		return nil, &LoadError{File: file, Problems: probs}
	}
	return &p, nil
}

func decodeProblem(file string, data []byte, err error) Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return Problem{File: file, Line: lineAt(data, syn.Offset), Msg: syn.Error()}
	case errors.As(err, &typ):
		return Problem{File: file, Line: lineAt(data, typ.Offset), Path: typ.Field,
			Msg: fmt.Sprintf("want %s, got JSON %s", typ.Type, typ.Value)}
	}
	// Unknown fields and text-unmarshal errors (dates, bands) carry no offset.
	return Problem{File: file, Msg: err.Error()}
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// check validates the decoded policy and compiles its predicates.
func (p *Policy) check() []Problem {
	var probs []Problem
	bad := func(at, msg string) { probs = append(probs, Problem{File: p.File, Path: at, Msg: msg}) }

	if p.ID == "" {
		bad("id", "missing")
	}
	if p.Version < 1 {
		bad("version", "must be 1 or more")
	}
	if p.EffectiveFrom.IsZero() {
		bad("effective_from", "missing")
	}
	if !p.EffectiveTo.IsZero() && p.EffectiveTo <= p.EffectiveFrom {
		bad("effective_to", "must be after effective_from")
	}

	// Medical first: its levels are the choices of the medical_level fact.
	m := &p.Medical
	if m.MaxSeverity < 1 || m.MaxImpact < 1 || m.PointsPerUnit < 1 || m.Cap < 1 {
		bad("medical", "max_severity, max_impact, points_per_unit and cap must each be 1 or more")
	}
	if len(m.Levels) == 0 {
		bad("medical.levels", "at least one level is needed")
	}
	levels := []string{"none"}
	for i, l := range m.Levels {
		at := fmt.Sprintf("medical.levels[%d]", i)
		if l.Level == "" || l.Level == "none" || slices.Contains(levels, l.Level) {
			bad(at+".level", fmt.Sprintf("level %q must be named, not \"none\", and unique", l.Level))
		}
		levels = append(levels, l.Level)
		if l.MinPoints < 1 {
			bad(at+".min_points", "must be 1 or more (0 points is level none)")
		}
		if i > 0 && l.MinPoints >= m.Levels[i-1].MinPoints {
			bad(at+".min_points", "levels must be listed most severe first, with falling thresholds")
		}
	}
	enums := map[string][]string{"medical_level": levels}

	q := &p.Qualification
	seen := map[string]bool{}
	for i := range q.Rules {
		r := &q.Rules[i]
		at := fmt.Sprintf("qualification.rules[%d]", i)
		if r.Code == "" || seen[r.Code] {
			bad(at+".code", fmt.Sprintf("code %q must be set and unique", r.Code))
		}
		seen[r.Code] = true
		r.When.compile(at+".when", enums, bad)
	}
	if q.GuarantorBelowAge < 0 {
		bad("qualification.guarantor_below_age", "must not be negative")
	}

	if len(p.Criteria) == 0 {
		bad("criteria", "at least one criterion is needed")
	}
	ids := map[string]bool{}
	used := map[register.Band]bool{}
	for i := range p.Criteria {
		c := &p.Criteria[i]
		at := fmt.Sprintf("criteria[%d]", i)
		if c.ID == "" || ids[c.ID] {
			bad(at+".id", fmt.Sprintf("id %q must be set and unique", c.ID))
		}
		ids[c.ID] = true
		if c.Band == register.NoBand {
			bad(at+".band", "missing")
		}
		used[c.Band] = true
		if c.Label == "" {
			bad(at+".label", "missing: officers and applicants read it")
		}
		c.When.compile(at+".when", enums, bad)
	}
	// A band the policy uses must be reachable, and bands must be contiguous from A: a
	// policy that lists D but no criterion for C has lost a band by mistake.
	for _, b := range register.Bands {
		if used[b] {
			continue
		}
		for _, lower := range register.Bands {
			if lower > b && used[lower] {
				bad("criteria", fmt.Sprintf("band %s has no criteria but band %s has", b, lower))
				break
			}
		}
	}

	e := &p.EffectiveDate
	oneOf := func(at, v string, allowed ...string) {
		if !slices.Contains(allowed, v) {
			bad(at, fmt.Sprintf("%q is not one of %s", v, quoteAll(allowed)))
		}
	}
	oneOf("effective_date.new", e.New, DateRegistration)
	oneOf("effective_date.up", e.Up, DateMove, DateKeep)
	oneOf("effective_date.down", e.Down, DatePreviousInBand, DateMove, DateKeep)
	oneOf("effective_date.down_never_held", e.DownNeverHeld, DateKeep, DateMove)
	oneOf("effective_date.same", e.Same, DateKeep, DateMove)

	b := &p.Bedrooms
	if b.AdultAge < 1 || b.ShareAnySexUnder < 1 || b.SameSexGapYears < 1 || b.SameSexGapElderMinAge < 1 {
		bad("bedrooms", "adult_age, share_any_sex_under, same_sex_gap_years and same_sex_gap_elder_min_age must each be 1 or more")
	}
	if b.PregnancyWeeks < 0 || b.PregnancyWeeks > 42 {
		bad("bedrooms.pregnancy_weeks", "must be 0 to 42")
	}
	if len(b.Allowed) == 0 {
		bad("bedrooms.allowed", "at least one range is needed")
	}
	for i, r := range b.Allowed {
		at := fmt.Sprintf("bedrooms.allowed[%d]", i)
		if r.MinOverNeed > r.MaxOverNeed {
			bad(at, "min_over_need is above max_over_need")
		}
		for j, h := range r.Households {
			if !slices.Contains(vocabulary["household_type"].values, h) {
				bad(fmt.Sprintf("%s.households[%d]", at, j), fmt.Sprintf("%q is not a household type (one of %s)", h, quoteAll(vocabulary["household_type"].values)))
			}
		}
	}
	for _, msg := range b.emptyRanges() {
		bad(msg.at, msg.msg)
	}

	pr := &p.Properties
	if pr.ShelteredMinAge < 0 {
		bad("properties.sheltered_min_age", "must not be negative")
	}
	if len(pr.Types) == 0 {
		bad("properties.types", "at least one property type is needed")
	}
	for i := range pr.Rules {
		r := &pr.Rules[i]
		at := fmt.Sprintf("properties.rules[%d]", i)
		if r.ID == "" || r.Code == "" {
			bad(at, "id and code are required")
		} else if !slices.Contains(SkipCodes, r.Code) {
			bad(at+".code", notSkipCode(r.Code))
		}
		for j, t := range r.Advert.Types {
			if !slices.Contains(pr.Types, t) {
				bad(fmt.Sprintf("%s.advert.types[%d]", at, j), fmt.Sprintf("%q is not in properties.types", t))
			}
		}
		if r.Requires != nil {
			r.Requires.compile(at+".requires", enums, bad)
		}
	}

	for _, access := range slices.Sorted(maps.Keys(pr.Mobility)) {
		at := "properties.mobility." + access
		if !slices.Contains([]string{"general", "level-access", "wheelchair"}, access) {
			bad(at, fmt.Sprintf("%q is not an accessibility category (one of \"general\", \"level-access\", \"wheelchair\")", access))
		}
		for j, need := range pr.Mobility[access] {
			if !slices.Contains(vocabulary["mobility"].values, need) {
				bad(fmt.Sprintf("%s[%d]", at, j), fmt.Sprintf("%q is not a mobility need (one of %s)", need, quoteAll(vocabulary["mobility"].values)))
			}
		}
	}

	c := &p.Cycle
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		bad("cycle.time_zone", fmt.Sprintf("unknown time zone %q", c.TimeZone))
	}
	p.loc = loc
	for _, w := range []struct {
		at string
		c  WeekClock
	}{{"cycle.opens", c.Opens}, {"cycle.closes", c.Closes}} {
		if _, err := parseWeekday(w.c.Weekday); err != nil {
			bad(w.at+".weekday", err.Error())
		}
		if _, err := time.Parse("15:04", w.c.Time); err != nil {
			bad(w.at+".time", fmt.Sprintf("%q: want HH:MM", w.c.Time))
		}
	}

	bd := &p.Bidding
	if bd.MaxLiveBids < 1 {
		bad("bidding.max_live_bids", "must be 1 or more")
	}
	if bd.AutobidCap < 0 {
		bad("bidding.autobid_cap", "must not be negative (0 means no cap)")
	}
	for i, c := range bd.RejectAtPlacing {
		if !slices.Contains(SkipCodes, c) {
			bad(fmt.Sprintf("bidding.reject_at_placing[%d]", i), notSkipCode(c))
		}
	}
	places := map[string]string{}
	for i, a := range bd.AutobidAreas {
		at := fmt.Sprintf("bidding.autobid_areas[%d]", i)
		if a.ID == "" || len(a.Localities) == 0 {
			bad(at, "id and localities are required")
		}
		for _, l := range a.Localities {
			if other, dup := places[l]; dup {
				bad(at, fmt.Sprintf("locality %q is already in area %q", l, other))
			}
			places[l] = a.ID
		}
	}

	switch p.Shortlist.RankAt {
	case "close":
	case "offer":
		bad("shortlist.rank_at", `"offer" (re-rank at offer time) is not supported: shortlists rank on the band as it stood at cycle close (S7.3); valid: "close"`)
	default:
		bad("shortlist.rank_at", fmt.Sprintf(`%q is not a ranking time; valid: "close"`, p.Shortlist.RankAt))
	}

	if p.AdditionalPreference == nil {
		p.AdditionalPreference = DefaultAdditionalPreference()
	}
	prefIDs := map[string]bool{}
	for i := range p.AdditionalPreference {
		ap := &p.AdditionalPreference[i]
		at := fmt.Sprintf("additional_preference[%d]", i)
		if ap.ID == "" || prefIDs[ap.ID] {
			bad(at+".id", fmt.Sprintf("id %q must be set and unique", ap.ID))
		}
		prefIDs[ap.ID] = true
		if ap.Label == "" {
			bad(at+".label", "missing: officers and applicants read it")
		}
		if !slices.Contains(PreferenceEffects, ap.Effect) {
			bad(at+".effect", fmt.Sprintf("%q is not an additional-preference effect (S7.4); valid: %s", ap.Effect, strings.Join(PreferenceEffects, ", ")))
		}
		for j, b := range ap.OnlyBands {
			if b == register.NoBand {
				bad(fmt.Sprintf("%s.only_bands[%d]", at, j), "missing band")
			}
		}
		ap.When.compile(at+".when", enums, bad)
	}

	rf := &p.Refusals
	if rf.CountedLimit < 1 || rf.WindowMonths < 1 || rf.ClosureMonths < 0 {
		bad("refusals", "counted_limit and window_months must be 1 or more; closure_months not negative")
	}
	for i, id := range rf.DischargeCriteria {
		if !slices.ContainsFunc(p.Criteria, func(c Criterion) bool { return c.ID == id }) {
			bad(fmt.Sprintf("refusals.discharge_criteria[%d]", i), fmt.Sprintf("unknown criterion %q", id))
		}
	}
	if rf.FinalOfferDischarges && len(rf.DischargeCriteria) == 0 {
		bad("refusals.discharge_criteria", "final_offer_discharges_duty needs the criteria it withdraws")
	}
	if p.Upkeep.InputsRetentionDays < 0 {
		bad("upkeep.inputs_retention_days", "must not be negative (0 keeps recorded inputs as long as their cycle)")
	}
	if p.Nominations.BatchSize < 1 {
		bad("nominations.batch_size", "must be 1 or more")
	}
	if s := p.Nominations.DefaultShare; s < 0 || s > 100 {
		bad("nominations.default_share_percent", "must be 0 to 100")
	}
	return probs
}

// notSkipCode says code is not a skip reason code and lists the ones there are, so the
// reader of the error need look nothing up.
func notSkipCode(code string) string {
	return fmt.Sprintf("%q is not a skip reason code (S7.5); valid: %s", code, strings.Join(SkipCodes, ", "))
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func parseWeekday(s string) (time.Weekday, error) {
	d, ok := weekdays[strings.ToLower(s)]
	if !ok {
		return 0, fmt.Errorf("%q is not a weekday", s)
	}
	return d, nil
}

// Set holds every version of one or more policies and picks the one in force on a day.
type Set struct {
	byID map[string][]*Policy // sorted by EffectiveFrom
}

// NewSet checks that no two versions of a policy are in force on the same day, or share
// a version number.
func NewSet(ps ...*Policy) (*Set, error) {
	s := &Set{byID: map[string][]*Policy{}}
	for _, p := range ps {
		s.byID[p.ID] = append(s.byID[p.ID], p)
	}
	var errs []string
	for id, vs := range s.byID {
		sort.Slice(vs, func(i, j int) bool { return vs[i].EffectiveFrom < vs[j].EffectiveFrom })
		for i := 1; i < len(vs); i++ {
			prev, cur := vs[i-1], vs[i]
			if prev.Version == cur.Version {
				errs = append(errs, fmt.Sprintf("%s and %s: both are %s version %d", prev.File, cur.File, id, cur.Version))
			}
			if prev.EffectiveTo.IsZero() || prev.EffectiveTo > cur.EffectiveFrom {
				errs = append(errs, fmt.Sprintf("%s and %s: %s versions %d and %d overlap from %s",
					prev.File, cur.File, id, prev.Version, cur.Version, cur.EffectiveFrom))
			}
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("policy set rejected:\n  %s", strings.Join(errs, "\n  "))
	}
	return s, nil
}

// At returns the version of policy id in force on day d.
func (s *Set) At(id string, d register.Date) (*Policy, error) {
	vs, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("no policy %q (have %s)", id, strings.Join(s.IDs(), ", "))
	}
	for _, p := range vs {
		if p.InForce(d) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no version of policy %q is in force on %s", id, d)
}

// AtTime returns the version of policy id in force at t: the version whose Day(t) it
// is in force on. Use it for "the policy in force now", so that the day is the scheme's
// local date and not UTC's.
func (s *Set) AtTime(id string, t time.Time) (*Policy, error) {
	vs, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("no policy %q (have %s)", id, strings.Join(s.IDs(), ", "))
	}
	for _, p := range vs {
		if p.InForce(p.Day(t)) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no version of policy %q is in force at %s", id, t.Format(time.RFC3339))
}

// ByName returns the policy a cycle names: "id@version" exactly, or, with no version,
// the version of id in force on day on (the one definition of resolving a policy name;
// the stores use it for the policy each cycle and decision records).
func (s *Set) ByName(name string, on register.Date) (*Policy, error) {
	id, _, _ := strings.Cut(name, "@")
	p, err := s.At(id, on)
	if err == nil && (p.Name() == name || p.ID == name) {
		return p, nil
	}
	if latest, lerr := s.Latest(id); lerr == nil && (latest.Name() == name || latest.ID == name) {
		return latest, nil
	}
	if err != nil {
		return nil, fmt.Errorf("policy %q: %w", name, err)
	}
	return nil, fmt.Errorf("policy %q: not in the set (on %s %s is in force)", name, on, p.Name())
}

// Latest returns the newest version of policy id.
func (s *Set) Latest(id string) (*Policy, error) {
	vs, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("no policy %q (have %s)", id, strings.Join(s.IDs(), ", "))
	}
	return vs[len(vs)-1], nil
}

// IDs lists the policies in the set, sorted.
func (s *Set) IDs() []string {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// LoadDir parses every *.json file in fsys's dir into a Set, reporting every bad file.
func LoadDir(fsys fs.FS, dir string) (*Set, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var ps []*Policy
	var errs []error
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := Parse(n, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ps = append(ps, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewSet(ps...)
}

//go:embed policies/*.json
var builtin embed.FS

var builtins = sync.OnceValue(func() *Set {
	s, err := LoadDir(builtin, "policies")
	if err != nil {
		panic("cbl: shipped policies are broken: " + err.Error())
	}
	return s
})

// Builtins returns the policies shipped with the library. Callers share the returned
// policies and must not modify them.
func Builtins() *Set { return builtins() }

// Builtin returns the newest version of a shipped policy ("nn-2021", "nn-2025-proposed").
func Builtin(id string) (*Policy, error) { return Builtins().Latest(id) }
