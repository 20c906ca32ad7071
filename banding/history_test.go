package banding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

func TestS3_3_MoveDownRestoresDate(t *testing.T) {
	rules := &nn2021(t).EffectiveDate
	registered := register.MustDate("2019-03-01")
	d := register.MustDate

	hist, cur := banding.Transition(nil, registered, nil, banding.Change{Band: register.BandC, On: d("2019-03-05"), Reason: "new application"}, rules)
	require.Equal(t, registered, cur.Effective, "a new application's effective date is its registration date")

	hist, cur = banding.Transition(hist, registered, nil, banding.Change{Band: register.BandC, On: d("2020-01-10"), Reason: "change of address, same need"}, rules)
	require.Equal(t, registered, cur.Effective, "a change that keeps the band keeps the date")
	require.Len(t, hist, 1)

	hist, cur = banding.Transition(hist, registered, nil, banding.Change{Band: register.BandB, On: d("2021-06-01"), Reason: "medical high"}, rules)
	require.Equal(t, d("2021-06-01"), cur.Effective, "moving up: the date of the move")

	hist, cur = banding.Transition(hist, registered, nil, banding.Change{Band: register.BandC, On: d("2022-02-14"), Reason: "medical reassessed"}, rules)
	require.Equal(t, registered, cur.Effective, "moving down: the date previously held in that band")

	hist, cur = banding.Transition(hist, registered, nil, banding.Change{Band: register.BandD, On: d("2023-01-01"), Reason: "moved"}, rules)
	require.Equal(t, registered, cur.Effective, "moving down to a band never held keeps the current date (policy default)")

	require.Len(t, hist, 4)
	for i := 0; i < len(hist)-1; i++ {
		require.Equal(t, hist[i+1].From, hist[i].To, "spells are contiguous")
	}
	_, open := banding.Current(hist)
	require.True(t, open)
}

func TestS3_6_TransitionLeavesInputUntouched(t *testing.T) {
	rules := &nn2021(t).EffectiveDate
	reg := register.MustDate("2020-01-01")
	hist, _ := banding.Transition(nil, reg, nil, banding.Change{Band: register.BandC, On: reg}, rules)
	before := append([]register.BandSpell(nil), hist...)
	_, _ = banding.Transition(hist, reg, nil, banding.Change{Band: register.BandA, On: register.MustDate("2021-01-01")}, rules)
	require.Equal(t, before, hist)
}

func TestS3_5_OfficerSetDate(t *testing.T) {
	rules := &nn2021(t).EffectiveDate
	reg := register.MustDate("2020-01-01")
	hist, _ := banding.Transition(nil, reg, nil, banding.Change{Band: register.BandB, On: reg}, rules)
	hist, cur := banding.Transition(hist, reg, nil, banding.Change{Band: register.BandB, On: register.MustDate("2022-05-05"),
		Effective: register.MustDate("2019-07-01"), Reason: "review: date of first contact", By: "senior.officer"}, rules)
	require.Equal(t, register.MustDate("2019-07-01"), cur.Effective)
	require.Equal(t, "senior.officer", cur.By)
	require.Len(t, hist, 2, "an officer-set date is kept in history")

	// An active set_effective_date override survives the next re-assessment's move up.
	ov := []register.Override{{Kind: register.OverrideSetEffective, Effective: register.MustDate("2018-01-01"), Reason: "review", By: "s", On: register.MustDate("2022-06-01")}}
	_, cur = banding.Transition(hist, reg, ov, banding.Change{Band: register.BandA, On: register.MustDate("2023-01-01")}, rules)
	require.Equal(t, register.MustDate("2018-01-01"), cur.Effective)
}

// TestS3_2_KetteringExample: two Band B applications; effective date 2012-10-01 ranks
// before 2012-12-12 within the band (evidence.md §2.1 K1).
func TestS3_2_KetteringExample(t *testing.T) {
	p := nn2021(t)
	mk := func(id int64, registered string) (banding.Assessment, register.BandSpell) {
		a := single(35)
		a.ID, a.Registered = id, register.MustDate(registered)
		a.Flags.DomesticAbuse = true // Band B
		as, err := banding.Assess(&a, p, register.MustDate("2013-01-10"))
		require.NoError(t, err)
		_, spell := banding.Transition(nil, a.Registered, nil, banding.Change{Band: as.Band, On: a.Registered}, &p.EffectiveDate)
		return as, spell
	}
	asA, a := mk(2, "2012-10-01")
	asB, b := mk(1, "2012-12-12")
	require.Equal(t, register.BandB, asA.Band)
	require.Equal(t, register.BandB, asB.Band)
	require.Less(t, a.Effective, b.Effective, "A's older effective date ranks first even though B's id is lower")
}
