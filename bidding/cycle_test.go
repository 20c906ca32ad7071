package bidding_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
)

func TestScheme6_CycleOpensThursdayClosesTuesday(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	cases := []struct {
		name         string
		at           time.Time
		opens, close time.Time
		hours        float64
	}{
		{"winter week", time.Date(2026, 11, 22, 12, 0, 0, 0, london),
			time.Date(2026, 11, 19, 0, 0, 0, 0, london), time.Date(2026, 11, 24, 23, 59, 0, 0, london), 143 + 59.0/60},
		{"at the opening instant", time.Date(2026, 11, 19, 0, 0, 0, 0, london),
			time.Date(2026, 11, 19, 0, 0, 0, 0, london), time.Date(2026, 11, 24, 23, 59, 0, 0, london), 143 + 59.0/60},
		{"Wednesday belongs to the week that opened the Thursday before", time.Date(2026, 11, 25, 12, 0, 0, 0, london),
			time.Date(2026, 11, 19, 0, 0, 0, 0, london), time.Date(2026, 11, 24, 23, 59, 0, 0, london), 143 + 59.0/60},
		{"clocks go forward inside the window", time.Date(2026, 3, 27, 8, 0, 0, 0, london),
			time.Date(2026, 3, 26, 0, 0, 0, 0, london), time.Date(2026, 3, 31, 23, 59, 0, 0, london), 142 + 59.0/60},
		{"clocks go back inside the window", time.Date(2026, 10, 23, 8, 0, 0, 0, london),
			time.Date(2026, 10, 22, 0, 0, 0, 0, london), time.Date(2026, 10, 27, 23, 59, 0, 0, london), 144 + 59.0/60},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := bidding.CycleAt(env.Policy, 7, tc.at)
			require.NoError(t, err)
			require.True(t, c.Opens.Equal(tc.opens), "opens %s", c.Opens)
			require.True(t, c.Closes.Equal(tc.close), "closes %s", c.Closes)
			require.Equal(t, time.Thursday, c.Opens.In(london).Weekday())
			require.Equal(t, "00:00", c.Opens.In(london).Format("15:04"))
			require.Equal(t, "23:59", c.Closes.In(london).Format("15:04"))
			require.InDelta(t, tc.hours, c.Closes.Sub(c.Opens).Hours(), 1e-9)
			require.Equal(t, "nn-2021@1", c.Policy)
		})
	}
}

func TestCycle_Open(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	c := env.Cycle
	require.True(t, c.Open(c.Opens))
	require.False(t, c.Open(c.Opens.Add(-time.Nanosecond)))
	require.True(t, c.Open(c.Closes.Add(-time.Nanosecond)))
	require.False(t, c.Open(c.Closes))
}
