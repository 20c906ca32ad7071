package register_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

func TestTimeRange_CheckTime(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 40, 17, 0, time.UTC)
	r := register.UpTo(now, register.CycleAhead)
	require.NoError(t, r.CheckTime(now))
	require.NoError(t, r.CheckTime(now.Add(register.CycleAhead)))
	require.NoError(t, r.CheckTime(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)))
	err := r.CheckTime(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	require.EqualError(t, err, "9999-12-31T00:00:00Z: want a time from 1900-01-01T00:00:00Z to 2026-12-16T08:40:17Z (now plus 14 days)")
	require.ErrorIs(t, err, register.ErrOutOfRange)
	var re *register.RangeError
	require.True(t, errors.As(err, &re))
	require.Error(t, r.CheckTime(time.Date(1899, 12, 31, 23, 59, 59, 0, time.UTC)))
	require.Error(t, r.CheckTime(now.Add(register.CycleAhead+time.Second)))
}

func TestTimeRange_CheckDate(t *testing.T) {
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	r := register.UpTo(now, register.DateSkew)
	require.NoError(t, r.CheckDate(0), "the zero Date is not set, not out of range")
	require.NoError(t, r.CheckDate(register.MustDate("2026-12-03")), "tomorrow in UTC: today somewhere")
	require.NoError(t, r.CheckDate(register.MustDate("1900-01-01")))
	require.EqualError(t, r.CheckDate(register.MustDate("2026-12-04")), "2026-12-04: want a date from 1900-01-01 to 2026-12-03 (today plus 1 day)")
	require.EqualError(t, r.CheckDate(register.MustDate("1899-12-31")), "1899-12-31: want a date from 1900-01-01 to 2026-12-03 (today plus 1 day)")
}

func TestDescribe(t *testing.T) {
	for d, want := range map[time.Duration]string{
		register.ClockSkew:  "5 minutes",
		register.DateSkew:   "1 day",
		register.CycleAhead: "14 days",
		register.PlanAhead:  "5 years",
		time.Hour:           "1 hour",
		90 * time.Second:    "1m30s",
	} {
		require.Equal(t, want, register.Describe(d))
	}
}
