// Package analytics is the one definition of the summary figures every output of the
// simulator shows — the terminal tables, -o json, the tidy CSV files and the HTML report
// compute nothing of their own: a quantile, a spread of counts or waits, the wait of the
// households housed in one band and home size, and an estimate over several seeded runs
// with its interval.
//
// Quantiles are Hyndman and Fan's type 7 (R's and numpy's default): for p in [0, 1], the
// value at position p·(n−1) of the sorted sample, interpolated linearly between the two
// nearest ranks. One definition for every figure, so the median of bids per advert is the
// same number wherever it is printed.
package analytics

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Quantile is the type-7 p-quantile of sorted, which must be sorted ascending and
// non-empty; p is clamped to [0, 1].
func Quantile(sorted []float64, p float64) float64 {
	p = min(max(p, 0), 1)
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Spread summarises a sample: its size, mean, quartiles (Q1, median, Q3), 90th
// percentile and largest value, quantiles by Quantile. A zero Spread (N = 0) is an empty
// sample, which outputs show as "–".
type Spread struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Q1     float64 `json:"q1"`
	Median float64 `json:"median"`
	Q3     float64 `json:"q3"`
	P90    float64 `json:"p90"`
	Max    float64 `json:"max"`
}

// NewSpread summarises xs (not modified).
func NewSpread(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	total := 0.0
	for _, x := range s {
		total += x
	}
	return Spread{N: len(s), Mean: total / float64(len(s)), Q1: Quantile(s, 0.25), Median: Quantile(s, 0.5),
		Q3: Quantile(s, 0.75), P90: Quantile(s, 0.9), Max: s[len(s)-1]}
}

// CountSpread summarises counts, such as the bids each advert received.
func CountSpread(counts []int) Spread {
	xs := make([]float64, len(counts))
	for i, c := range counts {
		xs[i] = float64(c)
	}
	return NewSpread(xs)
}

// Sizes are the home sizes waits are grouped by, in display order: bedsits apart from
// one-bedroom homes.
var Sizes = []string{"bedsit", "1", "2", "3", "4+"}

// SizeOf is the size group of a home: "bedsit" for a bedsit, else its bedrooms with 4
// or more together.
func SizeOf(bedrooms int, bedsit bool) string {
	switch {
	case bedsit:
		return "bedsit"
	case bedrooms >= 4:
		return "4+"
	}
	return strconv.Itoa(max(bedrooms, 1))
}

// WeeksBetween is a wait in weeks: days/7.
func WeeksBetween(days int) float64 { return float64(days) / 7 }

// Wait is the spread of the weeks waited — registration to the day the offer was
// accepted — by the households housed in one band and home size. Over one run its
// Spread is that run's; over several seeded runs (Runs > 1) N is the lets of every run,
// the quantiles are the runs' means and MedianLo–MedianHi the 90% interval of the median
// (NewEstimate).
type Wait struct {
	Band string `json:"band"`
	Size string `json:"size"` // one of Sizes
	Spread
	Runs     int     `json:"runs"`
	MedianLo float64 `json:"median_lo"`
	MedianHi float64 `json:"median_hi"`
}

// NewWait is the wait of one run's households in band and size, weeks not modified.
func NewWait(band, size string, weeks []float64) Wait {
	sp := NewSpread(weeks)
	return Wait{Band: band, Size: size, Spread: sp, Runs: 1, MedianLo: sp.Median, MedianHi: sp.Median}
}

// PoolWaits combines one cell's waits from several runs (each from NewWait; runs with
// no lets there are left out by the caller, and runs counts every run): lets add up,
// quantiles and mean are the means over the runs with lets, and the median has its 90%
// interval.
func PoolWaits(runs int, ws []Wait) Wait {
	if len(ws) == 0 {
		return Wait{Runs: runs}
	}
	out := Wait{Band: ws[0].Band, Size: ws[0].Size, Runs: runs}
	var means, q1, med, q3, p90 []float64
	for _, w := range ws {
		out.N += w.N
		out.Max = max(out.Max, w.Max)
		means, q1, med, q3, p90 = append(means, w.Mean), append(q1, w.Q1), append(med, w.Median), append(q3, w.Q3), append(p90, w.P90)
	}
	m := NewEstimate(med)
	out.Mean, out.Q1, out.Median, out.Q3, out.P90 = mean(means), mean(q1), m.Mean, mean(q3), mean(p90)
	out.MedianLo, out.MedianHi = m.Lo, m.Hi
	return out
}

func mean(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

// FewLets is the number of lets under which a cell's quantiles are flagged as unreliable:
// a median of 1–4 waits says little.
const FewLets = 5

// Few reports whether the wait rests on fewer than FewLets lets a run (and at least one
// let): its quantiles say little and outputs flag it.
func (w Wait) Few() bool { return w.N > 0 && w.N < FewLets*max(w.Runs, 1) }

// Estimate is a figure over several seeded runs: the mean of the runs' values and a 90%
// confidence interval for it, mean ± t(0.95, n−1)·s/√n (Student's t, s the runs' sample
// standard deviation). Over one run Lo = Hi = Mean.
type Estimate struct {
	Mean float64 `json:"mean"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
	Runs int     `json:"runs"`
}

// tTable is t(0.95, df) for df = 1..30; beyond, 1.645.
var tTable = []float64{6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
	1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725,
	1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697}

// NewEstimate is the estimate from the runs' values xs (empty: NaN, no figure).
func NewEstimate(xs []float64) Estimate {
	if len(xs) == 0 {
		return Estimate{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	m := mean(xs)
	e := Estimate{Mean: m, Lo: m, Hi: m, Runs: len(xs)}
	if len(xs) < 2 {
		return e
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	t := 1.645
	if df := len(xs) - 1; df <= len(tTable) {
		t = tTable[df-1]
	}
	half := t * math.Sqrt(ss/float64(len(xs)-1)) / math.Sqrt(float64(len(xs)))
	e.Lo, e.Hi = m-half, m+half
	return e
}

// String is the estimate for people: the mean alone over one run or when the interval
// is nil ("58.5"), else the mean and interval ("58.5 [55.1–61.9]").
func (e Estimate) String() string {
	if e.Runs <= 1 || Format(e.Lo) == Format(e.Hi) {
		return Format(e.Mean)
	}
	return Format(e.Mean) + " [" + Format(e.Lo) + "–" + Format(e.Hi) + "]"
}

// Signed is String with a "+" on a positive mean, for changes.
func (e Estimate) Signed() string {
	s := e.String()
	if e.Mean > 0 && Format(e.Mean) != "0" {
		return "+" + s
	}
	return s
}

// Format writes a figure for people: integers as integers, others to one decimal place
// ("58", "58.5"), and "–" for NaN (no figure). Terminal tables and the report both use it.
func Format(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// Measure is one figure per policy, and the change (alternative minus base, paired by
// seed) when two are compared.
type Measure struct {
	Key    string     `json:"key"`
	Label  string     `json:"label"`
	Values []Estimate `json:"values"`
	Change *Estimate  `json:"change,omitempty"`
}
