package simulate

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/cbl-lettings/cbl/analytics"
	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
)

// Study is one or two policies run on one or more seeded worlds, summarised: the one
// set of figures every output shows (terminal tables, JSON, tidy CSV, the HTML report).
// Within a seed the policies share the world and every draw (common random numbers);
// across seeds the supply, joiners and behaviour draws differ. Each figure is an
// analytics.Estimate: the mean over the seeds with its 90% interval (one seed: the
// figure itself).
type Study struct {
	// Seeds are the runs' seeds, in order: Config.Seed, Config.Seed+1, ….
	Seeds []uint64      `json:"seeds"`
	Weeks int           `json:"weeks"`
	Start register.Date `json:"start"`
	// Applications is the register at the start (pending ones included).
	Applications int `json:"applications"`
	// Policies name the policies: the base, then the alternative when there is one.
	Policies []PolicyInfo `json:"policies"`
	// Measures are the headline figures (register at the end, lets, bids, refusals, …).
	Measures []Measure `json:"measures"`
	// LetsByBand ("A".."E") and LetsAboveNeed ("1".."4+", the household's need).
	LetsByBand    []Measure `json:"lets_by_band"`
	LetsAboveNeed []Measure `json:"lets_above_need"`
	// Waits are the weeks waited by band and home size (bedsits apart), one wait per
	// policy (N = 0 where a policy let none there), in band then size order.
	Waits []WaitRow `json:"waits"`
	// Bands, Movement and Moves are the first day's band movement (Comparison), from the
	// first seed: the register is the same for every seed. Empty with one policy.
	Bands    []string `json:"bands,omitempty"`
	Movement [][]int  `json:"movement,omitempty"`
	Moves    []Move   `json:"moves,omitempty"`
	// Runs are the seeds' comparisons, in Seeds order.
	Runs []*Comparison `json:"runs"`
	// Equality is left for the equality breakdowns (issue 15): figures by monitoring
	// group, filled by that feature from Runs' Housed lets. Nil until then.
	Equality []equality.Comparison `json:"equality,omitempty"`

	world *World // the first seed's, from RunSeeds
}

// World returns the first seed's world when the study came from RunSeeds (nil
// otherwise), for LetsByGroup: drawing it again cost a Birmingham comparison a tenth of
// its wall time.
func (s *Study) World() *World { return s.world }

// PolicyInfo names a policy in a study.
type PolicyInfo struct {
	Name  string `json:"name"` // id@version
	Title string `json:"title"`
}

// Measure is one figure per policy (analytics.Measure).
type Measure = analytics.Measure

// WaitRow is one band × size of the waits, a wait per policy.
type WaitRow struct {
	Band     string           `json:"band"`
	Size     string           `json:"size"`
	Policies []analytics.Wait `json:"policies"`
}

// Two reports whether the study compares two policies.
func (s *Study) Two() bool { return len(s.Policies) == 2 }

// RunOne runs w under p alone, as a comparison with one outcome (Policies[1] empty).
func RunOne(ctx context.Context, w *World, p *policy.Policy) (*Comparison, error) {
	r, err := Run(ctx, w, p)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Seed: w.Config.Seed, Weeks: len(w.Cycles), Start: w.Start,
		Applications: len(w.Applications), Bands: BandKeys}
	c.Policies[0] = Summarise(r, p)
	return c, nil
}

// RunSeeds runs seeds worlds of cfg on register s — seeds cfg.Seed, cfg.Seed+1, … — each
// under pols (one policy, or a base and an alternative compared on the same world), and
// summarises them as a Study. Seeds run in parallel, as many at once as there are CPUs
// (each comparison also runs its two policies at once); the result does not depend on
// the order they finish in. The first error, or ctx done, stops the rest.
func RunSeeds(ctx context.Context, s *snapshot.Snapshot, cfg Config, seeds int, pols ...*policy.Policy) (*Study, error) {
	if seeds < 1 {
		return nil, fmt.Errorf("simulate: RunSeeds: %d seeds: want at least 1", seeds)
	}
	if len(pols) != 1 && len(pols) != 2 {
		return nil, errors.New("simulate: RunSeeds: want one policy or two to compare")
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	runs := make([]*Comparison, seeds)
	var first *World
	// As many seeds at once as CPUs, though each comparison runs its policies at once too:
	// the two runs of a seed take unequal time, and with one seed at a time a core idles
	// while the slower finishes (measured: 1.5 of 2 cores busy; BENCHMARKS.md).
	slots := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for k := range seeds {
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				return
			}
			c := cfg
			c.Seed = cfg.Seed + uint64(k)
			w, err := NewWorld(s, c)
			if k == 0 {
				first = w
			}
			if err == nil {
				if len(pols) == 2 {
					runs[k], err = Compare(ctx, w, pols[0], pols[1])
				} else {
					runs[k], err = RunOne(ctx, w, pols[0])
				}
			}
			if err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	st := NewStudy(runs)
	st.world = first
	return st, nil
}

// NewStudy summarises comparisons of the same policies on different seeds (from
// Compare or RunOne).
func NewStudy(runs []*Comparison) *Study {
	first := runs[0]
	n := 1
	if first.Policies[1].Policy != "" {
		n = 2
	}
	st := &Study{Weeks: first.Weeks, Start: first.Start, Applications: first.Applications, Runs: runs}
	for _, c := range runs {
		st.Seeds = append(st.Seeds, c.Seed)
	}
	for i := range n {
		st.Policies = append(st.Policies, PolicyInfo{Name: first.Policies[i].Policy, Title: first.Policies[i].Title})
	}
	measure := func(key, label string, f func(c *Comparison, o *Outcome) float64) Measure {
		m := Measure{Key: key, Label: label}
		vals := make([][]float64, n)
		var change []float64
		for _, c := range runs {
			for i := range n {
				vals[i] = append(vals[i], f(c, &c.Policies[i]))
			}
			if n == 2 {
				change = append(change, vals[1][len(vals[1])-1]-vals[0][len(vals[0])-1])
			}
		}
		for i := range n {
			m.Values = append(m.Values, analytics.NewEstimate(vals[i]))
		}
		if n == 2 {
			e := analytics.NewEstimate(change)
			m.Change = &e
		}
		return m
	}
	count := func(f func(o *Outcome) int) func(*Comparison, *Outcome) float64 {
		return func(_ *Comparison, o *Outcome) float64 { return float64(f(o)) }
	}
	for _, m := range []struct {
		key, label string
		f          func(*Comparison, *Outcome) float64
	}{
		{"removed", "removed (stop qualifying)", count(func(o *Outcome) int { return o.Removed })},
		{"register_at_end", "register at end", count(func(o *Outcome) int { return o.Register })},
		{"lets", "lets", count(func(o *Outcome) int { return o.Lets })},
		{"manual_bids", "manual bids", count(func(o *Outcome) int { return o.ManualBids })},
		{"autobids", "autobids", count(func(o *Outcome) int { return o.Autobids })},
		{"autobid_areas", "autobid areas", count(func(o *Outcome) int { return o.AutobidAreas })},
		{"adverts", "adverts", func(_ *Comparison, o *Outcome) float64 { return float64(o.BidsPerAdvert.N) }},
		{"bids_per_advert_mean", "bids per advert: mean", func(_ *Comparison, o *Outcome) float64 { return o.BidsPerAdvert.Mean }},
		{"bids_per_advert_median", "bids per advert: median", func(_ *Comparison, o *Outcome) float64 { return o.BidsPerAdvert.Median }},
		{"bids_per_advert_p90", "bids per advert: p90", func(_ *Comparison, o *Outcome) float64 { return o.BidsPerAdvert.P90 }},
		{"bids_per_advert_max", "bids per advert: max", func(_ *Comparison, o *Outcome) float64 { return o.BidsPerAdvert.Max }},
		{"offers", "offers", count(func(o *Outcome) int { return o.Offers })},
		{"refusals", "refusals", count(func(o *Outcome) int { return o.Refusals })},
		{"counted_refusals", "counted refusals", count(func(o *Outcome) int { return o.Counted })},
		{"closures", "closed for refusals", count(func(o *Outcome) int { return o.Closures })},
		{"discharges", "homeless duties discharged", count(func(o *Outcome) int { return o.Discharges })},
		{"adverts_to_relet", "adverts left to re-let", count(func(o *Outcome) int { return o.Relet })},
	} {
		st.Measures = append(st.Measures, measure(m.key, m.label, m.f))
	}
	if n == 2 {
		st.Measures = append(st.Measures,
			measure("housed_only", "housed under this policy only", func(c *Comparison, o *Outcome) float64 {
				if o == &c.Policies[0] {
					return float64(len(c.OnlyBase))
				}
				return float64(len(c.OnlyAlt))
			}),
			measure("housed_both", "housed under both", func(c *Comparison, _ *Outcome) float64 { return float64(c.HousedBoth) }))
		st.Bands, st.Movement, st.Moves = first.Bands, first.Movement, first.Moves
	}
	for _, b := range BandKeys[:5] {
		st.LetsByBand = append(st.LetsByBand, measure(b, "Band "+b,
			count(func(o *Outcome) int { return o.LetsByBand[b] })))
	}
	for _, k := range []string{"1", "2", "3", "4+"} {
		st.LetsAboveNeed = append(st.LetsAboveNeed, measure(k, "need "+k,
			count(func(o *Outcome) int { return o.LetsAboveNeed[k] })))
	}
	for _, b := range BandKeys {
		for _, size := range analytics.Sizes {
			row := WaitRow{Band: b, Size: size}
			any := false
			for i := range n {
				var ws []analytics.Wait
				for _, c := range runs {
					for _, w := range c.Policies[i].Waits {
						if w.Band == b && w.Size == size {
							ws = append(ws, w)
						}
					}
				}
				w := analytics.PoolWaits(len(runs), ws)
				w.Band, w.Size = b, size
				any = any || w.N > 0
				row.Policies = append(row.Policies, w)
			}
			if any {
				st.Waits = append(st.Waits, row)
			}
		}
	}
	return st
}

// Table is one of a study's tables as text, in the order and with the headers the
// terminal prints: Name is a short file-safe name ("summary", "waits").
type Table struct {
	Name   string     `json:"name"`
	Title  string     `json:"title"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// Tables are the study's tables for people: a summary of the headline figures, lets by
// band, weeks waited by band and size (quartiles; a "*" after the lets marks a cell of
// fewer than 5 lets a run), lets above need, and with two policies the band movement on
// the first day and why households move. Every figure is an Estimate's String.
func (s *Study) Tables() []Table {
	two := s.Two()
	head := func(first string) []string {
		h := []string{first}
		for _, p := range s.Policies {
			h = append(h, p.Name)
		}
		if two {
			h = append(h, "difference")
		}
		return h
	}
	rows := func(ms []Measure) [][]string {
		var out [][]string
		for _, m := range ms {
			r := []string{m.Label}
			for _, v := range m.Values {
				r = append(r, v.String())
			}
			if m.Change != nil {
				r = append(r, m.Change.Signed())
			}
			out = append(out, r)
		}
		return out
	}
	seeds := fmt.Sprintf("seed %d", s.Seeds[0])
	if len(s.Seeds) > 1 {
		seeds = fmt.Sprintf("seeds %d–%d (mean [90%% interval] over %d runs)", s.Seeds[0], s.Seeds[len(s.Seeds)-1], len(s.Seeds))
	}
	summary := Table{Name: "summary", Title: fmt.Sprintf("Summary: %d weeks from %s, %s, %d applications at the start",
		s.Weeks, s.Start, seeds, s.Applications), Header: head("measure"), Rows: rows(s.Measures)}
	lets := Table{Name: "lets_by_band", Title: "Lets by band (band held at close)", Header: head("band"), Rows: rows(s.LetsByBand)}
	for i := range lets.Rows {
		lets.Rows[i][0] = s.LetsByBand[i].Key
	}
	above := Table{Name: "lets_above_need", Title: "Lets of homes larger than the household's need, by need",
		Header: head("need"), Rows: rows(s.LetsAboveNeed)}
	for i := range above.Rows {
		above.Rows[i][0] = s.LetsAboveNeed[i].Key
	}
	waits := Table{Name: "waits", Title: "Weeks from registration to let, by band and home size (quartiles; * fewer than 5 lets a run)",
		Header: []string{"band", "size"}}
	for _, p := range s.Policies {
		waits.Header = append(waits.Header, p.Name+" lets", "median", "q1", "q3")
	}
	for _, wr := range s.Waits {
		r := []string{wr.Band, wr.Size}
		for _, w := range wr.Policies {
			r = append(r, WaitCells(w)...)
		}
		waits.Rows = append(waits.Rows, r)
	}
	out := []Table{summary, lets, waits, above}
	if !two {
		return out
	}
	mv := Table{Name: "movement", Title: fmt.Sprintf("Band movement on the first day (rows %s, columns %s)", s.Policies[0].Name, s.Policies[1].Name),
		Header: append([]string{"from \\ to"}, s.Bands...)}
	for i, b := range s.Bands {
		r := []string{b}
		for _, v := range s.Movement[i] {
			r = append(r, strconv.Itoa(v))
		}
		mv.Rows = append(mv.Rows, r)
	}
	moves := Table{Name: "moves", Title: "Why they move (deciding criterion or failed qualification rule)",
		Header: []string{"from", "to", "because (" + s.Policies[0].Name + ")", "because (" + s.Policies[1].Name + ")", "applications"}}
	for _, m := range s.Moves {
		moves.Rows = append(moves.Rows, []string{m.From, m.To, m.FromWhy, m.ToWhy, strconv.Itoa(m.Applications)})
	}
	return append(out, mv, moves)
}

// WaitCells are a wait's cells in the waits table, in the report's order: lets (with "*"
// when Few), median (with its interval over several runs), q1 and q3, in weeks; "–"
// where there were no lets.
func WaitCells(w analytics.Wait) []string {
	if w.N == 0 {
		return []string{"–", "–", "–", "–"}
	}
	n := strconv.Itoa(w.N)
	if w.Few() {
		n += "*"
	}
	med := analytics.Estimate{Mean: w.Median, Lo: w.MedianLo, Hi: w.MedianHi, Runs: w.Runs}
	return []string{n, med.String(), analytics.Format(w.Q1), analytics.Format(w.Q3)}
}
