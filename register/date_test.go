package register_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/register"
)

func TestDate_YMDMatchesTime(t *testing.T) {
	for d := register.Date(-800_000); d < 800_000; d += 37 {
		y, m, day := d.YMD()
		ty, tm, tday := d.Time().Date()
		require.Equal(t, [3]int{ty, int(tm), tday}, [3]int{y, int(m), day}, "day %d", d)
	}
}

func TestDate_YearsSince(t *testing.T) {
	born := register.MustDate("2008-02-29")
	require.Equal(t, 17, register.MustDate("2026-02-28").YearsSince(born))
	require.Equal(t, 18, register.MustDate("2026-03-01").YearsSince(born))
	require.Equal(t, -1, register.MustDate("2007-03-01").YearsSince(born))
}

func TestDate_AddMonthsClamps(t *testing.T) {
	require.Equal(t, register.MustDate("2025-02-28"), register.MustDate("2025-01-31").AddMonths(1))
	require.Equal(t, register.MustDate("2024-02-29"), register.MustDate("2025-02-28").AddMonths(-12).AddDays(1).AddMonths(0).AddDays(-1).AddDays(1))
	require.Equal(t, register.MustDate("2027-11-23"), register.MustDate("2026-11-23").AddMonths(12))
}

func TestDate_TextRoundTrip(t *testing.T) {
	d := register.NewDate(2026, time.November, 23)
	b, err := d.MarshalText()
	require.NoError(t, err)
	require.Equal(t, "2026-11-23", string(b))
	var back register.Date
	require.NoError(t, back.UnmarshalText(b))
	require.Equal(t, d, back)
	require.Error(t, back.UnmarshalText([]byte("23/11/2026")))
	require.Equal(t, "", register.Date(0).String())
	require.False(t, register.MustDate("1970-01-01").IsZero(), "1970-01-01 is a real date (people are born on it)")
	require.Equal(t, "0001-01-01", register.Date(1).String())
}
