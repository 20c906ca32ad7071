package simulate

import (
	"errors"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/register"
)

// EqualityRecorder gathers a run's outcomes by household for package equality: set
// Config.Observe to its Week method, run, then call Input. The register is every
// household on it at some cycle's close; bids are the bids at close (ranked and
// skipped, autobids included); first-five places are places 1 to 5 of every shortlist.
type EqualityRecorder struct {
	in   equality.Input
	seen map[int64]int // application id → index in in.Applications
}

// Week records one cycle: pass it as Config.Observe.
func (r *EqualityRecorder) Week(res *WeekResult, apps []register.Application) {
	if r.seen == nil {
		r.seen = map[int64]int{}
	}
	for i := range apps {
		a := &apps[i]
		if k, ok := r.seen[a.ID]; ok {
			r.in.Applications[k] = *a // the latest facts (a change of circumstances)
			continue
		}
		r.seen[a.ID] = len(r.in.Applications)
		r.in.Applications = append(r.in.Applications, *a)
		r.in.Register = append(r.in.Register, a.ID)
	}
	for _, sl := range res.Closed.Shortlists {
		for k, e := range sl.Ranked {
			r.in.Bids = append(r.in.Bids, e.Application)
			if k < 5 {
				r.in.FirstFive = append(r.in.FirstFive, e.Application)
			}
		}
		for _, e := range sl.Skipped {
			r.in.Bids = append(r.in.Bids, e.Application)
		}
	}
	for _, o := range res.Result.Offers {
		r.in.Offers = append(r.in.Offers, o.Application)
	}
	for _, l := range res.Result.Lets {
		r.in.Lets = append(r.in.Lets, equality.Let{Application: l.Application, On: l.On})
		if l.On > r.in.AsOf {
			r.in.AsOf = l.On
		}
	}
	if d := res.Closed.Closing.Cycle.Closes; !d.IsZero() {
		if day := res.Allocation.Policy.Day(d); day > r.in.AsOf {
			r.in.AsOf = day
		}
	}
}

// Input is what was recorded, for equality.Tabulate. AsOf is the last day recorded.
func (r *EqualityRecorder) Input() *equality.Input { return &r.in }

// HousedLets are a run's lets, for equality.CompareLets.
func HousedLets(h []Housed) []equality.Let {
	out := make([]equality.Let, len(h))
	for i, x := range h {
		out[i] = equality.Let{Application: x.Application, On: x.On}
	}
	return out
}

// Households are every household of w as it starts or joins: the register it starts from
// and every joiner, for equality.CompareLets. Their monitoring data does not change in a
// run; their members may (a birth), so a household type is the one it joined with.
func (w *World) Households() []register.Application {
	n := len(w.Applications)
	for _, j := range w.Joiners {
		n += len(j)
	}
	out := make([]register.Application, 0, n)
	out = append(out, w.Applications...)
	for _, j := range w.Joiners {
		out = append(out, j...)
	}
	return out
}

// EqualityDimensions are the groups a comparison breaks lets down by: the first questions
// of an Equality Impact Assessment of a policy change — does it move lets between age
// groups, or away from disabled households?
var EqualityDimensions = []equality.Dimension{equality.ByAge, equality.ByDisability}

// LetsByGroup compares the two policies' lets in the first seed's run by each of dims
// (equality.CompareLets, counts under equality.DefaultSuppress suppressed), the households
// taken from w, that run's world (ages on its first day), and keeps them in s.Equality
// for the terminal, JSON and the report alike.
func (s *Study) LetsByGroup(w *World, dims ...equality.Dimension) error {
	if len(s.Runs) == 0 || len(s.Runs[0].Policies) != 2 {
		return errors.New("simulate: lets by group need a comparison of two policies")
	}
	c := s.Runs[0]
	if c.Policies[0].Run == nil || c.Policies[1].Run == nil {
		return errors.New("simulate: lets by group: the comparison holds no runs")
	}
	if w == nil {
		return errors.New("simulate: lets by group: no world")
	}
	households := w.Households()
	s.Equality = nil
	for _, by := range dims {
		cmp, err := equality.CompareLets(by, w.Start, households, HousedLets(c.Policies[0].Run.Housed),
			HousedLets(c.Policies[1].Run.Housed), equality.DefaultSuppress)
		if err != nil {
			return err
		}
		s.Equality = append(s.Equality, *cmp)
	}
	return nil
}
