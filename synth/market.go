package synth

import (
	"sort"

	"github.com/cbl-lettings/cbl/bidding"
)

// Property classes that decide who may bid on a home (nn-2021's property rules), as the
// behaviour model sees them.
const (
	ClassGeneral   = iota // flats, maisonettes and bungalows without gardens, bedsits
	ClassFamily           // houses and flats with gardens: for households with children
	ClassSheltered        // sheltered: over the minimum age or sheltered-eligible
)

// MaxSize is the largest bedroom size the behaviour model tells apart.
const MaxSize = 6

// ClassOf returns an advert's property class.
func ClassOf(a *bidding.Advert) int {
	switch {
	case a.Sheltered:
		return ClassSheltered
	case a.Type == "house" || (a.Garden && (a.Type == "flat" || a.Type == "maisonette")):
		return ClassFamily
	}
	return ClassGeneral
}

// Market indexes one cycle's adverts by area, bedroom size and class, and draws one in
// proportion to its appeal, falling back to any area, then any class, then size alone.
// The zero Market is empty and ready. The generator and the simulator share it; each
// supplies its own weights and uniform draws.
type Market struct {
	exact  map[[3]int]*pool // area, size, class
	any    map[[2]int]*pool // size, class (any area)
	sized  map[[2]int]*pool // area, size (any class)
	bySize map[int]*pool
}

// Add lists advert i (an index into the caller's adverts) with appeal weight w.
func (m *Market) Add(i, area, size, class int, w float64) {
	if m.exact == nil {
		m.exact, m.any, m.sized, m.bySize = map[[3]int]*pool{}, map[[2]int]*pool{}, map[[2]int]*pool{}, map[int]*pool{}
	}
	at(m.exact, [3]int{area, size, class}).add(i, w)
	at(m.any, [2]int{size, class}).add(i, w)
	at(m.sized, [2]int{area, size}).add(i, w)
	at(m.bySize, size).add(i, w)
}

// Pick draws an advert for a household wanting size and class in area; -1 if no advert
// of that size is listed. u is called once, only when there is an advert to draw, for a
// uniform number in [0, 1): callers that draw from a stream keep their stream's order.
func (m *Market) Pick(u func() float64, area, size, class int) int {
	p := m.exact[[3]int{area, size, class}]
	if p == nil {
		p = m.any[[2]int{size, class}]
	}
	if p == nil {
		p = m.sized[[2]int{area, size}]
	}
	if p == nil {
		p = m.bySize[size]
	}
	if p == nil {
		return -1
	}
	return p.draw(u())
}

// at returns mp's pool for k, making it if need be.
func at[K comparable](mp map[K]*pool, k K) *pool {
	if mp[k] == nil {
		mp[k] = &pool{}
	}
	return mp[k]
}

// pool draws adverts in proportion to their weight.
type pool struct {
	idx []int
	cum []float64
}

func (p *pool) add(i int, w float64) {
	total := w
	if n := len(p.cum); n > 0 {
		total += p.cum[n-1]
	}
	p.idx = append(p.idx, i)
	p.cum = append(p.cum, total)
}

func (p *pool) draw(u float64) int {
	k := sort.SearchFloat64s(p.cum, u*p.cum[len(p.cum)-1])
	return p.idx[min(k, len(p.idx)-1)]
}
