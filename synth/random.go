package synth

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Random streams. Each piece of work draws from its own stream, derived from the seed,
// a stream tag and an index, so the output does not depend on how work is scheduled.
const (
	streamApplications uint64 = iota + 1
	streamAdverts
	streamBids
	streamJoiners
	streamLeavers
	streamChanges
)

// chunkSize is the number of applications per parallel chunk. It is fixed so that the
// output does not depend on the number of CPUs.
const chunkSize = 4096

func newRand(seed, stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, splitmix(stream<<40^index)))
}

// splitmix scrambles a stream id into a well-mixed PCG increment.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// table draws keys in proportion to weights.
type table struct {
	keys []string
	orig []int // index in the weights given
	cum  []float64
}

func newTable(xs []Share) table {
	t := table{keys: make([]string, 0, len(xs)), cum: make([]float64, 0, len(xs))}
	total := 0.0
	for i, x := range xs {
		if x.Weight <= 0 {
			continue
		}
		total += x.Weight
		t.keys = append(t.keys, x.Key)
		t.orig = append(t.orig, i)
		t.cum = append(t.cum, total)
	}
	return t
}

// index draws an index into keys; -1 if the table is empty.
func (t *table) index(r *rand.Rand) int {
	if len(t.cum) == 0 {
		return -1
	}
	u := r.Float64() * t.cum[len(t.cum)-1]
	i := sort.SearchFloat64s(t.cum, u)
	if i < len(t.cum) && t.cum[i] == u {
		i++
	}
	return min(i, len(t.cum)-1)
}

func (t *table) draw(r *rand.Rand) string {
	i := t.index(r)
	if i < 0 {
		return ""
	}
	return t.keys[i]
}

// weightsTable is a table over the indexes 0..len(ws)-1.
func weightsTable(ws []float64) table {
	xs := make([]Share, len(ws))
	for i, w := range ws {
		xs[i] = Share{Weight: w}
	}
	return newTable(xs)
}

// drawIndex draws the index, among the weights the table was built from, of a choice.
func (t *table) drawIndex(r *rand.Rand) int { return t.orig[t.index(r)] }

func shareOf(xs []Share, key string) float64 {
	for _, x := range xs {
		if x.Key == key {
			return x.Weight
		}
	}
	return 0
}

// ages draws an age from weighted ranges.
type ages struct {
	t  table
	rs []AgeRange
}

func newAges(rs []AgeRange) ages {
	ws := make([]float64, len(rs))
	for i, a := range rs {
		ws[i] = a.Weight
	}
	return ages{weightsTable(ws), rs}
}

func (a *ages) draw(r *rand.Rand) int {
	g := a.rs[a.t.drawIndex(r)]
	return g.Min + r.IntN(g.Max-g.Min+1)
}

func chance(r *rand.Rand, p float64) bool { return p > 0 && r.Float64() < p }

func lognormal(r *rand.Rand, sigma float64) float64 { return math.Exp(sigma * r.NormFloat64()) }
