package simulate

import (
	"cmp"
	"context"
	"errors"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/analytics"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Comparison is two policies run on the same world — the same register, homes, joiners
// and draws — side by side. It is plain data for tables and the HTML report; every
// difference in it comes from the policies.
type Comparison struct {
	Seed  uint64        `json:"seed"`
	Weeks int           `json:"weeks"`
	Start register.Date `json:"start"`
	// Applications is the register at the start (pending ones included).
	Applications int `json:"applications"`
	// Policies are the base policy's outcome, then the alternative's.
	Policies [2]Outcome `json:"policies"`
	// Bands labels the rows (base) and columns (alternative) of Movement.
	Bands []string `json:"bands"`
	// Movement[i][j] counts the applications in band Bands[i] under the base policy and
	// Bands[j] under the alternative on the first day ("none": does not qualify).
	Movement [][]int `json:"movement"`
	// Moves groups the applications whose band or deciding criterion (or failed
	// qualification rule) differs between the policies, by both.
	Moves []Move `json:"moves"`
	// Housed in both runs, and only in one (ids ascending).
	HousedBoth int     `json:"housed_both"`
	OnlyBase   []int64 `json:"only_base"`
	OnlyAlt    []int64 `json:"only_alt"`
}

// Move is a group of applications moved between bands by the policy change.
type Move struct {
	From         string `json:"from"`
	To           string `json:"to"`
	FromWhy      string `json:"from_why"` // the base policy's deciding criterion or failed rule
	ToWhy        string `json:"to_why"`
	Applications int    `json:"applications"`
}

// Outcome is one policy's run summarised.
type Outcome struct {
	Policy       string `json:"policy"`
	Title        string `json:"title"`
	AutobidAreas int    `json:"autobid_areas"`
	// Removed stopped qualifying on the first day and left the register.
	Removed  int `json:"removed"`
	Register int `json:"register_at_end"`
	Lets     int `json:"lets"`
	// LetsByBand counts lets by the band the household held at close ("A".."E").
	LetsByBand map[string]int `json:"lets_by_band"`
	// LetsAboveNeed counts lets of homes larger than the household's need, by need.
	LetsAboveNeed map[string]int `json:"lets_above_need"`
	// Waits are the weeks from registration to let by band and home size (bedsits
	// apart), in BandKeys then analytics.Sizes order; cells without lets are left out.
	Waits      []analytics.Wait `json:"waits"`
	ManualBids int              `json:"manual_bids"`
	Autobids   int              `json:"autobids"`
	// BidsPerAdvert spreads the bids (manual and autobids) per advert.
	BidsPerAdvert analytics.Spread `json:"bids_per_advert"`
	Offers        int              `json:"offers"`
	Refusals      int              `json:"refusals"`
	Counted       int              `json:"counted_refusals"`
	// Closures are applications closed for counted refusals; Discharges, homeless duties
	// discharged by a refused final offer.
	Closures   int `json:"closures"`
	Discharges int `json:"discharges"`
	Relet      int `json:"adverts_to_relet"`

	Run *RunResult `json:"-"`
}

// Compare runs w under base and alt (concurrently; each run is deterministic) and
// compares them. When ctx is done, or one run fails, the other stops at its next week;
// Compare then returns ctx.Err() or that run's error.
func Compare(ctx context.Context, w *World, base, alt *policy.Policy) (*Comparison, error) {
	if w == nil {
		return nil, errors.New("simulate: Compare: no world (make one with NewWorld)")
	}
	if base == nil || alt == nil {
		return nil, errors.New("simulate: Compare: needs two policies, base and alt")
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c := &Comparison{Seed: w.Config.Seed, Weeks: len(w.Cycles), Start: w.Start,
		Applications: len(w.Applications), Bands: BandKeys}
	var runs [2]*RunResult
	var wg sync.WaitGroup
	for i, p := range []*policy.Policy{base, alt} {
		wg.Go(func() {
			var err error
			if runs[i], err = Run(ctx, w, p); err != nil {
				cancel(err) // the first error is the cause; the other run stops
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	c.Policies[0] = Summarise(runs[0], base)
	c.Policies[1] = Summarise(runs[1], alt)
	if base.Name() == alt.Name() && base.File != alt.File && base.File != "" && alt.File != "" {
		// An analyst's copy of a shipped policy keeps its id@version: tell the columns apart
		// by file.
		c.Policies[0].Policy += " (" + path.Base(filepath.ToSlash(base.File)) + ")"
		c.Policies[1].Policy += " (" + path.Base(filepath.ToSlash(alt.File)) + ")"
	}
	c.movement(runs[0].firstDay, runs[1].firstDay)
	in := map[int64]int{}
	for k, r := range runs {
		for _, h := range r.Housed {
			in[h.Application] |= 1 << k
		}
	}
	for id, m := range in {
		switch m {
		case 3:
			c.HousedBoth++
		case 1:
			c.OnlyBase = append(c.OnlyBase, id)
		case 2:
			c.OnlyAlt = append(c.OnlyAlt, id)
		}
	}
	slices.Sort(c.OnlyBase)
	slices.Sort(c.OnlyAlt)
	c.OnlyBase, c.OnlyAlt = nonNil(c.OnlyBase), nonNil(c.OnlyAlt)
	return c, nil
}

func nonNil(xs []int64) []int64 {
	if xs == nil {
		return []int64{}
	}
	return xs
}

// decides returns an assessment's band key and the criterion (or failed qualification
// rule) behind it.
func decides(as *banding.Assessment) (string, string) {
	if !as.Qualifies {
		if len(as.NotQualifying) > 0 {
			return "none", as.NotQualifying[0].Code
		}
		return "none", ""
	}
	for _, m := range as.Criteria {
		if m.Band == as.Band {
			return BandKey(as.Band), m.ID
		}
	}
	return BandKey(as.Band), ""
}

// movement sets c.Movement and c.Moves from the two runs' first-day decisions: base[i]
// and alt[i] are the same application's (Run assesses every non-pending application of
// the world's register on the first day, in order, as the runs' rebanding needs).
func (c *Comparison) movement(base, alt []decision) {
	idx := map[string]int{}
	for i, k := range c.Bands {
		idx[k] = i
	}
	c.Movement = make([][]int, len(c.Bands))
	for i := range c.Movement {
		c.Movement[i] = make([]int, len(c.Bands))
	}
	moves := map[Move]int{}
	for i := range base {
		from, to := base[i], alt[i]
		c.Movement[idx[from.key]][idx[to.key]]++
		if from != to {
			moves[Move{From: from.key, To: to.key, FromWhy: from.why, ToWhy: to.why}]++
		}
	}
	c.Moves = []Move{}
	for m, n := range moves {
		m.Applications = n
		c.Moves = append(c.Moves, m)
	}
	slices.SortFunc(c.Moves, func(a, b Move) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.FromWhy, b.FromWhy),
			cmp.Compare(a.ToWhy, b.ToWhy))
	})
}

// SizeKey is the lets-above-need table's key of a bedroom need.
func SizeKey(bedrooms int) string {
	if bedrooms >= 4 {
		return "4+"
	}
	return strconv.Itoa(max(bedrooms, 1))
}

// Summarise turns a run into its outcome.
func Summarise(r *RunResult, p *policy.Policy) Outcome {
	o := Outcome{Policy: r.Policy, Title: p.Title, AutobidAreas: len(p.Bidding.AutobidAreas), Removed: len(r.Removed),
		Register: r.Register, Lets: len(r.Housed), LetsByBand: map[string]int{}, LetsAboveNeed: map[string]int{},
		Waits: []analytics.Wait{}, Run: r}
	for _, wk := range r.Weeks {
		o.ManualBids += wk.ManualBids
		o.Autobids += wk.Autobids
		o.Offers += wk.Offers
		o.Refusals += wk.Refusals
		o.Counted += wk.Counted
		o.Relet += wk.Relet
	}
	for _, s := range r.Sanctions {
		switch s.Kind {
		case allocation.SanctionClosed:
			o.Closures++
		case allocation.SanctionDischarge:
			o.Discharges++
		}
	}
	waits := map[[2]string][]float64{}
	for _, h := range r.Housed {
		band := BandKey(h.Band)
		o.LetsByBand[band]++
		if h.Need > 0 && h.Bedrooms > h.Need {
			o.LetsAboveNeed[SizeKey(h.Need)]++
		}
		k := [2]string{band, h.Size()}
		waits[k] = append(waits[k], h.Weeks())
	}
	for _, band := range BandKeys {
		for _, size := range analytics.Sizes {
			if ws := waits[[2]string{band, size}]; len(ws) > 0 {
				o.Waits = append(o.Waits, analytics.Wait{Band: band, Size: size, Spread: analytics.NewSpread(ws)})
			}
		}
	}
	o.BidsPerAdvert = analytics.CountSpread(r.BidsPerAdvert)
	return o
}
