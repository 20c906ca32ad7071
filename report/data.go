package report

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Data is everything the report shows: the outcome of one simulation run under two policies
// over the same register, adverts and bids. It is plain data, JSON-serialisable, so a run can
// be saved and rendered later. Labels are shown as given (escaped); the report computes
// nothing but totals, shares and chart geometry from them.
type Data struct {
	Title string `json:"title"`
	Seed  int64  `json:"seed"`
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
	// Notes are short caveats printed under the run details (what a wait is measured from,
	// what the scale means).
	Notes []string `json:"notes,omitempty"`
}

// PolicyResult is the outcome of the run under one policy.
type PolicyResult struct {
	Name     string      `json:"name"` // policy id and version, e.g. "nn-2021@1"
	Lets     []BandCount `json:"lets"` // lets by band of the successful household
	Waits    []Wait      `json:"waits"`
	Refusals int         `json:"refusals"` // offers refused
	Closures int         `json:"closures"` // applications closed after counted refusals
	// HousedOnly counts households housed under this policy and not under the other.
	HousedOnly int      `json:"housed_only"`
	Bids       BidStats `json:"bids"` // bids per advert
}

// BandCount is a count for one band label.
type BandCount struct {
	Band  string `json:"band"`
	Count int    `json:"count"`
}

// Wait is the distribution of weeks waited by the households housed in one band and
// bedroom size: median, lower quartile (Q1) and upper quartile (Q3), over N lets.
type Wait struct {
	Band   string  `json:"band"`
	Size   string  `json:"size"`
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Q1     float64 `json:"q1"`
	Q3     float64 `json:"q3"`
}

// BidStats is the spread of bids received per advert.
type BidStats struct {
	Adverts int     `json:"adverts"`
	Median  float64 `json:"median"`
	P90     float64 `json:"p90"`
	Max     int     `json:"max"`
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
		for j, l := range p.Lets {
			if !slices.Contains(d.Bands, l.Band) {
				return fmt.Errorf("%s: lets[%d]: band %q not in bands %q", at, j, l.Band, d.Bands)
			}
			if l.Count < 0 {
				return fmt.Errorf("%s: lets[%d]: count %d is negative", at, j, l.Count)
			}
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
		if p.Refusals < 0 || p.Closures < 0 || p.HousedOnly < 0 || p.Bids.Adverts < 0 || p.Bids.Max < 0 {
			return fmt.Errorf("%s: a count is negative", at)
		}
		if b := p.Bids; !(0 <= b.Median && b.Median <= b.P90 && b.P90 <= float64(b.Max)) {
			return fmt.Errorf("%s: bids: want 0 <= median <= p90 <= max, got median=%g p90=%g max=%d",
				at, b.Median, b.P90, b.Max)
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
