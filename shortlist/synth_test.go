package shortlist_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// A synthetic England-scale register for the benchmarks (S10.1: 1.34 million
// households), with the band and bedroom-need mix of reference/evidence.md §3.2 and
// heavy-tailed bids per advert (§3.1). Profiles are generated directly, as the cycle's
// precompute would leave them; see BenchmarkProfile in package bidding for that step.
const (
	englandApps    = 1_340_000
	englandAdverts = 5_000
	englandBids    = 500_000
	synthAreas     = 300 // autobid areas, localities L0..L299
	synthLAAs      = 200 // Legal Agreement Areas
)

type synthRegister struct {
	rules *bidding.Rules
	cycle bidding.Cycle
	ix    *bidding.Index
	byBed [5][]uint32 // profile positions by bedroom need 1..4
}

var (
	englandOnce sync.Once
	england     *synthRegister
)

// englandRegister builds (once per process) the synthetic register.
func englandRegister(tb testing.TB) *synthRegister {
	englandOnce.Do(func() { england = newSynthRegister(tb, englandApps, 42) })
	return england
}

func newSynthRegister(tb testing.TB, n int, seed uint64) *synthRegister {
	env := bidtest.New(tb, "nn-2021")
	p := *env.Policy
	p.Bidding.AutobidAreas = make([]policy.AutobidArea, synthAreas)
	for i := range p.Bidding.AutobidAreas {
		p.Bidding.AutobidAreas[i] = policy.AutobidArea{ID: fmt.Sprintf("area-%d", i), Localities: []string{fmt.Sprintf("L%d", i)}}
	}
	rules, err := bidding.Compile(&p)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	// A small pool of fact sets: the property rules and local lettings rules read these.
	pool := make([]policy.Facts, 16)
	for i := range pool {
		pool[i] = policy.Facts{DependentChildren: i&1 != 0, Homeowner: i&2 != 0, ShelteredEligible: i&4 != 0,
			Working: i&8 != 0, Mobility: "none", HomelessDuty: "none", Tenure: "family", MedicalLevel: "none", HouseholdType: "single"}
	}
	laas := make([]string, synthLAAs)
	for i := range laas {
		laas[i] = fmt.Sprintf("LAA-%d", i)
	}
	closeDay := register.DateOf(env.Cycle.Closes)
	first := register.MustDate("2012-01-01")
	ps := make([]bidding.Profile, n)
	for i := range ps {
		pr := &ps[i]
		pr.ID = int64(2*i + 1)
		pr.Band = pick(rng, []register.Band{register.BandA, register.BandB, register.BandC, register.BandD, register.BandE}, []float64{4, 12, 30, 42, 12})
		pr.Registered = first + register.Date(rng.IntN(int(closeDay-first)))
		pr.Effective = pr.Registered + register.Date(rng.IntN(int(closeDay-pr.Registered)+1))
		need := pick(rng, []uint8{1, 2, 3, 4}, []float64{50, 28, 18, 4})
		pr.BedMin, pr.BedMax = need, need
		if need == 1 && rng.IntN(10) < 6 { // singles and couples may take one more bedroom
			pr.BedMax = 2
		}
		pr.Age = uint8(18 + rng.IntN(72))
		pr.Flags = bidding.FlagQualifies
		if rng.IntN(100) < 97 {
			pr.Flags |= bidding.FlagActive
		}
		fi := 0
		if need >= 2 {
			pr.Flags |= bidding.FlagDependentChildren
			pr.Children = need - 1
			fi |= 1
		}
		if rng.IntN(100) < 2 {
			pr.Flags |= bidding.FlagHomeowner
			fi |= 2
		}
		if rng.IntN(100) < 10 {
			pr.Flags |= bidding.FlagShelteredEligible
			fi |= 4
		}
		if rng.IntN(2) == 0 {
			fi |= 8
		}
		switch r := rng.IntN(1000); {
		case r < 15:
			pr.Flags |= bidding.FlagMobilityWheelchair
		case r < 75:
			pr.Flags |= bidding.FlagMobilityLevel
		case r < 105:
			pr.Flags |= bidding.FlagNeedsGroundFloor
		}
		if pr.Age < 18 || rng.IntN(1000) < 5 {
			pr.Flags |= bidding.FlagNeedsGuarantor
		}
		if rng.IntN(100) < 3 {
			pr.LegalAgreementAreas = laas[rng.IntN(synthLAAs):][:1]
		}
		pr.Area = uint16(1 + rng.IntN(synthAreas))
		pr.Facts = &pool[fi]
		rules.Complete(pr)
	}
	ix, err := bidding.NewIndex(rules, ps)
	if err != nil {
		tb.Fatal(err)
	}
	s := &synthRegister{rules: rules, cycle: env.Cycle, ix: ix}
	for i := range ix.Profiles {
		s.byBed[ix.Profiles[i].BedMin] = append(s.byBed[ix.Profiles[i].BedMin], uint32(i))
	}
	return s
}

func pick[T any](rng *rand.Rand, vs []T, weights []float64) T {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return vs[i]
		}
		x -= w
	}
	return vs[len(vs)-1]
}

// advert generates advert id with the supply mix of evidence.md §3.3.
func (s *synthRegister) advert(rng *rand.Rand, id int64) bidding.Advert {
	a := bidding.Advert{ID: id, Cycle: s.cycle.ID, Landlord: "ha", Locality: fmt.Sprintf("L%d", rng.IntN(synthAreas)),
		Ordering: bidding.OrderBand, Access: bidding.AccessGeneral, Closes: s.cycle.Closes}
	a.Bedrooms = pick(rng, []int{1, 2, 3, 4}, []float64{57, 27, 13, 3})
	switch {
	case a.Bedrooms == 1 && rng.IntN(100) < 15:
		a.Type, a.Sheltered = "bungalow", true
	case a.Bedrooms == 1:
		a.Type = "flat"
	case rng.IntN(2) == 0:
		a.Type = "flat"
	default:
		a.Type = "house"
	}
	if a.Type == "flat" {
		a.Floor, a.Lift, a.Garden = rng.IntN(4), rng.IntN(3) == 0, rng.IntN(5) == 0
	}
	switch r := rng.IntN(100); {
	case r < 2:
		a.Access = bidding.AccessWheelchair
	case r < 10:
		a.Access = bidding.AccessLevel
	}
	if rng.IntN(100) < 3 {
		a.LegalAgreementArea = fmt.Sprintf("LAA-%d", rng.IntN(synthLAAs))
	}
	if rng.IntN(100) < 3 {
		yes, three := true, 3
		a.LocalLettings = []bidding.LocalLetting{{Label: "working households", Fact: "working", Is: &yes},
			{Label: "at most three children", Fact: "children", Lte: &three}}
	}
	if rng.IntN(100) < 2 {
		a.Ordering = bidding.OrderFCFS
	}
	return a
}

// bidders picks n distinct bidders for advert l: 80% from households whose need matches
// its size and who pass every check (people mostly bid for homes they can have), the rest
// from anyone (and so often skipped). per (may be nil) counts bids per application, at
// most max.
func (s *synthRegister) bidders(rng *rand.Rand, l *bidding.Listing, n int, per []uint8, max uint8) []bidding.Ref {
	refs := make([]bidding.Ref, 0, n)
	seen := make(map[uint32]struct{}, n)
	match := s.byBed[min(l.Advert.Bedrooms, 4)]
	for tries := 0; len(refs) < n && tries < 50*n; tries++ {
		var at uint32
		if rng.IntN(100) < 80 {
			at = match[rng.IntN(len(match))]
			for j := 0; j < 100 && l.Eligible(&s.ix.Profiles[at]) != bidding.CheckNone; j++ {
				at = match[rng.IntN(len(match))]
			}
		} else {
			at = uint32(rng.IntN(len(s.ix.Profiles)))
		}
		if _, dup := seen[at]; dup {
			continue
		}
		if per != nil {
			if per[at] >= max {
				continue
			}
			per[at]++
		}
		seen[at] = struct{}{}
		refs = append(refs, bidding.Ref{App: at, At: uint32(rng.IntN(6 * 24 * 3600 * 1000))})
	}
	return refs
}

// cycle generates a closing of englandAdverts adverts and about englandBids manual bids,
// heavy-tailed per advert (lognormal, mean 100), each application bidding at most three.
func (s *synthRegister) closing(tb testing.TB, seed uint64) *bidding.Closing {
	rng := rand.New(rand.NewPCG(seed, 2))
	cl := &bidding.Closing{Cycle: s.cycle, Index: s.ix}
	weights := make([]float64, englandAdverts)
	sum := 0.0
	for i := range weights {
		weights[i] = math.Exp(rng.NormFloat64() * 1.0)
		sum += weights[i]
	}
	per := make([]uint8, len(s.ix.Profiles))
	for i := range englandAdverts {
		ad := s.advert(rng, int64(i+1))
		l, err := s.rules.List(&ad)
		if err != nil {
			tb.Fatal(err)
		}
		n := int(math.Round(weights[i] / sum * englandBids))
		cl.Listings = append(cl.Listings, l)
		cl.Bids = append(cl.Bids, slices.Clip(s.bidders(rng, l, n, per, 3)))
	}
	return cl
}
