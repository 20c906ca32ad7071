package bidding_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

func TestS6_1_CycleOpensThursdayClosesTuesday(t *testing.T) {
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

// TestS6_1_WindowTakesTheLastMinute: a cycle that closes "tuesday 23:59" takes bids
// until 23:59 is over; the first instant refused is Wednesday 00:00:00.
func TestS6_1_WindowTakesTheLastMinute(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	c := env.Cycle
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	require.True(t, c.Open(c.Opens))
	require.False(t, c.Open(c.Opens.Add(-time.Nanosecond)))
	require.True(t, c.Open(c.Closes), "23:59:00 is open")
	require.True(t, c.Open(c.Closes.Add(30*time.Second)), "23:59:30 is open")
	require.True(t, c.Open(c.Closes.Add(time.Minute-time.Nanosecond)), "23:59:59.999999999 is open")
	require.False(t, c.Open(c.Closes.Add(time.Minute)), "00:00:00 the next day is closed")
	require.Equal(t, "Wed 00:00:00", c.Ends().In(london).Format("Mon 15:04:05"))

	// A bid placed in the last minute is taken.
	ad := env.Advert(1)
	ix := env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01"))
	book, err := bidding.NewBook(env.Rules, c, []bidding.Advert{ad})
	require.NoError(t, err)
	_, err = book.Place(c.Closes.Add(30*time.Second), bidtest.Profile(t, ix, 1), &ad, "applicant")
	require.NoError(t, err)
	_, err = book.Place(c.Ends(), bidtest.Profile(t, ix, 1), &ad, "applicant")
	require.ErrorIs(t, err, bidding.ErrCycleClosed)
}

// TestS6_1_CycleFromNeverAPastWeek: on the gap day (Wednesday under nn-2021) the cycle
// opened is next week's, not the one that closed the night before; inside a window it is
// that window's.
func TestS6_1_CycleFromNeverAPastWeek(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	wed := time.Date(2025, 11, 19, 10, 0, 0, 0, london) // closed Tue 18th 23:59
	c, err := bidding.CycleFrom(p, 1, wed)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 11, 20, 0, 0, 0, 0, london); !c.Opens.Equal(want) {
		t.Fatalf("Wednesday opens %s, want the next window from %s", c.Opens, want)
	}
	mon := time.Date(2025, 11, 17, 10, 0, 0, 0, london)
	if c, _ := bidding.CycleFrom(p, 1, mon); !c.Open(mon) {
		t.Fatalf("Monday gives %s–%s, not the window it is in", c.Opens, c.Closes)
	}
	lastMinute := time.Date(2025, 11, 18, 23, 59, 30, 0, london)
	if c, _ := bidding.CycleFrom(p, 1, lastMinute); !c.Open(lastMinute) {
		t.Fatal("the closing minute is still that week's window")
	}
}
