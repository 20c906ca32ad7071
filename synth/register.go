package synth

import (
	"runtime"
	"sync"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
)

// profile is what bid generation needs to know about one application.
type profile struct {
	bidder    bool // active, or suspended (its bids will be skipped)
	suspended bool
	band      register.Band
	need      int
	lo, hi    int // bedroom sizes the household may bid for
	children  bool
	sheltered bool // sheltered-eligible or over the policy's sheltered age
	homeowner bool
	age       int
	area      int // index into the generator's areas
}

// Generate builds a whole snapshot from cfg under the built-in policy cfg.Policy:
// applications, landlords, cycles, adverts and each cycle's bids.
func Generate(cfg Config) (*snapshot.Snapshot, error) {
	p, err := policy.Builtin(cfg.Policy)
	if err != nil {
		return nil, err
	}
	return GenerateWith(cfg, p)
}

// GenerateWith is Generate under a policy the caller supplies.
func GenerateWith(cfg Config, p *policy.Policy) (*snapshot.Snapshot, error) {
	g, err := newGen(&cfg, p)
	if err != nil {
		return nil, err
	}
	apps, profs := g.register()
	cycles, err := Cycles(&cfg, p)
	if err != nil {
		return nil, err
	}
	adverts := g.adverts(cycles, 1)
	s := &snapshot.Snapshot{
		Applications: apps,
		Landlords:    Landlords(&cfg),
		Cycles:       cycles,
		Adverts:      adverts,
	}
	for _, c := range cycles {
		s.Bids = append(s.Bids, g.bids(apps, profs, c, adverts)...)
	}
	return s, nil
}

// Register generates cfg.Register.Applications applications, ids 1 to n, under p.
func Register(cfg Config, p *policy.Policy) ([]register.Application, error) {
	g, err := newGen(&cfg, p)
	if err != nil {
		return nil, err
	}
	apps, _ := g.register()
	return apps, nil
}

// register generates the applications in fixed-size chunks, in parallel, each chunk
// from its own random stream.
func (g *gen) register() ([]register.Application, []profile) {
	n := g.cfg.Register.Applications
	apps := make([]register.Application, n)
	profs := make([]profile, n)
	chunks := (n + chunkSize - 1) / chunkSize
	parallel(chunks, func(c int) {
		r := newRand(g.cfg.Seed, streamApplications, uint64(c))
		for i := c * chunkSize; i < min(n, (c+1)*chunkSize); i++ {
			as, ok := g.application(r, int64(i+1), &apps[i])
			g.monitoring(&apps[i])
			if ok {
				profs[i] = g.profile(&apps[i], &as)
			} else {
				profs[i] = g.profile(&apps[i], nil)
			}
		}
	})
	return apps, profs
}

// profile summarises a for bidding, from its assessment on the snapshot date (as, or a
// fresh assessment when as is nil).
func (g *gen) profile(a *register.Application, as *banding.Assessment) profile {
	pr := profile{suspended: a.Status == register.StatusSuspended}
	pr.bidder = a.Status == register.StatusActive || pr.suspended
	if !pr.bidder {
		return pr
	}
	if as == nil {
		x, err := banding.Assess(a, g.p, g.asOf)
		if err != nil {
			pr.bidder = false
			return pr
		}
		as = &x
	}
	pr.band = as.Band
	pr.need, pr.lo, pr.hi = as.Bedrooms.Need, as.Bedrooms.AllowedMin, as.Bedrooms.AllowedMax
	pr.children = as.Facts.DependentChildren
	pr.age = as.Facts.Age
	pr.homeowner = as.Facts.Homeowner
	pr.sheltered = as.Facts.ShelteredEligible || pr.age >= g.p.Properties.ShelteredMinAge
	pr.area = max(0, indexOf(g.areas.keys, a.Area))
	return pr
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// parallel runs fn(0..n-1) on GOMAXPROCS workers.
func parallel(n int, fn func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
