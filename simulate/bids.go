package simulate

import (
	"math"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
)

// normal is a standard normal draw from two keyed uniforms (Box–Muller).
func normal(k uint64) float64 {
	u1, u2 := unit(mix(k^1)), unit(mix(k^2))
	return math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
}

// bidModel places a cycle's manual bids from the profiles at close, with synth's
// behaviour parameters, every draw keyed by (seed, cycle, application, slot): whether the
// household bids, how many bids, and for each bid the area, size and class wanted and the
// home picked. Under two policies the same household makes the same choices wherever
// the policies agree on its band and sizes.
type bidModel struct {
	b      *synth.Behaviour
	geo    *policy.Policy
	areas  map[string]int // geography area id -> index
	shares [register.BandE + 1]float64
	per    []float64 // cumulative BidsPerBidder
}

func newBidModel(b *synth.Behaviour, geo *policy.Policy) *bidModel {
	m := &bidModel{b: b, geo: geo, areas: map[string]int{}}
	for i, a := range geo.Bidding.AutobidAreas {
		m.areas[a.ID] = i
	}
	for band := register.BandA; band <= register.BandE; band++ {
		for _, s := range b.BidShare {
			if s.Key == band.String() {
				m.shares[band] = s.Weight
			}
		}
	}
	m.shares[register.NoBand] = m.shares[register.BandD] // not qualifying but still bidding
	total := 0.0
	for _, w := range b.BidsPerBidder {
		total += max(w, 0)
		m.per = append(m.per, total)
	}
	return m
}

// areaOf is the geography area index of a household's area or an advert's locality.
func (m *bidModel) areaOf(s string) int {
	if i, ok := m.areas[s]; ok {
		return i
	}
	if i, ok := m.areas[m.geo.Bidding.AreaOf(s)]; ok {
		return i
	}
	return 0
}

func (m *bidModel) market(seed uint64, c bidding.Cycle, ads []bidding.Advert) *synth.Market {
	appeal := map[string]float64{}
	for _, x := range m.b.TypeAppeal {
		appeal[x.Key] = x.Weight
	}
	mk := &synth.Market{}
	for i := range ads {
		a := &ads[i]
		w := math.Exp(m.b.PopularitySigma * normal(key(seed, drawAppeal, c.ID, a.ID)))
		if t, ok := appeal[a.Type]; ok {
			w *= t
		}
		if a.Floor > 1 {
			w *= math.Pow(m.b.UpperFloorAppeal, float64(a.Floor-1))
		}
		mk.Add(i, m.areaOf(a.Locality), min(a.Bedrooms, synth.MaxSize), synth.ClassOf(a), w)
	}
	return mk
}

// household is what the bid model reads of an application besides its profile: its id,
// to find it, and its area. Reading them from the applications, each bidder's 384 bytes
// somewhere in a 10 MB register, missed the cache on every bidder (~0.1 s of a
// Birmingham comparison); Run collects them in its weekly pass over the register.
type household struct {
	id   int64
	area string
}

// bids returns the manual bids of cycle c on ads by the applications of ix (profiles as
// at close), in application then advert order; hs are the applications' households.
func (m *bidModel) bids(seed uint64, r *bidding.Rules, ix *bidding.Index, hs []household,
	c bidding.Cycle, ads []bidding.Advert) []bidding.Bid {
	if len(ads) == 0 {
		return nil
	}
	mk := m.market(seed, c, ads)
	b := m.b
	maxBids := max(1, r.Policy.Bidding.MaxLiveBids)
	window := c.Closes.Sub(c.Opens)
	nAreas := len(m.areas)
	// The index holds the applications sorted by id; hs usually are too.
	areaOf := func(i int, id int64) string {
		if i < len(hs) && hs[i].id == id {
			return hs[i].area
		}
		for j := range hs {
			if hs[j].id == id {
				return hs[j].area
			}
		}
		return ""
	}
	out := make([]bidding.Bid, 0, len(ix.Profiles)/2)
	for i := range ix.Profiles {
		pr := &ix.Profiles[i]
		k := key(seed, drawBid, c.ID, pr.ID)
		if r.Autobids(pr.Band) {
			continue
		}
		if !pr.Active() {
			if pr.Flags&bidding.FlagQualifies == 0 || slotDraw(k, 0, 1) >= b.InactiveBidShare {
				continue
			}
		}
		lo, hi := max(int(pr.BedMin), 1), max(int(pr.BedMax), 1)
		activity := 1.0
		if len(b.NeedActivity) > 0 {
			activity = b.NeedActivity[min(lo, len(b.NeedActivity))-1]
		}
		if slotDraw(k, 0, 2) >= m.shares[pr.Band]*activity {
			continue
		}
		want := 1
		if n := len(m.per); n > 0 {
			u := slotDraw(k, 0, 3) * m.per[n-1]
			for want < n && u >= m.per[want-1] {
				want++
			}
		}
		want = min(want, maxBids)
		home := m.areaOf(areaOf(i, pr.ID))
		var chosen [8]int
		got := 0
		for try := 0; got < want && try < 3*want; try++ {
			a := home
			if nAreas > 1 && slotDraw(k, try+1, 1) < b.OtherAreaShare {
				a = (a + 1 + int(slotDraw(k, try+1, 2)*float64(nAreas-1))) % nAreas
			}
			size := lo
			if size < hi && slotDraw(k, try+1, 3) < b.LargerSizeShare {
				size += 1 + int(slotDraw(k, try+1, 4)*float64(hi-size))
			}
			if slotDraw(k, try+1, 5) < b.WrongSizeShare {
				if size > 1 && slotDraw(k, try+1, 6) < 0.5 {
					size--
				} else {
					size++
				}
			}
			size = min(max(size, 1), synth.MaxSize)
			class := synth.ClassGeneral
			switch {
			case pr.Flags&bidding.FlagShelteredEligible != 0 && slotDraw(k, try+1, 7) < b.ShelteredPreference:
				class = synth.ClassSheltered
			case pr.Flags&bidding.FlagDependentChildren != 0 && slotDraw(k, try+1, 8) < 0.75:
				class = synth.ClassFamily
			}
			ad := mk.Pick(func() float64 { return slotDraw(k, try+1, 9) }, a, size, class)
			if ad < 0 || contains(chosen[:got], ad) {
				continue
			}
			chosen[got] = ad
			got++
		}
		for j, ad := range chosen[:got] {
			u := math.Pow(slotDraw(k, j+16, 1), max(b.FrontLoad, 1e-9))
			placed := c.Opens.Add(time.Duration(u * float64(window))).Truncate(time.Second)
			out = append(out, bidding.Bid{Application: pr.ID, Advert: ads[ad].ID, Placed: placed, By: "applicant"})
		}
	}
	return out
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// slotDraw is the uniform draw for one purpose (what) of one bid slot of a household's
// week, from the household's week key k.
func slotDraw(k uint64, slot, what int) float64 { return unit(mix(k ^ uint64(slot<<8|what))) }
