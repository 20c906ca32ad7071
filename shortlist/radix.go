package shortlist

import (
	"math/bits"
	"slices"
)

// radixSort sorts keys ascending with a least-significant-digit radix sort, using tmp
// (grown if short) as the second buffer, and returns the sorted slice (keys or tmp) and
// the other buffer. It sorts only the span of bits that differ between keys, in as few
// passes as digits of at most maxDigitBits(n) bits allow.
// counts (grown if short) holds the digit counters.
func radixSort(keys, tmp []uint64, counts *[]uint32) (sorted, spare []uint64) {
	n := len(keys)
	if n < 256 {
		slices.Sort(keys)
		return keys, tmp
	}
	or, and := uint64(0), ^uint64(0)
	for _, k := range keys {
		or |= k
		and &= k
	}
	varying := or ^ and
	if varying == 0 {
		return keys, tmp
	}
	if cap(tmp) < n {
		tmp = make([]uint64, n)
	}
	tmp = tmp[:n]
	lo, hi := uint(bits.TrailingZeros64(varying)), uint(bits.Len64(varying))
	maxw := maxDigitBits(n)
	passes := (hi - lo + maxw - 1) / maxw
	width := (hi - lo + passes - 1) / passes
	mask := uint64(1)<<width - 1
	if len(*counts) < 1<<width {
		*counts = make([]uint32, 1<<width)
	}
	src, dst := keys, tmp
	for shift := lo; shift < hi; shift += width {
		c := (*counts)[:mask+1]
		clear(c)
		for _, k := range src {
			c[(k>>shift)&mask]++
		}
		var sum uint32
		for i, v := range c {
			c[i], sum = sum, sum+v
		}
		for _, k := range src {
			d := (k >> shift) & mask
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src, dst
}

// maxDigitBits is the widest digit worth counting for n keys: wide digits mean fewer
// passes, but their counters must stay few beside n and fit the first-level cache.
func maxDigitBits(n int) uint {
	switch {
	case n < 1<<12:
		return 8
	case n < 1<<15:
		return 10
	default:
		return 13
	}
}
