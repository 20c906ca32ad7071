package register

import (
	"errors"
	"fmt"
	"time"
)

// The dates and times the register accepts, wherever they come from — a command's
// --at or --as-of, a snapshot's cells, an officer's decision — lie from Earliest to a
// little after now. One mistyped year (2205 for 2025, 9999 for "far away") otherwise
// becomes part of an append-only record: every later decision is "before the last
// recorded decision", a cycle closes in year 10000 and its export no longer reads.
//
// How far after now depends on what the value says:
//
//   - something that has happened (a decision, a bid, a registration, a birth): now
//     plus a tolerance for clocks and time zones — ClockSkew for a time, DateSkew for a
//     calendar date (today in one zone is tomorrow in another);
//   - the week of a bidding cycle being opened: now plus CycleAhead, so next week's
//     cycle can be opened in advance;
//   - a date planned ahead (a suspension's end, a due date, a cycle or advert closing):
//     now plus PlanAhead.
//
// Check with UpTo(now, ahead).CheckTime or .CheckDate; the error says the range.
const (
	// MinYear is the first year accepted: nobody on a register was born before 1900.
	MinYear = 1900
	// ClockSkew is how far after now a time that has happened may be: two machines'
	// clocks disagree by seconds, rarely minutes.
	ClockSkew = 5 * time.Minute
	// DateSkew is how far after today (UTC) a date that has happened may be: a day, as
	// the day of a time in the scheme's zone may be the next day in UTC.
	DateSkew = 24 * time.Hour
	// CycleAhead is how far ahead a bidding cycle may be opened: two weeks.
	CycleAhead = 14 * 24 * time.Hour
	// PlanAhead is how far ahead a planned date may be: five years (of 365 days).
	PlanAhead = 5 * 365 * 24 * time.Hour
)

// Earliest is the first date accepted: 1 January of MinYear.
var Earliest = NewDate(MinYear, time.January, 1)

// ErrOutOfRange is wrapped by every *RangeError.
var ErrOutOfRange = errors.New("out of range")

// TimeRange is the span a date or time must fall in: from Earliest (midnight UTC) to
// Latest, which is now plus Ahead.
type TimeRange struct {
	Latest time.Time
	Ahead  time.Duration
}

// UpTo returns the range from Earliest to now plus ahead.
func UpTo(now time.Time, ahead time.Duration) TimeRange {
	return TimeRange{Latest: now.Add(ahead), Ahead: ahead}
}

// CheckTime returns a *RangeError if t is before Earliest or after r.Latest.
func (r TimeRange) CheckTime(t time.Time) error {
	if t.Before(Earliest.Time()) || t.After(r.Latest) {
		return &RangeError{Value: t.Format(time.RFC3339Nano), Range: r, dates: false}
	}
	return nil
}

// CheckDate returns a *RangeError if d is before Earliest or after the day of r.Latest
// (in UTC). The zero Date ("not set") is in range.
func (r TimeRange) CheckDate(d Date) error {
	if d.IsZero() {
		return nil
	}
	if d < Earliest || d > DateOf(r.Latest.UTC()) {
		return &RangeError{Value: d.String(), Range: r, dates: true}
	}
	return nil
}

// RangeError is a date or time outside its TimeRange. Its message gives the range:
// "2999-06-01: want a date from 1900-01-01 to 2026-12-03 (today plus 1 day)".
type RangeError struct {
	Value string
	Range TimeRange
	dates bool
}

func (e *RangeError) Error() string { return e.Value + ": " + e.Want() }

// Want says the range allowed: "want a date from 1900-01-01 to 2026-12-03 (today plus 1
// day)".
func (e *RangeError) Want() string {
	if e.dates {
		return fmt.Sprintf("want a date from %s to %s (today plus %s)",
			Earliest, DateOf(e.Range.Latest.UTC()), Describe(e.Range.Ahead))
	}
	return fmt.Sprintf("want a time from %sT00:00:00Z to %s (now plus %s)",
		Earliest, e.Range.Latest.UTC().Truncate(time.Second).Format(time.RFC3339), Describe(e.Range.Ahead))
}

func (e *RangeError) Unwrap() error { return ErrOutOfRange }

// Describe says a tolerance as people do: "5 minutes", "1 day", "14 days", "5 years".
func Describe(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	const day = 24 * time.Hour
	switch {
	case d >= 365*day && d%(365*day) == 0:
		return plural(int64(d/(365*day)), "year")
	case d >= day && d%day == 0:
		return plural(int64(d/day), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}
