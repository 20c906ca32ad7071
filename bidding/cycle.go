package bidding

import (
	"fmt"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/policy"
)

// CycleAt returns cycle id: the weekly window (policy cycle rules, S6.1) that
// opens at the latest opening at or before t. Opening and closing are wall-clock times
// in the policy's time zone, so a window spanning a clock change is an hour shorter or
// longer than a week's worth of hours. By default a cycle opens Thursday 00:00 and
// closes Tuesday 23:59, Europe/London, taking bids to the end of that minute (Ends).
func CycleAt(p *policy.Policy, id int64, t time.Time) (Cycle, error) {
	loc := p.Location()
	if loc == nil {
		return Cycle{}, fmt.Errorf("policy %s: no time zone loaded", p.Name())
	}
	openDay, openH, openM, err := weekClock(p.Cycle.Opens)
	if err != nil {
		return Cycle{}, fmt.Errorf("policy %s: cycle.opens: %w", p.Name(), err)
	}
	closeDay, closeH, closeM, err := weekClock(p.Cycle.Closes)
	if err != nil {
		return Cycle{}, fmt.Errorf("policy %s: cycle.closes: %w", p.Name(), err)
	}
	local := t.In(loc)
	back := (int(local.Weekday()) - int(openDay) + 7) % 7
	y, m, d := local.Date()
	opens := time.Date(y, m, d-back, openH, openM, 0, 0, loc)
	if opens.After(t) {
		opens = time.Date(y, m, d-back-7, openH, openM, 0, 0, loc)
	}
	y, m, d = opens.Date()
	ahead := (int(closeDay) - int(openDay) + 7) % 7
	closes := time.Date(y, m, d+ahead, closeH, closeM, 0, 0, loc)
	if !closes.After(opens) {
		closes = time.Date(y, m, d+ahead+7, closeH, closeM, 0, 0, loc)
	}
	return Cycle{ID: id, Opens: opens, Closes: closes, Policy: p.Name()}, nil
}

// CycleFrom returns the cycle whose window has not ended at t: the one containing t, or
// on a day between two windows (nn-2021's Wednesday) the next one — never a week that has
// already closed. Opening "this week's" cycle on any day gives the week bids go into.
func CycleFrom(p *policy.Policy, id int64, t time.Time) (Cycle, error) {
	c, err := CycleAt(p, id, t)
	if err != nil || t.Before(c.Ends()) {
		return c, err
	}
	return CycleAt(p, id, c.Opens.AddDate(0, 0, 7))
}

// Open reports whether bids may be placed or withdrawn at t: Opens ≤ t < Ends(). The
// last minute counts: a cycle that closes at 23:59 takes a bid at 23:59:30 (S6.1).
func (c *Cycle) Open(t time.Time) bool {
	return !t.Before(c.Opens) && t.Before(c.Ends())
}

// Ends is the first instant after the window: the end of the minute Closes names. A
// policy names its closing time to the minute ("tuesday 23:59"), and people read
// "closes at 23:59" as "until 23:59 is over", so Closes itself is still open. Closes
// stays the named minute because its day is the closing day everywhere else (the day
// bands are read for the shortlist).
func (c *Cycle) Ends() time.Time {
	return c.Closes.Truncate(time.Minute).Add(time.Minute)
}

// Millis returns t as milliseconds after the cycle opened, clamped to what a key holds.
func (c *Cycle) Millis(t time.Time) uint32 {
	d := t.Sub(c.Opens).Milliseconds()
	return uint32(min(max(d, 0), 1<<32-1))
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func weekClock(w policy.WeekClock) (time.Weekday, int, int, error) {
	day, ok := weekdays[strings.ToLower(w.Weekday)]
	if !ok {
		return 0, 0, 0, fmt.Errorf("weekday %q", w.Weekday)
	}
	hm, err := time.Parse("15:04", w.Time)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("time %q: want HH:MM", w.Time)
	}
	return day, hm.Hour(), hm.Minute(), nil
}
