package analytics_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/analytics"
)

func TestQuantile_Type7(t *testing.T) {
	s := []float64{1, 2, 3, 4}
	require.Equal(t, 2.5, analytics.Quantile(s, 0.5), "an even sample's median is the mean of the middle two")
	require.Equal(t, 1.75, analytics.Quantile(s, 0.25))
	require.Equal(t, 3.7, math.Round(analytics.Quantile(s, 0.9)*1e9)/1e9)
	require.Equal(t, 4.0, analytics.Quantile(s, 1))
	require.Equal(t, 7.0, analytics.Quantile([]float64{7}, 0.5))
}

func TestCountSpread(t *testing.T) {
	sp := analytics.CountSpread([]int{58, 59, 10, 90})
	require.Equal(t, analytics.Spread{N: 4, Mean: 54.25, Q1: 46, Median: 58.5, Q3: 66.75, P90: 80.7, Max: 90},
		roundSpread(sp))
	require.Equal(t, analytics.Spread{}, analytics.CountSpread(nil))
}

func roundSpread(s analytics.Spread) analytics.Spread {
	r := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	return analytics.Spread{N: s.N, Mean: r(s.Mean), Q1: r(s.Q1), Median: r(s.Median), Q3: r(s.Q3), P90: r(s.P90), Max: r(s.Max)}
}

func TestFormat(t *testing.T) {
	require.Equal(t, "58", analytics.Format(58))
	require.Equal(t, "58.5", analytics.Format(58.5))
	require.Equal(t, "-3.2", analytics.Format(-3.21))
	require.Equal(t, "–", analytics.Format(math.NaN()))
}

func TestNewEstimate(t *testing.T) {
	one := analytics.NewEstimate([]float64{12})
	require.Equal(t, "12", one.String())
	e := analytics.NewEstimate([]float64{10, 12, 14})
	require.Equal(t, 12.0, e.Mean)
	// s = 2, t(0.95, 2) = 2.920: half-width 2.920·2/√3 = 3.37
	require.InDelta(t, 8.63, e.Lo, 0.01)
	require.InDelta(t, 15.37, e.Hi, 0.01)
	require.Equal(t, "12 [8.6–15.4]", e.String())
	require.Equal(t, "+12 [8.6–15.4]", e.Signed())
	require.Equal(t, "–", analytics.NewEstimate(nil).String())
}

func TestPoolWaits_FlagsFewLets(t *testing.T) {
	a := analytics.NewWait("A", "1", []float64{1, 2, 3})
	b := analytics.NewWait("A", "1", []float64{3, 4, 5})
	require.True(t, a.Few(), "3 lets")
	p := analytics.PoolWaits(2, []analytics.Wait{a, b})
	require.Equal(t, 6, p.N)
	require.Equal(t, 3.0, p.Median)
	require.True(t, p.Few(), "3 lets a run")
	require.False(t, analytics.NewWait("A", "1", []float64{1, 2, 3, 4, 5}).Few())
}
