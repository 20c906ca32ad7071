package shortlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{0, 1, 255, 256, 1000, 5000, 40000, 100000} {
		for _, bitsUsed := range []uint{1, 7, 20, 50, 64} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = rng.Uint64() >> (64 - bitsUsed) << 3 // low bits constant
			}
			want := slices.Sorted(slices.Values(keys))
			var counts []uint32
			got, _ := radixSort(keys, nil, &counts)
			if !slices.Equal(want, got) {
				t.Fatalf("n=%d bits=%d: not sorted", n, bitsUsed)
			}
		}
	}
}

func BenchmarkRadixSort(b *testing.B) {
	for _, n := range []int{1000, 5000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2, 2))
			inputs := make([][]uint64, 16)
			for i := range inputs {
				inputs[i] = make([]uint64, n)
				for j := range inputs[i] {
					inputs[i][j] = rng.Uint64() >> 14 // 50 bits, as the England keys
				}
			}
			work, tmp := make([]uint64, n), make([]uint64, n)
			var counts []uint32
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				copy(work, inputs[i%len(inputs)])
				s, sp := radixSort(work, tmp, &counts)
				work, tmp = s, sp
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
}
