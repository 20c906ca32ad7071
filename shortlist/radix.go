package shortlist

import "slices"

// radixSort sorts keys ascending with a least-significant-digit radix sort on bytes,
// using tmp (grown if short) as the second buffer, and returns the sorted slice (keys or
// tmp). Byte positions where every key has the same value are skipped, so keys whose
// high bits are mostly alike cost fewer passes.
func radixSort(keys, tmp []uint64) (sorted, spare []uint64) {
	n := len(keys)
	if n < 256 {
		slices.Sort(keys)
		return keys, tmp
	}
	if cap(tmp) < n {
		tmp = make([]uint64, n)
	}
	tmp = tmp[:n]
	var counts [8][256]uint32
	for _, k := range keys {
		for b := range 8 {
			counts[b][byte(k>>(8*b))]++
		}
	}
	src, dst := keys, tmp
	for b := range 8 {
		c := &counts[b]
		if c[byte(src[0]>>(8*b))] == uint32(n) {
			continue // every key has the same byte here
		}
		var sum uint32
		for i := range c {
			c[i], sum = sum, sum+c[i]
		}
		shift := uint(8 * b)
		for _, k := range src {
			d := byte(k >> shift)
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src, dst
}
