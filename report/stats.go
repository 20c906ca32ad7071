package report

import (
	"math"
	"slices"
)

// NewWait summarises the weeks waited by the households housed in one band and bedroom size:
// n, median and quartiles, each quantile interpolated linearly between the nearest ranks
// (the usual "type 7" definition: for p in [0, 1], position p·(n−1) in the sorted weeks).
// weeks is not modified. No weeks gives a zero Wait with N = 0, which the report shows as
// "no lets".
func NewWait(band, size string, weeks []float64) Wait {
	w := Wait{Band: band, Size: size, N: len(weeks)}
	if len(weeks) == 0 {
		return w
	}
	s := slices.Clone(weeks)
	slices.Sort(s)
	w.Q1, w.Median, w.Q3 = quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)
	return w
}

// NewBidStats summarises the bids received per advert: the number of adverts, the median and
// 90th percentile (interpolated as in [NewWait]) and the most. bids is not modified.
func NewBidStats(bids []int) BidStats {
	b := BidStats{Adverts: len(bids)}
	if len(bids) == 0 {
		return b
	}
	s := make([]float64, len(bids))
	for i, n := range bids {
		s[i] = float64(n)
	}
	slices.Sort(s)
	b.Median, b.P90, b.Max = quantile(s, 0.5), quantile(s, 0.9), int(s[len(s)-1])
	return b
}

// quantile is the p-quantile of sorted (non-empty), interpolating between ranks.
func quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
