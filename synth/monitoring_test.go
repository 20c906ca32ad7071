package synth_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

// The monitoring mix at Keyways scale lands where docs/synthetic.md says, and goes with
// the rest of the household: an assessed mobility need is a disability, the over-66s are
// mostly retired, a working household's applicant is in work.
func TestGenerate_MonitoringMix(t *testing.T) {
	s, err := synth.Generate(synth.Keyways())
	require.NoError(t, err)
	n := float64(len(s.Applications))
	broad := map[string]float64{}
	var disabled, disabledKnown [1]float64
	econ := map[register.EconomicStatus]float64{}
	for i := range s.Applications {
		a := &s.Applications[i]
		m := a.Monitoring
		require.True(t, m.EthnicGroup.Valid() && m.Disability.Valid() && m.EconomicStatus.Valid(), "application %d: %+v", a.ID, m)
		broad[m.EthnicGroup.Broad()]++
		if m.Disability == register.DisabilityYes {
			disabled[0]++
		}
		if m.Disability == register.DisabilityYes || m.Disability == register.DisabilityNo {
			disabledKnown[0]++
		}
		if a.Mobility != register.MobilityNone {
			require.Equal(t, register.DisabilityYes, m.Disability, "application %d has a mobility need", a.ID)
		}
		age := a.Registered.YearsSince(a.Members[0].Born)
		if a.Flags.Working && age < 66 {
			require.Contains(t, []register.EconomicStatus{register.EconFullTime, register.EconPartTime}, m.EconomicStatus)
		}
		econ[m.EconomicStatus]++
	}
	pct := func(x float64) float64 { return 100 * x / n }
	t.Logf("ethnic (broad) %%: WB %.1f OW %.1f Mixed %.1f Asian %.1f Black %.1f Other %.1f NK %.1f",
		pct(broad["White British"]), pct(broad["Other White"]), pct(broad["Mixed"]), pct(broad["Asian"]),
		pct(broad["Black"]), pct(broad["Other"]), pct(broad["Not known"]))
	t.Logf("disabled %.1f%% of all, %.1f%% of those who answered", pct(disabled[0]), 100*disabled[0]/disabledKnown[0])
	t.Logf("economic status %%: full %.1f part %.1f retired %.1f unable %.1f seeking %.1f not seeking %.1f",
		pct(econ[register.EconFullTime]), pct(econ[register.EconPartTime]), pct(econ[register.EconRetired]),
		pct(econ[register.EconUnable]), pct(econ[register.EconJobSeeker]), pct(econ[register.EconNotSeeking]))
	within := func(name string, got, lo, hi float64) {
		t.Helper()
		require.True(t, got >= lo && got <= hi, "%s: %.1f%%, want %.0f–%.0f%%", name, got, lo, hi)
	}
	within("White British", pct(broad["White British"]), 74, 80)
	within("Other White", pct(broad["Other White"]), 7.5, 10.5)
	within("Mixed", pct(broad["Mixed"]), 2.3, 4.2)
	within("Asian", pct(broad["Asian"]), 2, 3.7)
	within("Black", pct(broad["Black"]), 3.8, 5.8)
	within("Not known", pct(broad["Not known"]), 1.3, 2.8)
	within("disabled", pct(disabled[0]), 35, 45)
	within("full or part time", pct(econ[register.EconFullTime]+econ[register.EconPartTime]), 25, 40)
	within("retired", pct(econ[register.EconRetired]), 5, 15)

	// Reproducible, and the same for a joiner generated twice.
	again, err := synth.Generate(synth.Keyways())
	require.NoError(t, err)
	for i := range s.Applications {
		require.Equal(t, s.Applications[i].Monitoring, again.Applications[i].Monitoring)
	}
}
