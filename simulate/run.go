package simulate

import (
	"context"
	"errors"
	"fmt"
	"github.com/cbl-lettings/cbl/analytics"
	"slices"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
)

// World is what every policy run of a comparison shares: the register at the start, the
// weekly supply of homes and the joiners, all drawn once and independent of any policy.
type World struct {
	Config    Config
	Geography *policy.Policy
	Start     register.Date
	// Applications are the register at the start: pending, active and suspended
	// applications (closed ones are not on the register).
	Applications []register.Application
	Landlords    []bidding.Landlord
	Cycles       []bidding.Cycle
	Adverts      [][]bidding.Advert // per cycle
	// Joiners[w] join before cycle w closes: pending, with no band history yet.
	Joiners [][]register.Application
}

// NewWorld draws the supply and joiners of cfg.Weeks cycles after register s.
func NewWorld(s *snapshot.Snapshot, cfg Config) (*World, error) {
	if s == nil {
		return nil, errors.New("simulate: NewWorld: no register")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	geo, err := policy.Builtin(cfg.Synth.Policy)
	if err != nil {
		return nil, err
	}
	w := &World{Config: cfg, Geography: geo, Start: cfg.Start, Applications: make([]register.Application, 0, len(s.Applications))}
	var lastCycle, lastAdvert, lastApp int64
	for _, c := range s.Cycles {
		lastCycle = max(lastCycle, c.ID)
		w.Start = max(w.Start, geo.Day(c.Closes)+1)
	}
	for _, a := range s.Adverts {
		lastAdvert = max(lastAdvert, a.ID)
		w.Start = max(w.Start, geo.Day(a.Closes)+1)
	}
	// One string per value of the fields every week compares or looks up for every
	// household (status, area, homeless duty, …), shared by the households: read from
	// files, each value is a slice of its household's own CSV line somewhere in the heap,
	// and comparing "active" with "closed", or looking a bidder's area up by name, missed
	// the cache on it (~0.15 s of a Birmingham comparison).
	values := map[string]string{}
	shared := func(s *string) {
		if v, ok := values[*s]; ok {
			*s = v
		} else {
			values[*s] = *s
		}
	}
	for i := range s.Applications {
		a := &s.Applications[i]
		lastApp = max(lastApp, a.ID)
		w.Start = max(w.Start, a.Registered+1)
		if a.Status != register.StatusClosed {
			w.Applications = append(w.Applications, *a)
			b := &w.Applications[len(w.Applications)-1]
			shared((*string)(&b.Status))
			shared(&b.StatusReason)
			shared(&b.Area)
			shared((*string)(&b.Mobility))
			shared((*string)(&b.Home.Tenure))
			shared((*string)(&b.Flags.HomelessDuty))
		}
	}
	if cfg.Start != 0 {
		w.Start = cfg.Start
	}
	slices.SortFunc(w.Applications, func(a, b register.Application) int { return int(a.ID - b.ID) })

	sc := cfg.Synth
	sc.Seed, sc.AsOf, sc.Supply.Cycles = cfg.Seed, w.Start, cfg.Weeks
	if w.Cycles, err = synth.Cycles(&sc, geo); err != nil {
		return nil, err
	}
	for i := range w.Cycles {
		w.Cycles[i].ID = lastCycle + int64(i) + 1
	}
	ads, err := synth.Adverts(&sc, geo, w.Cycles, lastAdvert+1)
	if err != nil {
		return nil, err
	}
	w.Adverts = make([][]bidding.Advert, len(w.Cycles))
	for _, a := range ads {
		k := a.Cycle - lastCycle - 1
		w.Adverts[k] = append(w.Adverts[k], a)
	}
	w.Landlords = slices.Clone(s.Landlords)
	for _, l := range synth.Landlords(&sc) {
		if !slices.ContainsFunc(w.Landlords, func(x bidding.Landlord) bool { return x.ID == l.ID }) {
			w.Landlords = append(w.Landlords, l)
		}
	}
	w.Joiners = make([][]register.Application, len(w.Cycles))
	from, next := w.Start, lastApp+1
	for i, c := range w.Cycles {
		to := geo.Day(c.Closes)
		if to <= from || sc.Register.JoinersPerMonth == 0 {
			continue
		}
		js, err := synth.Joiners(sc, geo, from, to, next)
		if err != nil {
			return nil, err
		}
		next += int64(len(js))
		// Kept in js's own array, not appended to a new one: growing a copy of the year's
		// joiners (7 MB at Birmingham scale) was on the path before the runs start.
		kept := js[:0]
		for _, j := range js {
			if j.Status == register.StatusClosed {
				continue // refused at registration
			}
			j.Status, j.StatusReason, j.History = register.StatusPending, "", nil
			kept = append(kept, j)
		}
		clear(js[len(kept):]) // what the dropped ones held is garbage
		w.Joiners[i] = kept
		from = to
	}
	return w, nil
}

// Housed is one household housed by a run.
type Housed struct {
	Application int64         `json:"application"`
	Cycle       int64         `json:"cycle"`
	Advert      int64         `json:"advert"`
	Landlord    string        `json:"landlord"`
	Route       string        `json:"route"`
	On          register.Date `json:"on"`
	Registered  register.Date `json:"registered"`
	Band        register.Band `json:"band"`
	Effective   register.Date `json:"effective"`
	Position    int           `json:"position"`
	Bedrooms    int           `json:"bedrooms"` // the home's
	Type        string        `json:"type"`     // the home's property type
	Need        int           `json:"need"`     // the household's smallest allowed size at close
}

// WeekStats are one cycle's figures in a run.
type WeekStats struct {
	Cycle        int64 `json:"cycle"`
	Applications int   `json:"applications"` // on the register at close
	Joined       int   `json:"joined"`
	Left         int   `json:"left"`
	Changed      int   `json:"changed"`
	WeekSummary
}

// Size is the let home's size group (analytics.SizeOf): bedsits apart.
func (h *Housed) Size() string { return analytics.SizeOf(h.Bedrooms, h.Type == "bedsit") }

// Weeks is the household's wait: weeks from registration to the day the offer was
// accepted. Every output measures a wait this way.
func (h *Housed) Weeks() float64 { return analytics.WeeksBetween(int(h.On - h.Registered)) }

// RunResult is one policy's run over the world's cycles.
type RunResult struct {
	Policy string      `json:"policy"`
	Weeks  []WeekStats `json:"weeks"`
	// Housed are the lets, in cycle then advert processing order.
	Housed    []Housed              `json:"housed"`
	Sanctions []allocation.Sanction `json:"sanctions"`
	// BidsPerAdvert counts each advert's bids (manual and autobids), in cycle then advert
	// id order.
	BidsPerAdvert []int `json:"bids_per_advert"`
	// Removed are the applications that qualified under the geography policy (the one in
	// force before the run) but not under this one: they leave the register on the first
	// day.
	Removed []int64 `json:"removed"`
	// NotQualifying counts joiners who did not qualify when their application was decided.
	NotQualifying int `json:"not_qualifying"`
	// Register is how many applications are on the register at the end.
	Register int `json:"register"`

	// firstDay is each non-pending application of the world's register, in its order:
	// its band key and deciding criterion (decides) under the policy on the first day,
	// before any leaves. Compare's band movement is these two runs' firstDay side by
	// side: assessing the register again for it cost a Birmingham comparison ~0.1
	// CPU-seconds, taken from the two runs' cores.
	firstDay []decision
}

// decision is an application's band key and what decided it (decides).
type decision struct{ key, why string }

// Run runs every cycle of w under p: before each cycle closes, joiners join (and pending
// applications are decided once PendingDays have passed), leavers leave, circumstances
// change and closures for refusals that have run out end; then Week runs the cycle and
// the households housed leave the register. The register is re-banded under p on the
// first day (the policy comes into force; applications that stop qualifying leave the
// register, RunResult.Removed), and households in an autobid area p does not
// have move to one of its areas. Run checks ctx before each week (and Week within it)
// and returns ctx.Err() once it is done.
func Run(ctx context.Context, w *World, p *policy.Policy) (*RunResult, error) {
	if w == nil {
		return nil, errors.New("simulate: Run: no world (make one with NewWorld)")
	}
	if p == nil {
		return nil, errors.New("simulate: Run: no policy")
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return nil, err
	}
	cfg := &w.Config
	seed := cfg.Seed
	out := &RunResult{Policy: p.Name(), firstDay: make([]decision, 0, len(w.Applications))}
	// Every change to an application below is reported to the assessor, which assesses
	// only those (and the ones a date moves on) at each close; it starts from the first
	// day's assessments.
	assessor := bidding.NewAssessor(rules)
	// Room for a month's joiners; append grows it if the register grows by more. Room for
	// every joiner of the run (a year's: 43k applications at Birmingham scale, where the
	// register peaks at 28k as households leave and are housed) counted 6 MB a run
	// towards the live heap, and so ~24 MB towards the heap the collector lets grow
	// (GOGC=300) and the pages faulted in to hold it.
	apps := make([]register.Application, 0, len(w.Applications)+cfg.Synth.Register.JoinersPerMonth)
	for _, a := range w.Applications {
		remapArea(&a, w.Geography, p, seed)
		if a.Status == register.StatusPending {
			apps = append(apps, a)
			continue
		}
		var was banding.Assessment
		if p != w.Geography { // under the geography policy itself, was is as below
			if was, err = banding.Assess(&a, w.Geography, w.Start); err != nil {
				return nil, fmt.Errorf("simulate: application %d: %w", a.ID, err)
			}
		}
		as, err := reband(&a, p, w.Start, "policy "+p.Name()+" in force")
		if err != nil {
			return nil, err
		}
		if p == w.Geography {
			was = as
		}
		key, why := decides(&as)
		out.firstDay = append(out.firstDay, decision{key, why})
		if was.Qualifies && !as.Qualifies {
			out.Removed = append(out.Removed, a.ID) // no longer qualifies: off the register
			continue
		}
		apps = append(apps, a)
		assessor.Keep(&a, &as, w.Start) // as reband left it
	}
	model := newBidModel(&cfg.Synth.Behaviour, w.Geography)
	pLeave := perWeek(cfg.Synth.Behaviour.LeaversPerMonthPercent / 100)
	pChange := perWeek(cfg.Synth.Behaviour.ChangesPerMonth)
	pending := register.Date(cfg.Synth.Register.PendingDays)
	changer, err := newChanger(cfg.Synth, w.Geography, w.Start)
	if err != nil {
		return nil, err
	}
	// housed are the households housed at the last close: they leave the register in the
	// next week's pass over it (or after the last week), as a pass of their own moved
	// every application after the first of them down, a second copy of the register a
	// week.
	housed := map[int64]bool{}
	// hs[i] is apps[i]'s id and area, for the bid model, taken in the pass over the
	// register that has each application at hand (household).
	var hs []household
	for wk, c := range w.Cycles {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.Policy = p.Name()
		day := p.Day(c.Closes)
		st := WeekStats{}
		for _, j := range w.Joiners[wk] {
			remapArea(&j, w.Geography, p, seed)
			apps = append(apps, j)
			st.Joined++
		}
		// apps[:n] are the ones kept so far; each is changed in place and moved down only
		// once one before it has left, as copying every application every week cost more
		// than the rest of the loop.
		n := 0
		hs = hs[:0]
		for i := range apps {
			a := &apps[i]
			id := a.ID
			switch {
			case housed[id]:
				continue
			case unit(key(seed, drawLeave, c.ID, id)) < pLeave:
				st.Left++
				continue
			case a.Status == register.StatusPending && a.Registered+pending <= day:
				as, err := reband(a, p, day, "application decided")
				if err != nil {
					return nil, err
				}
				if !as.Qualifies {
					out.NotQualifying++
					continue
				}
				a.Status = register.StatusActive
				assessor.Changed(id)
			case a.Status == register.StatusClosed && a.StatusUntil != 0 && a.StatusUntil <= day:
				a.Status, a.StatusReason, a.StatusUntil = register.StatusActive, "", 0
				assessor.Changed(id)
			case (a.Status == register.StatusActive || a.Status == register.StatusSuspended) &&
				unit(key(seed, drawChange, c.ID, id)) < pChange:
				ch, ok, err := change(changer, w.Geography, p, seed, c.ID, a, day)
				if err != nil {
					return nil, err
				}
				if ok {
					*a = ch
					st.Changed++
					assessor.Changed(id)
				}
			}
			if n != i {
				apps[n] = *a
			}
			hs = append(hs, household{id, a.Area})
			n++
		}
		apps = apps[:n]
		ix, err := assessor.Assess(apps, day)
		if err != nil {
			return nil, fmt.Errorf("simulate: cycle %d: %w", c.ID, err)
		}
		bids := model.bids(seed, rules, ix, hs, c, w.Adverts[wk])
		res, err := Week(ctx, &WeekInput{Rules: rules, Cycle: c, Applications: apps, Landlords: w.Landlords,
			Adverts: w.Adverts[wk], Bids: bids, Index: ix, Behaviour: cfg.Behaviour, Seed: seed})
		if err != nil {
			return nil, err
		}
		if cfg.Observe != nil {
			cfg.Observe(res, apps)
		}
		st.Cycle, st.Applications, st.WeekSummary = c.ID, len(apps), res.Summary()
		out.Weeks = append(out.Weeks, st)
		for _, refs := range res.Closed.Closing.Bids {
			out.BidsPerAdvert = append(out.BidsPerAdvert, len(refs))
		}
		out.Sanctions = append(out.Sanctions, res.Result.Sanctions...)

		allocation.WriteBack(apps, res.Steps) // as the store writes each decision's step back
		for _, step := range res.Steps {
			for _, c := range step.Applications {
				assessor.Changed(c.After.ID)
			}
		}
		homes := map[int64]*bidding.Advert{}
		for i := range w.Adverts[wk] {
			homes[w.Adverts[wk][i].ID] = &w.Adverts[wk][i]
		}
		clear(housed)
		for _, l := range res.Result.Lets {
			k, ok := ix.Find(l.Application)
			if !ok {
				return nil, fmt.Errorf("simulate: cycle %d: let to application %d, not on the register", c.ID, l.Application)
			}
			need, registered := int(ix.Profiles[k].BedMin), ix.Profiles[k].Registered
			out.Housed = append(out.Housed, Housed{Application: l.Application, Cycle: c.ID, Advert: l.Advert,
				Landlord: l.Landlord, Route: l.Route, On: l.On, Registered: registered,
				Band: l.Band, Effective: l.Effective, Position: l.Position, Bedrooms: homes[l.Advert].Bedrooms, Type: homes[l.Advert].Type, Need: need})
			housed[l.Application] = true
		}
		if cfg.Progress != nil {
			cfg.Progress(p.Name(), wk+1, len(w.Cycles))
		}
	}
	out.Register = len(apps)
	for i := range apps {
		if housed[apps[i].ID] {
			out.Register--
		}
	}
	return out, nil
}
