package snapshot

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/shopspring/decimal"
)

// origin records the file line each value of a snapshot was read from, so validation
// can name it. A Snapshot built in memory has no origin; errors then name the row by key.
type origin struct {
	apps        []int
	members     [][]int
	assessments [][]int
	conditions  [][][]int
	history     [][]int
	overrides   [][]int
	refusals    [][]int
	landlords   []int
	cycles      []int
	adverts     []int
	lettings    [][]int
	bids        []int

	bases         []int
	baseHistory   [][]int
	baseOverrides [][]int
	baseRefusals  [][]int
}

func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func at2(s [][]int, i, j int) int {
	if i < len(s) {
		return at(s[i], j)
	}
	return 0
}

// bounds are the ranges dates and times must fall in (register.UpTo): from 1900 to a
// day after now for what has happened (a registration, a birth, an assessment, a band
// spell, a refusal), to five years after now for what may be planned (a suspension's
// end, a due date, a cycle, an advert's or a bid's time, an override's dates).
type bounds struct {
	happened, planned register.TimeRange
}

func newBounds(now time.Time) bounds {
	return bounds{register.UpTo(now, register.DateSkew), register.UpTo(now, register.PlanAhead)}
}

// now is the clock validation measures "after now" by.
var now = time.Now

// happened checks a date that has happened.
func (l loc) happened(col string, d register.Date) { l.date(col, d, l.e.bounds.happened) }

// planned checks a date that may lie ahead.
func (l loc) planned(col string, d register.Date) { l.date(col, d, l.e.bounds.planned) }

func (l loc) date(col string, d register.Date, r register.TimeRange) {
	if err := r.CheckDate(d); err != nil { // checked first: errors.As's target escapes
		var re *register.RangeError
		if errors.As(err, &re) {
			l.bad(col, d, re.Want())
		}
	}
}

// plannedTime checks a time that may lie ahead.
func (l loc) plannedTime(col string, t time.Time) {
	if t.IsZero() {
		return
	}
	if err := l.e.bounds.planned.CheckTime(t); err != nil {
		var re *register.RangeError
		if errors.As(err, &re) {
			l.bad(col, formatTime(t), re.Want())
		}
	}
}

// loc names one row for an error.
type loc struct {
	file string
	line int
	key  string
	e    *errs
}

func (l loc) bad(col string, value any, reason string) {
	l.e.add(RowError{File: l.file, Line: l.line, Key: l.key, Column: col, Value: fmt.Sprint(value), Reason: reason})
}

// The database's limits (internal/store/migrations), checked here so that a snapshot
// that passes is never refused by the database with a driver error naming no file, line
// or value.
const (
	// MaxText is the most characters any text value may have. PostgreSQL would take far
	// more; the bound keeps a stray unclosed quote (which swallows the rest of a file
	// into one cell) or a pasted document from being loaded as a name or reason.
	MaxText = 1000
	// MaxID is the most characters of a text id (a landlord's): it is a primary key, and
	// an index entry must fit in a third of a page.
	MaxID = 100
)

var (
	maxDebt = decimal.New(1, 10) // debt_amount is numeric(12,2): below 10^10
	maxRent = decimal.New(1, 8)  // weekly_rent is numeric(10,2): below 10^8
)

// text checks a text value: UTF-8, no NUL byte, at most max characters.
func (l loc) text(col, s string, max int) {
	if problem := textProblem(s); problem != "" {
		l.bad(col, s, problem)
		return
	}
	// A rune is at least one byte: only a string longer than max bytes can have more
	// than max characters, and counting them is the dear part.
	if len(s) > max {
		if n := utf8.RuneCountInString(s); n > max {
			l.bad(col, s, fmt.Sprintf("%d characters: want at most %d", n, max))
		}
	}
}

// int32 checks a whole number fits the database's integer.
func (l loc) int32(col string, v int) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		l.bad(col, v, fmt.Sprintf("out of range: want a whole number from %d to %d", math.MinInt32, math.MaxInt32))
	}
}

// amount checks money is below limit (the database column's precision).
func (l loc) amount(col string, d, limit decimal.Decimal, column string) {
	if d.GreaterThanOrEqual(limit) {
		l.bad(col, d.StringFixed(2), "too large: want at most "+limit.Sub(decimal.New(1, -2)).StringFixed(2)+" (the database's "+column+")")
	}
}

// Validate checks a snapshot built in memory (by a generator, say) with the rules Read
// applies to files: enum values, required values, sane dates, unique ids and references
// between tables. It returns a *ValidationError listing every problem, or nil.
func Validate(s *Snapshot) error {
	e := &errs{}
	validate(s, &origin{}, e)
	return e.err()
}

func validate(s *Snapshot, o *origin, e *errs) {
	e.bounds = newBounds(now())
	apps := map[int64]int{}
	// The first row of each assessment id: in file order when read from a file (the
	// loop below walks assessments by application, not by line), else in that walk's.
	type first struct {
		line, app, n int
		key          string
	}
	assessments := map[int64]first{}
	for i := range s.Applications {
		for j, m := range s.Applications[i].Medical {
			line := at2(o.assessments, i, j)
			if f, ok := assessments[m.ID]; !ok || (line > 0 && line < f.line) {
				assessments[m.ID] = first{line, i, j, fmt.Sprintf("application %d assessment %d", s.Applications[i].ID, j+1)}
			}
		}
	}
	for i := range s.Applications {
		a := &s.Applications[i]
		l := loc{FileApplications, at(o.apps, i), "application " + strconv.FormatInt(a.ID, 10), e}
		if first, dup := apps[a.ID]; dup {
			l.bad("id", a.ID, "duplicate application id (first at "+where(FileApplications, at(o.apps, first))+")")
		} else {
			apps[a.ID] = i
		}
		validateApplication(a, l)
		key := func(what string, j int) string { return fmt.Sprintf("%s %s %d", l.key, what, j+1) }
		if len(a.Members) == 0 {
			// Often a knock-on of members.csv rows that did not read: listed after them.
			l.e.addLater(RowError{File: l.file, Line: l.line, Key: l.key, Column: "id", Value: fmt.Sprint(a.ID),
				Reason: "no members: want at least the main applicant in " + FileMembers})
		}
		for j, m := range a.Members {
			validateMember(m, j, loc{FileMembers, at2(o.members, i, j), key("member", j), e})
		}
		for j, m := range a.Medical {
			ml := loc{FileAssessments, at2(o.assessments, i, j), key("assessment", j), e}
			if m.ID <= 0 {
				ml.bad("id", m.ID, "want a positive whole number")
			} else if f := assessments[m.ID]; f.app != i || f.n != j {
				if f.line > 0 {
					ml.bad("id", m.ID, "duplicate assessment id (first at "+where(FileAssessments, f.line)+")")
				} else {
					ml.bad("id", m.ID, "duplicate assessment id (first as "+f.key+")")
				}
			}
			validateAssessment(m, ml)
			for k, c := range m.Conditions {
				line := 0
				if i < len(o.conditions) && j < len(o.conditions[i]) {
					line = at(o.conditions[i][j], k)
				}
				validateCondition(c, loc{FileConditions, line, fmt.Sprintf("%s condition %d", ml.key, k+1), e})
			}
		}
		for j, h := range a.History {
			validateSpell(h, loc{FileBandHistory, at2(o.history, i, j), key("band spell", j), e})
		}
		for j, v := range a.Overrides {
			validateOverride(v, loc{FileOverrides, at2(o.overrides, i, j), key("override", j), e})
		}
		for j, v := range a.Refusals {
			validateRefusal(v, loc{FileRefusals, at2(o.refusals, i, j), key("refusal", j), e})
		}
	}

	landlords := map[string]int{}
	for i, ll := range s.Landlords {
		l := loc{FileLandlords, at(o.landlords, i), "landlord " + ll.ID, e}
		l.text("id", ll.ID, MaxID)
		l.text("name", ll.Name, MaxText)
		if ll.ID == "" {
			l.bad("id", ll.ID, "required")
		} else if first, dup := landlords[ll.ID]; dup {
			l.bad("id", ll.ID, "duplicate landlord id (first at "+where(FileLandlords, at(o.landlords, first))+")")
		} else {
			landlords[ll.ID] = i
		}
		if strings.TrimSpace(ll.Name) == "" {
			l.bad("name", ll.Name, "required")
		}
		if ll.NominationShare < 0 || ll.NominationShare > 100 {
			l.bad("nomination_share", ll.NominationShare, "want a percentage 0 to 100")
		}
	}

	cycles := map[int64]int{}
	for i, c := range s.Cycles {
		l := loc{FileCycles, at(o.cycles, i), "cycle " + strconv.FormatInt(c.ID, 10), e}
		if c.ID <= 0 {
			l.bad("id", c.ID, "want a positive whole number")
		} else if first, dup := cycles[c.ID]; dup {
			l.bad("id", c.ID, "duplicate cycle id (first at "+where(FileCycles, at(o.cycles, first))+")")
		} else {
			cycles[c.ID] = i
		}
		if c.Opens.IsZero() {
			l.bad("opens", "", "required")
		}
		if c.Closes.IsZero() {
			l.bad("closes", "", "required")
		} else if !c.Opens.IsZero() && !c.Opens.Before(c.Closes) {
			l.bad("closes", formatTime(c.Closes), "must be after opens "+formatTime(c.Opens))
		}
		l.plannedTime("opens", c.Opens)
		l.plannedTime("closes", c.Closes)
		if c.Policy == "" {
			l.bad("policy", c.Policy, "required: the policy id@version the cycle runs under")
		}
		l.text("policy", c.Policy, MaxID)
	}

	adverts := map[int64]int{}
	for i := range s.Adverts {
		a := &s.Adverts[i]
		l := loc{FileAdverts, at(o.adverts, i), "advert " + strconv.FormatInt(a.ID, 10), e}
		if a.ID <= 0 {
			l.bad("id", a.ID, "want a positive whole number")
		} else if first, dup := adverts[a.ID]; dup {
			l.bad("id", a.ID, "duplicate advert id (first at "+where(FileAdverts, at(o.adverts, first))+")")
		} else {
			adverts[a.ID] = i
		}
		if _, ok := cycles[a.Cycle]; !ok && a.Cycle != 0 {
			l.bad("cycle", a.Cycle, "no such cycle in "+FileCycles)
		} else if a.Cycle == 0 {
			l.bad("cycle", a.Cycle, "want a positive whole number")
		}
		if _, ok := landlords[a.Landlord]; !ok {
			l.bad("landlord", a.Landlord, "no such landlord in "+FileLandlords)
		}
		validateAdvert(a, l)
		for j, ll := range a.LocalLettings {
			validateLetting(ll, loc{FileLocalLetting, at2(o.lettings, i, j), fmt.Sprintf("%s local letting %d", l.key, j+1), e})
		}
	}

	type pair struct{ app, advert int64 }
	bids := map[pair]int{}
	for i, b := range s.Bids {
		l := loc{FileBids, at(o.bids, i), fmt.Sprintf("bid %d (application %d, advert %d)", i+1, b.Application, b.Advert), e}
		if _, ok := apps[b.Application]; !ok && b.Application > 0 {
			l.bad("application", b.Application, "no such application in "+FileApplications)
		} else if b.Application <= 0 {
			l.bad("application", b.Application, "want a positive whole number")
		}
		if _, ok := adverts[b.Advert]; !ok && b.Advert > 0 {
			l.bad("advert", b.Advert, "no such advert in "+FileAdverts)
		} else if b.Advert <= 0 {
			l.bad("advert", b.Advert, "want a positive whole number")
		}
		p := pair{b.Application, b.Advert}
		if first, dup := bids[p]; dup {
			l.bad("advert", b.Advert, "application already bid on this advert (first at "+where(FileBids, at(o.bids, first))+")")
		} else {
			bids[p] = i
		}
		if b.Placed.IsZero() {
			l.bad("placed", "", "required")
		}
		l.text("by", b.By, MaxText)
		l.plannedTime("placed", b.Placed)
		l.plannedTime("withdrawn", b.Withdrawn)
		if !b.Withdrawn.IsZero() && b.Withdrawn.Before(b.Placed) {
			l.bad("withdrawn", formatTime(b.Withdrawn), "before placed "+formatTime(b.Placed))
		}
	}

	checkBidCap(s, adverts, cycles, o, e)

	// A base is checked like the application rows it stands for. That its decision is
	// recorded is for the database that replays the record to check (pgstore.Import).
	bases := map[int64]int{}
	for i := range s.Bases {
		b := &s.Bases[i]
		l := loc{FileBase, at(o.bases, i), "application " + strconv.FormatInt(b.Application, 10), e}
		if b.Application <= 0 {
			l.bad("application", b.Application, "want a positive whole number")
		} else if _, ok := apps[b.Application]; !ok {
			l.bad("application", b.Application, "no such application in "+FileApplications)
		} else if first, dup := bases[b.Application]; dup {
			l.bad("application", b.Application, "a second base for this application (first at "+where(FileBase, at(o.bases, first))+")")
		} else {
			bases[b.Application] = i
		}
		if b.Decision <= 0 {
			l.bad("decision", b.Decision, "want a positive whole number")
		}
		if !b.Status.Valid() {
			l.bad("status", b.Status, "want pending, active, suspended or closed")
		}
		l.text("status_reason", b.StatusReason, MaxText)
		l.planned("status_until", b.StatusUntil)
		key := func(what string, j int) string { return fmt.Sprintf("%s %s %d", l.key, what, j+1) }
		for j, h := range b.History {
			validateSpell(h, loc{FileBaseHistory, at2(o.baseHistory, i, j), key("band spell", j), e})
		}
		for j, v := range b.Overrides {
			validateOverride(v, loc{FileBaseOverrides, at2(o.baseOverrides, i, j), key("override", j), e})
		}
		for j, v := range b.Refusals {
			validateRefusal(v, loc{FileBaseRefusals, at2(o.baseRefusals, i, j), key("refusal", j), e})
		}
	}
}

// where names the line of an earlier row of file, if known.
func where(file string, line int) string {
	if line == 0 {
		return "an earlier row of " + file
	}
	return fmt.Sprintf("line %d", line)
}

func validateApplication(a *register.Application, l loc) {
	if a.ID <= 0 {
		l.bad("id", a.ID, "want a positive whole number")
	}
	if a.Registered.IsZero() {
		l.bad("registered", "", "required")
	}
	if !a.Status.Valid() {
		l.bad("status", a.Status, "want pending, active, suspended or closed")
	}
	switch a.Mobility {
	case register.MobilityNone, register.MobilityLevelAccess, register.MobilityWheelchair:
	default:
		l.bad("mobility", a.Mobility, "want none, level-access or wheelchair")
	}
	if !a.Monitoring.EthnicGroup.Valid() {
		l.bad("ethnic_group", a.Monitoring.EthnicGroup, "want empty or a 2021 Census group: "+joinValues(register.EthnicGroups))
	}
	if !a.Monitoring.Disability.Valid() {
		l.bad("disability", a.Monitoring.Disability, "want empty, yes, no or prefer_not_to_say")
	}
	if !a.Monitoring.EconomicStatus.Valid() {
		l.bad("economic_status", a.Monitoring.EconomicStatus, "want empty or "+joinValues(register.EconomicStatuses))
	}
	if a.Home.Bedrooms < 0 {
		l.bad("home_bedrooms", a.Home.Bedrooms, "must not be negative")
	}
	l.int32("home_bedrooms", a.Home.Bedrooms)
	l.text("status_reason", a.StatusReason, MaxText)
	l.text("area", a.Area, MaxText)
	l.happened("registered", a.Registered)
	l.planned("status_until", a.StatusUntil)
	l.happened("debt_last_owed", a.Debt.LastOwed)
	l.text("legal_agreement_areas", strings.Join(a.Connection.LegalAgreementAreas, listSep), MaxText)
	switch a.Home.Tenure {
	case register.TenureOwner, register.TenureSocial, register.TenurePrivate,
		register.TenureTemporary, register.TenureFamily, register.TenureNone:
	default:
		l.bad("tenure", a.Home.Tenure, "want owner, social, private, temporary, family or none")
	}
	switch a.Flags.HomelessDuty {
	case register.DutyNone, register.DutyPrevention, register.DutyRelief, register.DutyMain:
	default:
		l.bad("homeless_duty", a.Flags.HomelessDuty, "want empty, prevention, relief or main")
	}
	seen := map[string]bool{}
	for _, area := range a.Connection.LegalAgreementAreas {
		switch {
		case strings.TrimSpace(area) == "":
			l.bad("legal_agreement_areas", strings.Join(a.Connection.LegalAgreementAreas, listSep), "empty area name")
		case strings.Contains(area, listSep):
			l.bad("legal_agreement_areas", area, "an area name must not contain "+listSep)
		case seen[area]:
			l.bad("legal_agreement_areas", area, "area listed twice")
		}
		seen[area] = true
	}
	if a.Debt.Amount.IsNegative() {
		l.bad("debt_amount", a.Debt.Amount, "must not be negative")
	}
	l.amount("debt_amount", a.Debt.Amount, maxDebt, "numeric(12,2)")
}

func validateMember(m register.Member, j int, l loc) {
	if m.Born.IsZero() {
		l.bad("born", "", "required")
	}
	if m.Sex != register.Female && m.Sex != register.Male {
		l.bad("sex", m.Sex, "want F or M")
	}
	switch m.Relationship {
	case register.RelApplicant:
		if j != 0 {
			l.bad("relationship", m.Relationship, "only the first member of an application is the applicant")
		}
	case register.RelPartner, register.RelChild, register.RelOther:
		if j == 0 {
			l.bad("relationship", m.Relationship, "the first member of an application must be the applicant")
		}
	default:
		l.bad("relationship", m.Relationship, "want applicant, partner, child or other")
	}
	if !m.PregnancyDue.IsZero() && !m.Born.IsZero() && m.PregnancyDue < m.Born {
		l.bad("pregnancy_due", m.PregnancyDue, "before the member was born")
	}
	l.text("name", m.Name, MaxText)
	l.happened("born", m.Born)
	l.planned("pregnancy_due", m.PregnancyDue)
}

func validateAssessment(m register.MedicalAssessment, l loc) {
	if m.Requested.IsZero() {
		l.bad("requested", "", "required")
	}
	if !m.Assessed.IsZero() && m.Assessed < m.Requested {
		l.bad("assessed", m.Assessed, "before requested "+m.Requested.String())
	}
	if m.Restrictions.ExtraBedrooms < 0 {
		l.bad("extra_bedrooms", m.Restrictions.ExtraBedrooms, "must not be negative")
	}
	l.int32("extra_bedrooms", m.Restrictions.ExtraBedrooms)
	l.text("assessor", m.Assessor, MaxText)
	l.happened("requested", m.Requested)
	l.happened("assessed", m.Assessed)
}

func validateCondition(c register.Condition, l loc) {
	if strings.TrimSpace(c.Name) == "" {
		l.bad("name", c.Name, "required")
	}
	if c.Severity < 0 {
		l.bad("severity", c.Severity, "must not be negative")
	}
	if c.Impact < 0 {
		l.bad("impact", c.Impact, "must not be negative")
	}
	l.int32("severity", c.Severity)
	l.int32("impact", c.Impact)
	l.text("name", c.Name, MaxText)
}

func validateSpell(h register.BandSpell, l loc) {
	if h.Band < register.BandA || h.Band > register.BandE {
		l.bad("band", h.Band, "want a band A, B, C, D or E")
	}
	if h.From.IsZero() {
		l.bad("from", "", "required")
	}
	if !h.To.IsZero() && h.To < h.From {
		l.bad("to", h.To, "before from "+h.From.String())
	}
	if h.Effective.IsZero() {
		l.bad("effective", "", "required")
	}
	l.text("reason", h.Reason, MaxText)
	l.text("by", h.By, MaxText)
	l.happened("from", h.From)
	l.happened("to", h.To)
	l.happened("effective", h.Effective)
}

func validateOverride(v register.Override, l loc) {
	switch v.Kind {
	case register.OverrideSetBand:
		if v.Band < register.BandA || v.Band > register.BandE {
			l.bad("band", v.Band, "set_band needs a band A to E")
		}
	case register.OverrideAwardCriterion, register.OverrideWithdrawCriterion:
		if v.Criterion == "" {
			l.bad("criterion", v.Criterion, string(v.Kind)+" needs a criterion id")
		}
	case register.OverrideSetEffective:
		if v.Effective.IsZero() {
			l.bad("effective", "", "set_effective_date needs a date")
		}
	default:
		l.bad("kind", v.Kind, "want set_band, award_criterion, withdraw_criterion or set_effective_date")
	}
	if strings.TrimSpace(v.Reason) == "" {
		l.bad("reason", v.Reason, "required: an override needs a reason")
	}
	if strings.TrimSpace(v.By) == "" {
		l.bad("by", v.By, "required: the officer who made the override")
	}
	if v.On.IsZero() {
		l.bad("on", "", "required")
	}
	if !v.Removed.IsZero() && v.Removed < v.On {
		l.bad("removed", v.Removed, "before on "+v.On.String())
	}
	l.text("criterion", v.Criterion, MaxText)
	l.text("reason", v.Reason, MaxText)
	l.text("by", v.By, MaxText)
	l.happened("on", v.On)
	l.planned("removed", v.Removed)
	l.planned("effective", v.Effective)
}

func validateRefusal(v register.Refusal, l loc) {
	if v.Advert <= 0 {
		l.bad("advert", v.Advert, "want a positive whole number")
	}
	if v.On.IsZero() {
		l.bad("on", "", "required")
	}
	switch v.Kind {
	case register.RefusedOffer, register.RefusedNoReply, register.RefusedNoView:
	default:
		l.bad("kind", v.Kind, "want refused, no_reply or no_viewing")
	}
	l.text("by", v.By, MaxText)
	l.happened("on", v.On)
}

func validateAdvert(a *bidding.Advert, l loc) {
	if a.Bedrooms < 0 {
		l.bad("bedrooms", a.Bedrooms, "must not be negative")
	}
	if a.BedSpaces < 0 {
		l.bad("bed_spaces", a.BedSpaces, "must not be negative")
	}
	if a.Type == "" {
		l.bad("type", a.Type, "required: one of the policy's property types")
	}
	switch a.Access {
	case bidding.AccessGeneral, bidding.AccessLevel, bidding.AccessWheelchair:
	default:
		l.bad("access", a.Access, "want general, level-access or wheelchair")
	}
	switch a.Ordering {
	case bidding.OrderBand, bidding.OrderFCFS:
	default:
		l.bad("ordering", a.Ordering, "want band or fcfs")
	}
	if a.MinAge < 0 {
		l.bad("min_age", a.MinAge, "must not be negative")
	}
	if a.MaxAge < 0 {
		l.bad("max_age", a.MaxAge, "must not be negative")
	}
	if a.MaxAge > 0 && a.MinAge > a.MaxAge {
		l.bad("max_age", a.MaxAge, fmt.Sprintf("below min_age %d", a.MinAge))
	}
	if a.WeeklyRent.IsNegative() {
		l.bad("weekly_rent", a.WeeklyRent, "must not be negative")
	}
	l.amount("weekly_rent", a.WeeklyRent, maxRent, "numeric(10,2)")
	for _, f := range []struct {
		col string
		v   int
	}{{"bedrooms", a.Bedrooms}, {"bed_spaces", a.BedSpaces}, {"floor", a.Floor}, {"min_age", a.MinAge}, {"max_age", a.MaxAge}} {
		l.int32(f.col, f.v)
	}
	l.text("landlord", a.Landlord, MaxID)
	l.text("locality", a.Locality, MaxText)
	l.text("type", a.Type, MaxText)
	l.text("legal_agreement_area", a.LegalAgreementArea, MaxText)
	l.plannedTime("closes", a.Closes)
	if a.Closes.IsZero() {
		l.bad("closes", "", "required")
	}
}

func validateLetting(ll bidding.LocalLetting, l loc) {
	if ll.Fact == "" {
		l.bad("fact", ll.Fact, "required")
	}
	if ll.Is == nil && ll.Gte == nil && ll.Lte == nil && ll.Value == "" {
		l.bad("fact", ll.Fact, "no condition: want one of is, gte, lte or value")
	}
	if ll.Gte != nil {
		l.int32("gte", *ll.Gte)
	}
	if ll.Lte != nil {
		l.int32("lte", *ll.Lte)
	}
	l.text("label", ll.Label, MaxText)
	l.text("fact", ll.Fact, MaxText)
	l.text("value", ll.Value, MaxText)
}

// checkBidCap refuses live bids beyond the cycle's policy's max_live_bids per
// application (S6.2), as cbl bid place does: a snapshot holding four live bids from one
// household must not import and have all four ranked. Each bid over the cap is named,
// in placing order. Autobids (placed at close) and withdrawn bids do not count; a cycle
// whose policy is not a shipped one is left to the import's policy check.
func checkBidCap(s *Snapshot, adverts, cycles map[int64]int, o *origin, e *errs) {
	type key struct{ app, cycle int64 }
	live := map[key][]int{}
	for i, b := range s.Bids {
		ai, ok := adverts[b.Advert]
		if !ok || b.Autobid || !b.Withdrawn.IsZero() {
			continue
		}
		k := key{b.Application, s.Adverts[ai].Cycle}
		live[k] = append(live[k], i)
	}
	limits := map[int64]int{}
	for k, idx := range live {
		ci, ok := cycles[k.cycle]
		if !ok {
			continue
		}
		limit, seen := limits[k.cycle]
		if !seen {
			c := s.Cycles[ci]
			if p, err := policy.Builtins().ByName(c.Policy, register.DateOf(c.Closes)); err == nil {
				limit = p.Bidding.MaxLiveBids
			}
			limits[k.cycle] = limit
		}
		if limit <= 0 || len(idx) <= limit {
			continue
		}
		slices.SortStableFunc(idx, func(x, y int) int { return s.Bids[x].Placed.Compare(s.Bids[y].Placed) })
		for _, i := range idx[limit:] {
			b := s.Bids[i]
			l := loc{FileBids, at(o.bids, i), fmt.Sprintf("bid %d (application %d, advert %d)", i+1, b.Application, b.Advert), e}
			l.bad("placed", formatTime(b.Placed), fmt.Sprintf("application %d already has %d live bids in cycle %d, the most its policy allows (S6.2): withdraw one first",
				b.Application, limit, k.cycle))
		}
	}
}

// joinValues lists an enum's values for an error message: "a, b or c".
func joinValues[T ~string](vs []T) string {
	ss := make([]string, len(vs))
	for i, v := range vs {
		ss[i] = string(v)
	}
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " or " + ss[len(ss)-1]
}
