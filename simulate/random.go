package simulate

// Purposes of the random draws: each draw is keyed by one of these and the ids it is
// about, so no draw depends on another.
const (
	drawVerify uint64 = iota + 1
	drawVerifyCode
	drawReply
	drawCounted
	drawLandlord
	drawLandlordCode
	drawBid
	drawAppeal
	drawChange
	drawChangeSeed
	drawArea
	drawFinal
	drawLeave
)

// mix is splitmix64's finaliser: a bijection on uint64 that scrambles every bit.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// key hashes a seed, a purpose and the ids a draw is about into one 64-bit value.
func key(seed, purpose uint64, ids ...int64) uint64 {
	h := mix(seed ^ mix(purpose))
	for _, id := range ids {
		h = mix(h ^ uint64(id))
	}
	return h
}

// unit maps a key to a uniform number in [0, 1).
func unit(k uint64) float64 { return float64(k>>11) * 0x1p-53 }

// weighted picks a key of xs in proportion to the weights, with u in [0, 1).
func weighted(xs []Weight, u float64) string {
	total := 0.0
	for _, x := range xs {
		total += max(x.Weight, 0)
	}
	u *= total
	for _, x := range xs {
		if x.Weight <= 0 {
			continue
		}
		if u < x.Weight {
			return x.Key
		}
		u -= x.Weight
	}
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Weight > 0 {
			return xs[i].Key
		}
	}
	return ""
}
