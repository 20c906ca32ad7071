package synth_test

import (
	"encoding/json"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

func TestLeavers_LeaveAtTheMonthlyRate(t *testing.T) {
	s := keywaysSnapshot(t)
	cfg := synth.Keyways()
	from := cfg.AsOf
	ids := synth.Leavers(cfg, s.Applications, from, from.AddDays(61))
	// 4% a month for two months of ~6,930 open applications ≈ 543.
	within(t, "leavers in 61 days", float64(len(ids)), 450, 640)
	require.Equal(t, ids, synth.Leavers(cfg, s.Applications, from, from.AddDays(61)))
	require.IsIncreasing(t, ids)
	require.NotEqual(t, ids, synth.Leavers(cfg, s.Applications, from.AddDays(61), from.AddDays(122)))
}

// S3: a change of circumstances re-bands the application on the day of the
// change, with the effective date the policy's rules give; the caller's register is left
// as it was.
func TestS3_4_ChangesOfCircumstancesMoveBands(t *testing.T) {
	s := keywaysSnapshot(t)
	cfg := synth.Keyways()
	p := nn2021(t)
	before, err := json.Marshal(s.Applications)
	require.NoError(t, err)
	from, to := cfg.AsOf, cfg.AsOf.AddDays(61)
	changed, err := synth.ChangeCircumstances(cfg, p, s.Applications, from, to)
	require.NoError(t, err)
	after, err := json.Marshal(s.Applications)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after), "the input register was modified")
	again, err := synth.ChangeCircumstances(cfg, p, s.Applications, from, to)
	require.NoError(t, err)
	require.Equal(t, changed, again)

	// 2% a month for two months of ~6,690 active or suspended applications ≈ 265.
	within(t, "changes in 61 days", float64(len(changed)), 200, 330)
	byID := map[int64]*register.Application{}
	for i := range s.Applications {
		byID[s.Applications[i].ID] = &s.Applications[i]
	}
	up, down, lost := 0, 0, 0
	for i := range changed {
		c := &changed[i]
		old := byID[c.ID]
		require.NotNil(t, old)
		last := c.History[len(c.History)-1]
		on := last.From
		if !last.To.IsZero() { // the change ended the band
			on = last.To
		}
		require.True(t, on >= from && on < to || len(c.History) == len(old.History),
			"application %d: change on %s outside the window", c.ID, on)
		as, err := banding.Assess(c, p, to)
		require.NoError(t, err)
		cur, holding := banding.Current(c.History)
		prev, wasHolding := banding.Current(old.History)
		switch {
		case !holding:
			if wasHolding {
				lost++
			}
		case wasHolding && cur.Band.Higher(prev.Band):
			up++
			require.Equal(t, cur.From, cur.Effective, "application %d moved up: effective date is the move", c.ID)
		case wasHolding && prev.Band.Higher(cur.Band):
			down++
			require.LessOrEqual(t, cur.Effective, cur.From, "application %d moved down", c.ID)
		}
		if holding {
			require.Equal(t, as.Band, cur.Band, "application %d", c.ID)
		}
	}
	t.Logf("moved up %d, down %d, lost band %d of %d changes", up, down, lost, len(changed))
	require.Positive(t, up)
	require.Positive(t, down)
	require.Positive(t, lost)
}

// A Changer builds its generator once and makes, for each application, the change
// ChangeCircumstances makes of that application alone with the same seed and window,
// whatever changes it made before.
func TestChanger_IsChangeCircumstancesOfOne(t *testing.T) {
	s := keywaysSnapshot(t)
	cfg := synth.Keyways()
	cfg.Behaviour.ChangesPerMonth = 0.5
	p := nn2021(t)
	ch, err := synth.NewChanger(cfg, p)
	require.NoError(t, err)
	made := 0
	for i := range 400 {
		a := &s.Applications[i*7]
		seed, on := uint64(1000+i), cfg.AsOf.AddDays(i%50)
		one := cfg
		one.Seed = seed
		want, err := synth.ChangeCircumstances(one, p, []register.Application{*a}, on-31, on+1)
		require.NoError(t, err)
		got, ok := ch.Change(seed, a, on-31, on+1)
		require.Equal(t, len(want) == 1, ok, "application %d", a.ID)
		if ok {
			require.Equal(t, want[0], got, "application %d", a.ID)
			made++
		}
	}
	require.Greater(t, made, 50)
}
