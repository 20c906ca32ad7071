package allocation_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
)

func TestCalendar_EnglandWales(t *testing.T) {
	c := allocation.EnglandWales()
	d := register.MustDate
	for _, tc := range []struct {
		day     string
		holiday bool
	}{
		{"2025-12-25", true}, {"2025-12-26", true}, {"2025-12-29", false},
		{"2026-12-28", true},                       // Boxing Day on a Saturday: Monday substitute
		{"2022-09-19", true}, {"2023-05-08", true}, // state funeral, coronation
		{"2022-05-30", false}, {"2022-06-02", true}, {"2022-06-03", true}, // 2022 spring holiday moved
		{"2024-03-29", true}, {"2024-04-01", true}, {"2024-04-02", false}, // Easter 2024
		{"2030-04-19", true}, {"2030-04-22", true}, // Easter 2030, by the rule
	} {
		if got := c.Holiday(d(tc.day)); got != tc.holiday {
			t.Errorf("Holiday(%s) = %v, want %v", tc.day, got, tc.holiday)
		}
	}
	if !c.Covers(d("2020-01-01")) || !c.Covers(d("2030-12-31")) || c.Covers(d("2031-01-01")) {
		t.Error("calendar should cover exactly 2020–2030")
	}
}

func TestCalendar_AddWorkingDays(t *testing.T) {
	c := allocation.EnglandWales()
	d := register.MustDate
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2025-11-17", 10, "2025-12-01"}, // Monday + 10 working days: two plain weeks
		{"2025-12-19", 10, "2026-01-07"}, // Christmas week: 25, 26 Dec and 1 Jan skipped
		{"2026-03-30", 10, "2026-04-15"}, // Easter week: Good Friday and Easter Monday skipped
		{"2025-11-22", 1, "2025-11-24"},  // Saturday: next working day is Monday
		{"2025-11-24", 0, "2025-11-24"},
	} {
		if got := c.AddWorkingDays(d(tc.from), tc.n); got != d(tc.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
		if got := c.WorkingDaysBetween(d(tc.from), d(tc.want)); tc.n > 0 && got != tc.n {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from, tc.want, got, tc.n)
		}
	}
}

func TestParseCalendar_Errors(t *testing.T) {
	for _, text := range []string{"", "2025-13-01", "2025-12-26\n2025-12-25"} {
		if _, err := allocation.ParseCalendar("h.txt", text); err == nil {
			t.Errorf("ParseCalendar(%q): want an error", text)
		}
	}
}
