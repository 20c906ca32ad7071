package report

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cbl-lettings/cbl/analytics"
)

// Data is everything the report shows: the outcome of a simulation under two policies over
// the same register, adverts and bids, on one seed or several. It is plain data,
// JSON-serialisable, so a run can be saved and rendered later. Labels are shown as given
// (escaped); the report computes nothing but totals, shares and chart geometry from them,
// and formats every figure as the terminal does (analytics.Estimate's String).
type Data struct {
	Title string `json:"title"`
	Seed  int64  `json:"seed"`
	// Seeds is how many seeded runs the figures are over (0 or 1: one run); with more,
	// figures are means with 90% intervals and the charts draw the intervals.
	Seeds int    `json:"seeds,omitempty"`
	Weeks int    `json:"weeks"` // cycles simulated
	Scale string `json:"scale"` // e.g. "keyways" or "birmingham"
	// Bands lists the band labels in display order, most urgent first ("A".."E"). Lets and
	// waits must use these labels.
	Bands []string `json:"bands"`
	// Sizes lists the bedroom sizes in display order ("bedsit", "1", "2", "3", "4+"). Waits
	// must use these labels.
	Sizes []string `json:"sizes"`
	// Policies holds exactly two results: [0] is policy 1 (the baseline, rows of the
	// movement matrix) and [1] is policy 2 (the alternative, its columns).
	Policies []PolicyResult `json:"policies"`
	// Movement counts households by band under policy 1 (row) and policy 2 (column).
	Movement Movement `json:"movement"`
	// HousedBoth counts households housed under both policies.
	HousedBoth int `json:"housed_both"`
	// Lets are the lets by band of the successful household, Key the band label (one
	// of Bands), as the terminal's "Lets by band" table.
	Lets []analytics.Measure `json:"lets"`
	// Measures are the headline figures, one value per policy and the change, exactly as
	// the terminal's summary table lists them (register at the end, lets, manual bids and
	// autobids, bids per advert, refusals, closures, duties discharged, adverts left to
	// re-let, households housed under one policy only or both).
	Measures []analytics.Measure `json:"measures"`
	// Moves are why households move band on the first day: groups by band and deciding
	// criterion under each policy.
	Moves []Move `json:"moves,omitempty"`
	// Groups are the lets of each policy by a monitoring group (age, disability: the
	// questions of an Equality Impact Assessment), in the first seed's run; counts under
	// Suppress are withheld (nil), as published statistics do.
	Groups []GroupTable `json:"groups,omitempty"`
	// Notes are short caveats printed under the run details (what a wait is measured from,
	// what the scale means).
	Notes []string `json:"notes,omitempty"`
}

// PolicyResult is the outcome of the run under one policy.
type PolicyResult struct {
	Name  string `json:"name"`  // policy id and version, e.g. "nn-2021@1"
	Title string `json:"title"` // the policy's title, e.g. "North Northamptonshire Keyways …"
	// Waits are the weeks waited by band and size (analytics.Wait: over several runs,
	// pooled with analytics.PoolWaits).
	Waits []analytics.Wait `json:"waits"`
}

// Wait is the one wait type (analytics.Wait).
type Wait = analytics.Wait

// Move is a group of households moving band on the first day: From under policy 1 to To
// under policy 2, decided by FromWhy and ToWhy (criterion ids or failed qualification
// rules).
type Move struct {
	From         string `json:"from"`
	To           string `json:"to"`
	FromWhy      string `json:"from_why"`
	ToWhy        string `json:"to_why"`
	Applications int    `json:"applications"`
}

// Movement is the band-movement matrix. Rows are the band labels under policy 1 and
// Cols under policy 2, each including a label for "not qualifying"; Counts[i][j] is the
// number of households in band Rows[i] under policy 1 and Cols[j] under policy 2.
type Movement struct {
	Rows   []string `json:"rows"`
	Cols   []string `json:"cols"`
	Counts [][]int  `json:"counts"`
}

// Validate reports the first inconsistency in d: not two policies, a label used but not
// listed in Bands or Sizes, a matrix whose shape does not match its labels, a negative count,
// quartiles out of order, or a figure that is not a finite number.
func (d Data) Validate() error {
	if len(d.Policies) != 2 {
		return fmt.Errorf("report: policies: want 2, got %d", len(d.Policies))
	}
	if len(d.Bands) == 0 {
		return errors.New("report: bands: empty")
	}
	for i, p := range d.Policies {
		at := fmt.Sprintf("report: policies[%d] (%q)", i, p.Name)
		if p.Name == "" {
			return fmt.Errorf("%s: name is empty", at)
		}
		for j, w := range p.Waits {
			if !slices.Contains(d.Bands, w.Band) {
				return fmt.Errorf("%s: waits[%d]: band %q not in bands %q", at, j, w.Band, d.Bands)
			}
			if !slices.Contains(d.Sizes, w.Size) {
				return fmt.Errorf("%s: waits[%d]: size %q not in sizes %q", at, j, w.Size, d.Sizes)
			}
			if w.N < 0 || !(0 <= w.Q1 && w.Q1 <= w.Median && w.Median <= w.Q3 && w.Q3 <= math.MaxFloat64) {
				return fmt.Errorf("%s: waits[%d]: want 0 <= q1 <= median <= q3 and n >= 0, got n=%d q1=%g median=%g q3=%g",
					at, j, w.N, w.Q1, w.Median, w.Q3)
			}
		}
	}
	for i, m := range d.Measures {
		if len(m.Values) != 2 {
			return fmt.Errorf("report: measures[%d] (%q): want 2 values, got %d", i, m.Label, len(m.Values))
		}
	}
	for i, m := range d.Lets {
		if !slices.Contains(d.Bands, m.Key) {
			return fmt.Errorf("report: lets[%d]: band %q not in bands %q", i, m.Key, d.Bands)
		}
		if len(m.Values) != 2 {
			return fmt.Errorf("report: lets[%d]: want 2 values, got %d", i, len(m.Values))
		}
		for _, v := range m.Values {
			if !(v.Mean >= 0 && v.Hi <= math.MaxFloat64) {
				return fmt.Errorf("report: lets[%d] (band %s): count %g is negative or not a number", i, m.Key, v.Mean)
			}
		}
	}
	m := d.Movement
	if len(m.Counts) != len(m.Rows) {
		return fmt.Errorf("report: movement: %d rows of counts for %d row labels", len(m.Counts), len(m.Rows))
	}
	for i, row := range m.Counts {
		if len(row) != len(m.Cols) {
			return fmt.Errorf("report: movement: counts[%d] has %d cells for %d column labels", i, len(row), len(m.Cols))
		}
		for j, c := range row {
			if c < 0 {
				return fmt.Errorf("report: movement: counts[%d][%d] = %d is negative", i, j, c)
			}
		}
	}
	if d.HousedBoth < 0 {
		return fmt.Errorf("report: housed_both: %d is negative", d.HousedBoth)
	}
	return nil
}

// GroupTable is one policy comparison of lets by the groups of one dimension.
type GroupTable struct {
	By       string     `json:"by"` // e.g. "age", "disability"
	Suppress int        `json:"suppress_below"`
	Rows     []GroupRow `json:"rows"` // the last is the total
}

// GroupRow is one group's lets under each policy and the difference; nil where
// suppressed.
type GroupRow struct {
	Group      string `json:"group"`
	Base       *int   `json:"base"`
	Alt        *int   `json:"alt"`
	Difference *int   `json:"difference"`
}
