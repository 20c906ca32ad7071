package bidding_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

// An Assessor's index at each of a year's weekly closes is Assess's, for households
// whose band-history spells start and end later, whose children and applicants have
// birthdays all through the year (the guarantor age, children turning adults), and
// some whose status changes and is reported; so it is for applications out of id
// order and for a close back in time.
func TestAssessor_WeeklyClosesAreAssess(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	rng := rand.New(rand.NewPCG(5, 5))
	day := env.CloseDate()
	var apps []register.Application
	for i := range 300 {
		a := bidtest.App(int64(i+1), register.Band(1+rng.IntN(5)), "2024-01-01", "2023-01-01")
		a.Members[0].Born = day.AddDays(-(17*365 + rng.IntN(3*365)))
		for range rng.IntN(4) {
			a.Members = append(a.Members, register.Member{Born: day.AddDays(-rng.IntN(19 * 365)),
				Sex: []register.Sex{register.Male, register.Female}[rng.IntN(2)], Relationship: register.RelChild})
		}
		if i%3 == 0 { // the band changes later: one spell ends, the next starts
			end := day.AddDays(rng.IntN(300))
			a.History[0].To = end
			a.History = append(a.History, register.BandSpell{Band: register.BandC, From: end, Effective: end, Reason: "test"})
		}
		apps = append(apps, a)
	}
	s := bidding.NewAssessor(env.Rules)
	check := func(close register.Date) {
		t.Helper()
		want, err := bidding.Assess(env.Rules, apps, close)
		require.NoError(t, err)
		got, err := s.Assess(apps, close)
		require.NoError(t, err)
		require.Equal(t, want.Profiles, got.Profiles, "close %s", close)
	}
	for wk := range 52 {
		if wk == 10 {
			for i := range 20 {
				apps[i].Status = register.StatusSuspended
				s.Changed(apps[i].ID)
			}
		}
		if wk == 20 || wk == 21 { // out of id order, then back in it
			slices.Reverse(apps)
		}
		check(day.AddDays(7 * wk))
	}
	check(day)
}

// An Assessor reuses the profiles of the index before last: the index a close returns
// must still be the close's after the next close (which reads it) and must hold
// nothing of an earlier close once its buffer is reused, as the register shrinks,
// grows with new applications and changes between closes.
func TestAssessor_ReusedProfilesHoldNothingStale(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	rng := rand.New(rand.NewPCG(7, 7))
	day := env.CloseDate()
	next := int64(1)
	newApp := func() register.Application {
		a := bidtest.App(next, register.Band(1+rng.IntN(5)), "2024-01-01", "2023-01-01")
		a.Members[0].Born = day.AddDays(-(17*365 + rng.IntN(3*365)))
		next++
		return a
	}
	var apps []register.Application
	for range 200 {
		apps = append(apps, newApp())
	}
	s := bidding.NewAssessor(env.Rules)
	var last *bidding.Index
	var lastWant []bidding.Profile
	for wk := range 12 {
		switch wk % 3 {
		case 0: // some leave
			apps = slices.Delete(apps, 10, 10+rng.IntN(40))
		case 1: // some join, with ids after every other
			for range rng.IntN(60) {
				apps = append(apps, newApp())
			}
		case 2: // some change, and say so
			for i := range apps {
				if rng.IntN(4) == 0 {
					apps[i].Status = []register.Status{register.StatusActive, register.StatusSuspended}[rng.IntN(2)]
					s.Changed(apps[i].ID)
				}
			}
		}
		close := day.AddDays(7 * wk)
		want, err := bidding.Assess(env.Rules, apps, close)
		require.NoError(t, err)
		got, err := s.Assess(apps, close)
		require.NoError(t, err)
		require.Equal(t, want.Profiles, got.Profiles, "week %d", wk)
		if last != nil {
			require.Equal(t, lastWant, last.Profiles, "week %d: the last close's index, after this close", wk)
		}
		last, lastWant = got, slices.Clone(want.Profiles)
	}
}

// Profiles given by Keep (from the caller's own assessments, a week before the first
// close, as a simulation's first day) are kept by the closes after only while they
// hold: every close's index is Assess's, for households whose spells end, whose members
// have birthdays, that change and are reported, and some that were not given at all.
func TestAssessor_KeptGivenProfilesAreAssess(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	rng := rand.New(rand.NewPCG(9, 9))
	day := env.CloseDate()
	start := day.AddDays(-7)
	var apps []register.Application
	for i := range 300 {
		a := bidtest.App(int64(i+1), register.Band(1+rng.IntN(5)), "2024-01-01", "2023-01-01")
		a.Members[0].Born = start.AddDays(-(17*365 + rng.IntN(3*365)))
		for range rng.IntN(4) {
			a.Members = append(a.Members, register.Member{Born: start.AddDays(-rng.IntN(19 * 365)),
				Sex: []register.Sex{register.Male, register.Female}[rng.IntN(2)], Relationship: register.RelChild})
		}
		if i%3 == 0 { // the band changes: one spell ends, the next starts, some before the first close
			end := start.AddDays(rng.IntN(60))
			a.History[0].To = end
			a.History = append(a.History, register.BandSpell{Band: register.BandC, From: end, Effective: end, Reason: "test"})
		}
		apps = append(apps, a)
	}
	s := bidding.NewAssessor(env.Rules)
	for i := range apps {
		if i%10 == 0 {
			continue // not given: the first close assesses it
		}
		as, err := banding.Assess(&apps[i], env.Rules.Policy, start)
		require.NoError(t, err)
		s.Keep(&apps[i], &as, start)
	}
	for wk := range 20 {
		if wk == 3 {
			for i := range 20 {
				apps[i].Status = register.StatusSuspended
				s.Changed(apps[i].ID)
			}
		}
		close := day.AddDays(7 * wk)
		want, err := bidding.Assess(env.Rules, apps, close)
		require.NoError(t, err)
		got, err := s.Assess(apps, close)
		require.NoError(t, err)
		require.Equal(t, want.Profiles, got.Profiles, "close %s", close)
	}
}
