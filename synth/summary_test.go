package synth_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

func TestSummarise_MeasuresTheCalibratedMixes(t *testing.T) {
	s := keywaysSnapshot(t)
	cfg := synth.Keyways()
	sum, err := synth.Summarise(s, nn2021(t), cfg.AsOf)
	require.NoError(t, err)
	t.Log("\n" + sum.String())
	require.Equal(t, cfg.Register.Applications, sum.Applications)
	nq := 0
	for _, n := range sum.NotQualifying {
		nq += n
	}
	require.Equal(t, sum.Applications, sum.Qualifying+nq)
	within(t, "summary band D", sum.Bands["D"], 0.35, 0.45)
	within(t, "summary 1-bed need", sum.BedroomNeed["1"], 0.45, 0.55)
	within(t, "summary 1-bed adverts", sum.AdvertSizes["1"], 0.40, 0.62)
	require.Equal(t, len(s.Bids), sum.Bids)
	require.LessOrEqual(t, sum.BidsPerAdvert.Median, sum.BidsPerAdvert.P90)
	require.LessOrEqual(t, sum.BidsPerAdvert.P90, sum.BidsPerAdvert.Max)
	require.Positive(t, sum.Statuses[register.StatusActive])
	require.Contains(t, sum.String(), "bands: A ")
}
