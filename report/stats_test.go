package report_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/report"
)

func TestNewWait_QuartilesInterpolate(t *testing.T) {
	weeks := []float64{40, 10, 20, 30, 50} // unsorted on purpose
	w := report.NewWait("B", "2", weeks)
	require.Equal(t, report.Wait{Band: "B", Size: "2", N: 5, Median: 30, Q1: 20, Q3: 40}, w)
	require.Equal(t, []float64{40, 10, 20, 30, 50}, weeks, "input left as it was")

	w = report.NewWait("A", "1", []float64{1, 2, 3, 4})
	require.Equal(t, 2.5, w.Median)
	require.Equal(t, 1.75, w.Q1)
	require.Equal(t, 3.25, w.Q3)

	w = report.NewWait("A", "1", []float64{7})
	require.Equal(t, report.Wait{Band: "A", Size: "1", N: 1, Median: 7, Q1: 7, Q3: 7}, w)

	require.Equal(t, report.Wait{Band: "E", Size: "3"}, report.NewWait("E", "3", nil))
}

func TestNewBidStats(t *testing.T) {
	bids := make([]int, 0, 11)
	for i := 10; i >= 0; i-- {
		bids = append(bids, i*10) // 100, 90, …, 0
	}
	require.Equal(t, report.BidStats{Adverts: 11, Median: 50, P90: 90, Max: 100}, report.NewBidStats(bids))
	require.Equal(t, report.BidStats{Adverts: 2, Median: 5, P90: 9, Max: 10}, report.NewBidStats([]int{0, 10}))
	require.Equal(t, report.BidStats{}, report.NewBidStats(nil))
}
