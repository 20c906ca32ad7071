package synth_test

import (
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

// S6.1: a cycle opens Thursday 00:00 and closes Tuesday 23:59, Europe/London.
func TestS6_1_CyclesOpenThursdayCloseTuesday(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 30 // spans the October clock change
	cycles, err := synth.Cycles(&cfg, nn2021(t))
	require.NoError(t, err)
	require.Len(t, cycles, 30)
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	for i, c := range cycles {
		o, cl := c.Opens.In(london), c.Closes.In(london)
		require.Equal(t, time.Thursday, o.Weekday())
		require.Equal(t, [2]int{0, 0}, [2]int{o.Hour(), o.Minute()})
		require.Equal(t, time.Tuesday, cl.Weekday())
		require.Equal(t, [2]int{23, 59}, [2]int{cl.Hour(), cl.Minute()})
		require.Equal(t, 5, cl.YearDay()-o.YearDay())
		require.Equal(t, int64(i+1), c.ID)
		require.Equal(t, "nn-2021@1", c.Policy)
		if i > 0 {
			require.Equal(t, 7, o.YearDay()-cycles[i-1].Opens.In(london).YearDay())
		}
	}
	require.False(t, cycles[0].Opens.Before(cfg.AsOf.Time().Add(-time.Hour)))
}

// The advert mix follows evidence.md §3.3 (Northampton 2016: bedsit 6%, 1-bed 51%,
// 2-bed 27%, 3-bed 14%, 4+ 2%).
func TestAdverts_SizeAndTypeMixMatchesEvidence(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 40
	p := nn2021(t)
	cycles, err := synth.Cycles(&cfg, p)
	require.NoError(t, err)
	ads, err := synth.Adverts(&cfg, p, cycles, 1)
	require.NoError(t, err)
	require.Len(t, ads, 40*30)

	landlords := map[string]bool{}
	for _, l := range synth.Landlords(&cfg) {
		landlords[l.ID] = true
	}
	count := map[string]int{}
	n := float64(len(ads))
	var sheltered, min60, access, laa, local, fcfs, withdrawn int
	for i, a := range ads {
		require.Equal(t, int64(i+1), a.ID)
		require.Contains(t, p.Properties.Types, a.Type)
		require.True(t, landlords[a.Landlord], a.Landlord)
		require.NotEmpty(t, p.Bidding.AreaOf(a.Locality), a.Locality)
		require.Equal(t, cycles[a.Cycle-1].Closes, a.Closes)
		rent := a.WeeklyRent.InexactFloat64()
		require.True(t, rent >= 80 && rent <= 165, "advert %d rent %s", a.ID, a.WeeklyRent)
		require.Equal(t, int32(-2), a.WeeklyRent.Exponent())
		switch {
		case a.Type == "bedsit":
			require.Equal(t, 1, a.Bedrooms)
			count["bedsit"]++
		case a.Bedrooms >= 4:
			count["4+"]++
		default:
			count[string(rune('0'+a.Bedrooms))]++
		}
		if a.Sheltered {
			sheltered++
			require.LessOrEqual(t, a.Bedrooms, 2)
			require.NotEqual(t, "house", a.Type)
			if a.MinAge == 60 {
				min60++
			}
		}
		if a.Access != bidding.AccessGeneral {
			access++
			require.True(t, a.Floor == 0 || a.Lift, "advert %d: accessible above ground without a lift", a.ID)
		}
		if a.LegalAgreementArea != "" {
			laa++
		}
		if len(a.LocalLettings) > 0 {
			local++
		}
		if a.Ordering == bidding.OrderFCFS {
			fcfs++
		}
		if a.Withdrawn {
			withdrawn++
		}
	}
	within(t, "bedsit share", float64(count["bedsit"])/n, 0.03, 0.09)
	within(t, "1-bed share", float64(count["1"])/n, 0.45, 0.57)
	within(t, "2-bed share", float64(count["2"])/n, 0.22, 0.32)
	within(t, "3-bed share", float64(count["3"])/n, 0.10, 0.18)
	within(t, "4+-bed share", float64(count["4+"])/n, 0.005, 0.04)
	within(t, "sheltered share", float64(sheltered)/n, 0.08, 0.18)
	require.Positive(t, min60)
	require.Positive(t, access)
	require.Positive(t, laa)
	require.Positive(t, local)
	require.Positive(t, fcfs)
	require.Positive(t, withdrawn)
}
