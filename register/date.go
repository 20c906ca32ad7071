package register

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time of day and no zone, counted in days with
// 0001-01-01 as day 1 (the "Rata Die" count), so every real date is positive and the
// zero Date can mean "not set" without stealing a date anyone is born on. Use IsZero to
// test for it. Dates compare with < and ==, which keeps ranking keys to integer operations.
type Date int32

const (
	dateLayout = "2006-01-02"
	unixDay    = 719163 // the Date of 1970-01-01
)

// NewDate returns the Date for a year, month and day (normalised as time.Date does).
func NewDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + unixDay)
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// ParseDate parses YYYY-MM-DD. The empty string parses to the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// MustDate is ParseDate for literals in tests and examples; it panics on a bad date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the unset date.
func (d Date) IsZero() bool { return d == 0 }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Unix((int64(d)-unixDay)*86400, 0).UTC() }

// YMD returns the year, month and day of d. It is integer arithmetic (Hinnant's
// civil_from_days), since ages are computed for every member of every application.
func (d Date) YMD() (int, time.Month, int) {
	z := int64(d) - unixDay + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(day)
}

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.Time().Format(dateLayout)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// AddMonths returns d moved by n calendar months, clamping to the month's last day
// (31 January + 1 month = 28 or 29 February), as officers count "12 months".
func (d Date) AddMonths(n int) Date {
	y, m, day := d.YMD()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return NewDate(first.Year(), first.Month(), day)
}

// YearsSince returns the whole years from from to d: a person born on from is that
// old on d. Negative if d is before from.
func (d Date) YearsSince(from Date) int {
	y1, m1, d1 := from.YMD()
	y2, m2, d2 := d.YMD()
	years := y2 - y1
	if m2 < m1 || (m2 == m1 && d2 < d1) {
		years--
	}
	return years
}

// MarshalText encodes d as YYYY-MM-DD ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
