package allocation

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/register"
)

//go:embed bankholidays-england-wales.txt
var englandWales string

// Calendar counts working days: Monday to Friday, less the calendar's bank holidays
// (S9.7: the council's clocks run in working days).
type Calendar struct {
	holidays []register.Date // sorted
	first    register.Date   // the calendar covers whole years first..last
	last     register.Date
}

// EnglandWales returns the England and Wales bank-holiday calendar shipped with the
// engine (bankholidays-england-wales.txt, 2020–2030).
func EnglandWales() *Calendar {
	c, err := ParseCalendar("bankholidays-england-wales.txt", englandWales)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return c
}

// ParseCalendar reads a holiday file: one holiday a line as "YYYY-MM-DD" optionally
// followed by a tab and a name; blank lines and lines starting with # are ignored. The
// calendar covers the whole years from the first holiday's to the last's.
func ParseCalendar(file, text string) (*Calendar, error) {
	c := &Calendar{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		field, _, _ := strings.Cut(line, "\t")
		d, err := register.ParseDate(strings.TrimSpace(field))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: holiday: %v", file, i+1, err)
		}
		if n := len(c.holidays); n > 0 && d <= c.holidays[n-1] {
			return nil, fmt.Errorf("%s:%d: holiday %s: dates must be in ascending order", file, i+1, d)
		}
		c.holidays = append(c.holidays, d)
	}
	if len(c.holidays) == 0 {
		return nil, fmt.Errorf("%s: no holidays", file)
	}
	y0, _, _ := c.holidays[0].YMD()
	y1, _, _ := c.holidays[len(c.holidays)-1].YMD()
	c.first, c.last = register.NewDate(y0, time.January, 1), register.NewDate(y1, time.December, 31)
	return c, nil
}

// Covers reports whether d falls in a year the calendar lists holidays for. Outside
// those years only weekends are skipped.
func (c *Calendar) Covers(d register.Date) bool { return c.first <= d && d <= c.last }

// Holiday reports whether d is a bank holiday.
func (c *Calendar) Holiday(d register.Date) bool {
	_, found := slices.BinarySearch(c.holidays, d)
	return found
}

// WorkingDay reports whether d is a weekday that is not a bank holiday.
func (c *Calendar) WorkingDay(d register.Date) bool {
	switch d.Time().Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.Holiday(d)
}

// AddWorkingDays returns the n-th working day after d (n ≥ 0; n = 0 returns d). A
// request received on d and due "within 10 working days" is due by AddWorkingDays(d, 10).
func (c *Calendar) AddWorkingDays(d register.Date, n int) register.Date {
	for n > 0 {
		d++
		if c.WorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after from up to and including to; zero if
// to is not after from.
func (c *Calendar) WorkingDaysBetween(from, to register.Date) int {
	n := 0
	for d := from + 1; d <= to; d++ {
		if c.WorkingDay(d) {
			n++
		}
	}
	return n
}
