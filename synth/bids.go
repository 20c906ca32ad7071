package synth

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Bids returns the manual bids of cycle c on its adverts (those of adverts whose Cycle is
// c.ID), from applications assessed under p on the cycle's opening day. Band A
// applications place none: autobid bids for them at close. Each application holds at
// most the policy's live-bid cap; a share of bids go where the shortlist will skip them
// (wrong size, property type or age, a suspended application, a non-qualifying one).
func Bids(cfg Config, p *policy.Policy, apps []register.Application, c bidding.Cycle, adverts []bidding.Advert) ([]bidding.Bid, error) {
	g, err := newGen(&cfg, p)
	if err != nil {
		return nil, err
	}
	g.asOf = p.Day(c.Opens)
	profs := make([]profile, len(apps))
	parallel((len(apps)+chunkSize-1)/chunkSize, func(k int) {
		for i := k * chunkSize; i < min(len(apps), (k+1)*chunkSize); i++ {
			profs[i] = g.profile(&apps[i], nil)
		}
	})
	return g.bids(apps, profs, c, adverts), nil
}

func (g *gen) market(r *rand.Rand, ads []bidding.Advert) *Market {
	b := &g.cfg.Behaviour
	appeal := map[string]float64{}
	for _, x := range b.TypeAppeal {
		appeal[x.Key] = x.Weight
	}
	m := &Market{}
	for i := range ads {
		a := &ads[i]
		w := lognormal(r, b.PopularitySigma)
		if t, ok := appeal[a.Type]; ok {
			w *= t
		}
		if a.Floor > 1 {
			w *= math.Pow(b.UpperFloorAppeal, float64(a.Floor-1))
		}
		area := max(0, indexOf(g.areas.keys, g.p.Bidding.AreaOf(a.Locality)))
		m.Add(i, area, min(a.Bedrooms, MaxSize), ClassOf(a), w)
	}
	return m
}

// bids places cycle c's manual bids. Work is split into the same fixed chunks as the
// register, each with its own stream, and the result sorted by time placed.
func (g *gen) bids(apps []register.Application, profs []profile, c bidding.Cycle, all []bidding.Advert) []bidding.Bid {
	var ads []bidding.Advert
	for _, a := range all {
		if a.Cycle == c.ID {
			ads = append(ads, a)
		}
	}
	if len(ads) == 0 {
		return nil
	}
	m := g.market(newRand(g.cfg.Seed, streamBids, uint64(c.ID)<<24), ads)
	b := &g.cfg.Behaviour
	shares := [register.BandE + 1]float64{}
	for band := register.BandA; band <= register.BandE; band++ {
		shares[band] = shareOf(b.BidShare, band.String())
	}
	shares[register.NoBand] = shares[register.BandD] // non-qualifying but still active
	perBidder := weightsTable(b.BidsPerBidder)
	maxBids := max(1, g.p.Bidding.MaxLiveBids)
	autobid := map[register.Band]bool{}
	for _, band := range g.p.Bidding.AutobidBands {
		autobid[band] = true
	}
	window := c.Closes.Sub(c.Opens)
	nAreas := len(g.areas.keys)

	n := len(apps)
	chunks := (n + chunkSize - 1) / chunkSize
	out := make([][]bidding.Bid, chunks)
	parallel(chunks, func(k int) {
		r := newRand(g.cfg.Seed, streamBids, uint64(c.ID)<<24|uint64(k+1))
		bs := make([]bidding.Bid, 0, chunkSize/2)
		for i := k * chunkSize; i < min(n, (k+1)*chunkSize); i++ {
			pr := &profs[i]
			if !pr.bidder || autobid[pr.band] {
				continue
			}
			if pr.suspended && !chance(r, b.InactiveBidShare) {
				continue
			}
			activity := 1.0
			if len(b.NeedActivity) > 0 {
				activity = b.NeedActivity[min(max(pr.need, 1), len(b.NeedActivity))-1]
			}
			if !chance(r, shares[pr.band]*activity) {
				continue
			}
			want := min(maxBids, perBidder.drawIndex(r)+1)
			var chosen [8]int
			got := 0
			for try := 0; got < want && try < 3*want; try++ {
				area := pr.area
				if nAreas > 1 && chance(r, b.OtherAreaShare) {
					area = (area + 1 + r.IntN(nAreas-1)) % nAreas
				}
				size := min(max(pr.need, pr.lo), pr.hi)
				if size < pr.hi && chance(r, b.LargerSizeShare) {
					size += 1 + r.IntN(pr.hi-size)
				}
				if chance(r, b.WrongSizeShare) {
					if size > 1 && chance(r, 0.5) {
						size--
					} else {
						size++
					}
				}
				size = min(max(size, 1), MaxSize)
				class := ClassGeneral
				switch {
				case pr.sheltered && chance(r, b.ShelteredPreference):
					class = ClassSheltered
				case pr.children && chance(r, 0.75):
					class = ClassFamily
				case !pr.children && chance(r, b.WrongTypeShare):
					class = ClassFamily
				case !pr.sheltered && chance(r, b.UnderAgeShare):
					class = ClassSheltered
				}
				ad := m.Pick(r.Float64, area, size, class)
				if ad < 0 || slices.Contains(chosen[:got], ad) {
					continue
				}
				chosen[got] = ad
				got++
			}
			for _, ad := range chosen[:got] {
				u := math.Pow(r.Float64(), b.FrontLoad)
				placed := c.Opens.Add(time.Duration(u * float64(window))).Truncate(time.Second)
				bid := bidding.Bid{Application: apps[i].ID, Advert: ads[ad].ID, Placed: placed, By: "applicant"}
				if chance(r, b.AssistedShare) {
					bid.By = "officer"
				}
				if chance(r, b.WithdrawShare) {
					left := c.Closes.Sub(placed)
					bid.Withdrawn = placed.Add(time.Duration(r.Float64() * float64(left))).Truncate(time.Second)
					if !bid.Withdrawn.After(placed) {
						bid.Withdrawn = placed.Add(time.Second)
					}
				}
				bs = append(bs, bid)
			}
		}
		out[k] = bs
	})
	total := 0
	for _, bs := range out {
		total += len(bs)
	}
	bids := make([]bidding.Bid, 0, total)
	for _, bs := range out {
		bids = append(bids, bs...)
	}
	slices.SortFunc(bids, func(x, y bidding.Bid) int {
		if c := x.Placed.Compare(y.Placed); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.Application, y.Application), cmp.Compare(x.Advert, y.Advert))
	})
	return bids
}
