package equality

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/register"
)

// Dimension is what households are grouped by.
type Dimension string

const (
	ByAge        Dimension = "age"        // the main applicant's age band
	BySex        Dimension = "sex"        // the main applicant's sex
	ByEthnicity  Dimension = "ethnicity"  // the main applicant's ethnic group, broad (register.EthnicGroup.Broad)
	ByDisability Dimension = "disability" // anyone in the household disabled
	ByHousehold  Dimension = "household"  // register.HouseholdTypeOf
	ByFlag       Dimension = "flag"       // the scheme's flags: a household may be in several
)

// Dimensions lists every Dimension.
var Dimensions = []Dimension{ByAge, BySex, ByEthnicity, ByDisability, ByHousehold, ByFlag}

// ParseDimension reads a --by value.
func ParseDimension(s string) (Dimension, error) {
	if d := Dimension(s); slices.Contains(Dimensions, d) {
		return d, nil
	}
	names := make([]string, len(Dimensions))
	for i, d := range Dimensions {
		names[i] = string(d)
	}
	return "", fmt.Errorf("%q: want one of %s", s, strings.Join(names, ", "))
}

// Overlapping reports whether a household may be in more than one group of d (or in
// none but "None of these"): then a column's group counts need not sum to its total.
func (d Dimension) Overlapping() bool { return d == ByFlag }

// Group names. Every group of a dimension is listed, in this order, even when empty, so
// that tables for different periods line up.
const (
	NotKnown    = "Not known"
	NoneOfThese = "None of these"
)

var ageBands = []struct {
	name     string
	from, to int
}{{"Under 25", 0, 24}, {"25-34", 25, 34}, {"35-44", 35, 44}, {"45-54", 45, 54}, {"55-64", 55, 64}, {"65 and over", 65, 1 << 30}}

// Flag groups.
const (
	FlagArmedForces   = "Armed forces"
	FlagDomesticAbuse = "Domestic abuse"
	FlagCareLeaver    = "Care leaver"
	FlagHomelessDuty  = "Homeless duty"
	FlagTemporary     = "Temporary accommodation"
)

// GroupNames lists d's groups in display order.
func GroupNames(d Dimension) []string {
	switch d {
	case ByAge:
		out := make([]string, 0, len(ageBands)+1)
		for _, b := range ageBands {
			out = append(out, b.name)
		}
		return append(out, NotKnown)
	case BySex:
		return []string{"Female", "Male", NotKnown}
	case ByEthnicity:
		return []string{"White British", "Other White", "Mixed", "Asian", "Black", "Other", NotKnown}
	case ByDisability:
		return []string{"Disabled", "Not disabled", "Prefer not to say", NotKnown}
	case ByHousehold:
		out := make([]string, len(register.HouseholdTypes))
		for i, t := range register.HouseholdTypes {
			out[i] = string(t)
		}
		return out
	case ByFlag:
		return []string{FlagArmedForces, FlagDomesticAbuse, FlagCareLeaver, FlagHomelessDuty, FlagTemporary, NoneOfThese}
	}
	return nil
}

// Groups returns the groups of d that a is in on day on (ages and household types are
// taken on that day). Every dimension but ByFlag gives exactly one group; ByFlag gives
// each flag a holds, or NoneOfThese.
func Groups(d Dimension, a *register.Application, on register.Date) []string {
	main := a.Main()
	switch d {
	case ByAge:
		if main.Born.IsZero() {
			return []string{NotKnown}
		}
		age := on.YearsSince(main.Born)
		for _, b := range ageBands {
			if age >= b.from && age <= b.to {
				return []string{b.name}
			}
		}
		return []string{NotKnown}
	case BySex:
		switch main.Sex {
		case register.Female:
			return []string{"Female"}
		case register.Male:
			return []string{"Male"}
		}
		return []string{NotKnown}
	case ByEthnicity:
		return []string{a.Monitoring.EthnicGroup.Broad()}
	case ByDisability:
		switch a.Monitoring.Disability {
		case register.DisabilityYes:
			return []string{"Disabled"}
		case register.DisabilityNo:
			return []string{"Not disabled"}
		case register.DisabilityRefused:
			return []string{"Prefer not to say"}
		}
		return []string{NotKnown}
	case ByHousehold:
		return []string{string(register.HouseholdTypeOf(a, on))}
	case ByFlag:
		var out []string
		if a.Flags.ArmedForces {
			out = append(out, FlagArmedForces)
		}
		if a.Flags.DomesticAbuse {
			out = append(out, FlagDomesticAbuse)
		}
		if a.Flags.CareLeaver || a.Flags.CareLeaverNNC {
			out = append(out, FlagCareLeaver)
		}
		if a.Flags.HomelessDuty != register.DutyNone {
			out = append(out, FlagHomelessDuty)
		}
		if a.Home.Tenure == register.TenureTemporary {
			out = append(out, FlagTemporary)
		}
		if len(out) == 0 {
			out = append(out, NoneOfThese)
		}
		return out
	}
	return []string{NotKnown}
}

// Let is one household let a home: wait to a let is from registration to On.
type Let struct {
	Application int64         `json:"application"`
	On          register.Date `json:"on"`
}

// Input is what happened in a period, as plain data. Every id refers to one of
// Applications; an id not among them is counted in the NotKnown group (NoneOfThese for
// flags).
type Input struct {
	// AsOf is the day ages and household types are taken on: the period's last day.
	AsOf register.Date
	// Applications are the households referred to, with their members, flags and
	// monitoring data, and their registration date (the start of a wait).
	Applications []register.Application
	// Register lists the households on the register in the period, once each.
	Register []int64
	// Bids has the bidding household of each bid (ranked or skipped at close, autobids
	// included), FirstFive the household of each place 1 to 5 of a shortlist, Offers the
	// household of each offer made: one entry each, so a household may appear many times.
	Bids, FirstFive, Offers []int64
	// Lets are the lets made in the period.
	Lets []Let
	// NoDecisions: the source holds no offers or lets (a snapshot: decisions live in the
	// database). The offers and lets columns are then not available: every cell of them
	// is null, not 0.
	NoDecisions bool
}

// DefaultSuppress is the smallest count shown: cells from 1 to DefaultSuppress-1 are
// suppressed, as published statistics suppress small counts that could identify a
// household.
const DefaultSuppress = 5

// Cell is one group's count in one column and its share of the column's total. A
// suppressed cell has a nil Count and Percent. VsRegister is Percent less the group's
// share of the register, in percentage points (nil if either is suppressed, and in the
// register column itself).
type Cell struct {
	Count      *int     `json:"count"`
	Percent    *float64 `json:"percent"`
	VsRegister *float64 `json:"vs_register_points"`
	Suppressed bool     `json:"suppressed"`
}

// Row is one group's outcomes. MedianWaitDays is the median days from registration to
// let of its lets, nil when it has none or fewer than the suppression threshold.
type Row struct {
	Group          string `json:"group"`
	Register       Cell   `json:"register"`
	Bids           Cell   `json:"bids"`
	FirstFive      Cell   `json:"first_five_places"`
	Offers         Cell   `json:"offers"`
	Lets           Cell   `json:"lets"`
	MedianWaitDays *int   `json:"median_wait_days"`
}

// Table is outcomes by group. Total counts every household, bid, place, offer and let
// once, whatever its groups; it is never suppressed.
type Table struct {
	By          Dimension     `json:"by"`
	AsOf        register.Date `json:"as_of"`
	Suppress    int           `json:"suppress_below"`
	Overlapping bool          `json:"overlapping"`  // a household may be in several groups (flags)
	NoDecisions bool          `json:"no_decisions"` // offers and lets not available (Input.NoDecisions)
	Rows        []Row         `json:"rows"`
	Total       Row           `json:"total"`
}

// Tabulate counts in by the groups of by, suppressing every count from 1 to suppress-1
// (0 or 1: nothing is suppressed). When a column of a non-overlapping dimension has
// exactly one suppressed cell, the next smallest non-zero cell of that column is
// suppressed too, so the total does not give the first one away.
func Tabulate(in *Input, by Dimension, suppress int) (*Table, error) {
	if !slices.Contains(Dimensions, by) {
		return nil, fmt.Errorf("equality: unknown dimension %q", by)
	}
	if suppress < 0 {
		return nil, fmt.Errorf("equality: suppress %d: must not be negative", suppress)
	}
	names := GroupNames(by)
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	apps := make(map[int64]*register.Application, len(in.Applications))
	for i := range in.Applications {
		apps[in.Applications[i].ID] = &in.Applications[i]
	}
	groupsOf := map[int64][]int{}
	unknown := []int{index[NotKnown]}
	if by == ByFlag {
		unknown = []int{index[NoneOfThese]}
	}
	groups := func(id int64) []int {
		if g, ok := groupsOf[id]; ok {
			return g
		}
		a, ok := apps[id]
		if !ok {
			groupsOf[id] = unknown
			return unknown
		}
		var g []int
		for _, n := range Groups(by, a, in.AsOf) {
			g = append(g, index[n])
		}
		groupsOf[id] = g
		return g
	}
	const cols = 5
	counts := make([][cols]int, len(names))
	var total [cols]int
	for c, ids := range [cols - 1][]int64{in.Register, in.Bids, in.FirstFive, in.Offers} {
		for _, id := range ids {
			for _, g := range groups(id) {
				counts[g][c]++
			}
		}
		total[c] = len(ids)
	}
	waits := make([][]int, len(names))
	var all []int
	for _, l := range in.Lets {
		w := -1
		if a, ok := apps[l.Application]; ok && !a.Registered.IsZero() {
			w = int(l.On - a.Registered)
		}
		for _, g := range groups(l.Application) {
			counts[g][cols-1]++
			if w >= 0 {
				waits[g] = append(waits[g], w)
			}
		}
		if w >= 0 {
			all = append(all, w)
		}
	}
	total[cols-1] = len(in.Lets)

	// Which cells are shown.
	hidden := make([][cols]bool, len(names))
	for c := range cols {
		n := 0
		for g := range names {
			if k := counts[g][c]; k > 0 && k < suppress {
				hidden[g][c] = true
				n++
			}
		}
		if n == 1 && !by.Overlapping() {
			next := -1
			for g := range names {
				if k := counts[g][c]; k > 0 && !hidden[g][c] && (next < 0 || k < counts[next][c]) {
					next = g
				}
			}
			if next >= 0 {
				hidden[next][c] = true
			}
		}
	}
	t := &Table{By: by, AsOf: in.AsOf, Suppress: suppress, Overlapping: by.Overlapping(), NoDecisions: in.NoDecisions}
	cell := func(k, tot int, hide bool) Cell {
		if hide {
			return Cell{Suppressed: true}
		}
		c := Cell{Count: &k}
		if tot > 0 {
			p := round2(100 * float64(k) / float64(tot))
			c.Percent = &p
		}
		return c
	}
	vs := func(c *Cell, reg Cell) {
		if c.Percent != nil && reg.Percent != nil {
			d := round2(*c.Percent - *reg.Percent)
			c.VsRegister = &d
		}
	}
	for g, name := range names {
		r := Row{Group: name}
		cs := []*Cell{&r.Register, &r.Bids, &r.FirstFive, &r.Offers, &r.Lets}
		for c := range cols {
			*cs[c] = cell(counts[g][c], total[c], hidden[g][c])
			if c > 0 {
				vs(cs[c], r.Register)
			}
		}
		if len(waits[g]) > 0 && len(waits[g]) >= suppress && !hidden[g][cols-1] {
			r.MedianWaitDays = median(waits[g])
		}
		t.Rows = append(t.Rows, r)
	}
	t.Total = Row{Group: "Total"}
	for c, p := range []*Cell{&t.Total.Register, &t.Total.Bids, &t.Total.FirstFive, &t.Total.Offers, &t.Total.Lets} {
		*p = cell(total[c], total[c], false)
	}
	if len(all) > 0 {
		t.Total.MedianWaitDays = median(all)
	}
	if in.NoDecisions {
		for _, r := range append([]*Row{&t.Total}, rowPtrs(t.Rows)...) {
			r.Offers, r.Lets, r.MedianWaitDays = Cell{}, Cell{}, nil
		}
	}
	return t, nil
}

func rowPtrs(rs []Row) []*Row {
	out := make([]*Row, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

// median is the middle of xs (the lower middle when even), as days.
func median(xs []int) *int {
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[(len(s)-1)/2]
	return &m
}

func round2(x float64) float64 {
	if x < 0 {
		return -round2(-x)
	}
	return float64(int64(x*100+0.5)) / 100
}

// Change is one group's lets under two policies (CompareLets).
type Change struct {
	Group string `json:"group"`
	Base  Cell   `json:"base"`
	Alt   Cell   `json:"alt"`
	// Difference is Alt's count less Base's; nil when either is suppressed.
	Difference *int `json:"difference"`
}

// Comparison is lets by group under a base and an alternative policy.
type Comparison struct {
	By       Dimension `json:"by"`
	Suppress int       `json:"suppress_below"`
	Rows     []Change  `json:"rows"`
	Total    Change    `json:"total"`
}

// CompareLets tabulates the lets of two runs of the same register (a policy and its
// alternative, simulate.Compare) by the groups of by, side by side: what the analyst of
// an Equality Impact Assessment asks of a policy change — who gains lets, who loses them.
// apps must hold every household let in either run.
func CompareLets(by Dimension, asOf register.Date, apps []register.Application, base, alt []Let, suppress int) (*Comparison, error) {
	tb, err := Tabulate(&Input{AsOf: asOf, Applications: apps, Lets: base}, by, suppress)
	if err != nil {
		return nil, err
	}
	ta, err := Tabulate(&Input{AsOf: asOf, Applications: apps, Lets: alt}, by, suppress)
	if err != nil {
		return nil, err
	}
	out := &Comparison{By: by, Suppress: suppress}
	diff := func(b, a Cell) *int {
		if b.Count == nil || a.Count == nil {
			return nil
		}
		d := *a.Count - *b.Count
		return &d
	}
	for i := range tb.Rows {
		b, a := tb.Rows[i].Lets, ta.Rows[i].Lets
		out.Rows = append(out.Rows, Change{Group: tb.Rows[i].Group, Base: b, Alt: a, Difference: diff(b, a)})
	}
	out.Total = Change{Group: "Total", Base: tb.Total.Lets, Alt: ta.Total.Lets, Difference: diff(tb.Total.Lets, ta.Total.Lets)}
	return out, nil
}

// SortLets orders lets by day then application, for reproducible output.
func SortLets(ls []Let) {
	slices.SortFunc(ls, func(a, b Let) int { return cmp.Or(cmp.Compare(a.On, b.On), cmp.Compare(a.Application, b.Application)) })
}
