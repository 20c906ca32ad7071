package bidding

import (
	"math/bits"

	"github.com/cbl-lettings/cbl/register"
)

// Compact is the part of a profile that the bid checks and the ranking key read, in 16
// bytes. An Index keeps one per profile in a dense array (21 MB for 1.34 million
// applications, within a processor's last-level cache) so that screening a bid touches
// one small record; the rare checks that need more (Legal Agreement Area connections,
// local lettings facts) read the full Profile.
type Compact struct {
	key        uint64 // the band-order key without overlays: band, dates, position
	flags      Flags
	beds       uint8 // allowed bedrooms: min in the low nibble, max in the high
	age        uint8
	rulesOK    uint16
	rulesApply uint16
}

// Internal flags of a compact profile.
const (
	flagNoBand Flags = 1 << 14 // holds no band
	flagLAA    Flags = 1 << 15 // connected to at least one Legal Agreement Area
)

// layout is how an Index packs ranking keys (see Listing.keyOf).
type layout struct {
	minDate  register.Date
	dateBits uint // bits per date, relative to minDate
	idxBits  uint // bits of the profile position
}

func compactOf(p *Profile, lay *layout, at uint32) Compact {
	c := Compact{flags: p.Flags, age: p.Age, rulesOK: uint16(p.RulesOK), rulesApply: uint16(p.RulesApply),
		beds: min(p.BedMin, 15) | min(p.BedMax, 15)<<4}
	if len(p.LegalAgreementAreas) > 0 {
		c.flags |= flagLAA
	}
	if p.Band == register.NoBand {
		c.flags |= flagNoBand
	}
	if lay != nil {
		d := lay.dateBits
		band, later := RankBand(p.Band, p.Flags)
		r := uint64(band)<<(2*d+1) | uint64(later)<<(2*d) | uint64(p.Effective-lay.minDate)<<d | uint64(p.Registered-lay.minDate)
		c.key = r<<lay.idxBits | uint64(at)
	}
	return c
}

// RankBand is the band an application ranks in and its additional-preference bit
// (S7.4): later is 0 for an applicant at the top of the band, 1 otherwise. one_band_up
// ranks in the next more urgent band by the usual dates; in Band A, with no band above,
// it ranks at the top of Band A instead.
func RankBand(b register.Band, f Flags) (band register.Band, later uint8) {
	switch {
	case f&FlagPreferenceUp != 0 && b > register.BandA:
		return b - 1, 1
	case f&(FlagPreferenceTop|FlagPreferenceUp) != 0:
		return b, 0
	}
	return b, 1
}

// newLayout fits the keys to the index: dates relative to the earliest, in as few bits
// as the span needs, and the profile position in as few bits as the count needs. It
// reports false if a band-order key would not fit 64 bits.
func newLayout(ps []Profile) (layout, bool) {
	lay := layout{idxBits: uint(max(bits.Len(uint(len(ps))), 1))}
	if len(ps) == 0 {
		return lay, true
	}
	lo, hi := ps[0].Effective, ps[0].Effective
	for i := range ps {
		lo = min(lo, ps[i].Effective, ps[i].Registered)
		hi = max(hi, ps[i].Effective, ps[i].Registered)
	}
	lay.minDate = lo
	lay.dateBits = uint(max(bits.Len64(uint64(hi-lo)), 1))
	return lay, 2+3+1+2*lay.dateBits+lay.idxBits <= 64 && fcfsBits+lay.idxBits+2 <= 64
}

const fcfsBits = 32 // milliseconds from the cycle's opening

// Gather copies the compact profiles of bids into out (grown if short) in bid order.
// Its loads are independent of each other, so the processor overlaps their cache misses.
func (ix *Index) Gather(bids []Ref, out []Compact) []Compact {
	if cap(out) < len(bids) {
		out = make([]Compact, len(bids))
	}
	out = out[:len(bids)]
	cs := ix.compact
	for i, b := range bids {
		out[i] = cs[b.App]
	}
	return out
}

// Failed is a bid that failed a check, with the first check it failed.
type Failed struct {
	Bid   Ref
	Check Check
}

// Screen checks every bid on the listing against the profiles in ix, as at close. A
// bid that fails a check is appended to failed; every other bid's ranking key (see
// Index.Key) to keys. scratch is working space (grown if short); all three are returned
// for reuse. On a withdrawn advert every bid fails CheckWithdrawn.
func (l *Listing) Screen(ix *Index, bids []Ref, scratch []Compact, keys []uint64, failed []Failed) ([]Compact, []uint64, []Failed) {
	if l.Advert.Withdrawn {
		for _, b := range bids {
			failed = append(failed, Failed{b, CheckWithdrawn})
		}
		return scratch, keys, failed
	}
	scratch = ix.Gather(bids, scratch)
	keys, failed = grow(keys, len(bids)), grow(failed, len(bids))
	nk, nf := len(keys), len(failed)
	keys, failed = keys[:nk+len(bids)], failed[:nf+len(bids)]
	plain := !l.overlayMob && !l.overlayLAA && !l.fcfs // the key is the compact one
	for i := range bids {
		c, b := &scratch[i], bids[i]
		if !l.quick(c) {
			if chk := l.screen(c, &ix.Profiles[b.App]); chk != CheckNone {
				failed[nf] = Failed{b, chk}
				nf++
				continue
			}
		}
		if plain {
			keys[nk] = c.key
		} else {
			keys[nk] = l.keyOf(&ix.layout, c, &ix.Profiles[b.App], b.App, b.At)
		}
		nk++
	}
	return scratch, keys[:nk], failed[:nf]
}

// grow returns s with room for n more elements.
func grow[T any](s []T, n int) []T {
	if cap(s)-len(s) < n {
		s = append(make([]T, 0, len(s)+n), s...)
	}
	return s
}

// Key returns the ranking key of the bid of the profile at position at, placed ms
// milliseconds after the cycle opened, on listing l. Keys of one Index compare as the
// shortlist order (see shortlist.Ranker.Rank); Index.KeyIndex recovers the position.
func (ix *Index) Key(l *Listing, at uint32, ms uint32) uint64 {
	p := &ix.Profiles[at]
	c := compactOf(p, &ix.layout, at)
	return l.keyOf(&ix.layout, &c, p, at, ms)
}

// KeyIndex returns the profile position packed in a ranking key.
func (ix *Index) KeyIndex(k uint64) uint32 { return uint32(k & (1<<ix.layout.idxBits - 1)) }

// keyOf packs, most significant first:
//
//	band order: overlay (2 bits) | band (3) | not preferred (1) | effective date | registration date | position
//	FCFS order: overlay (2 bits) | ms from the cycle's opening to the bid (32) | position
//
// Dates are days after the index's earliest date, in the index's date width; the
// position orders as the application id (Index is sorted by id). The band is the one
// ranked in and the bit after it is clear for additional preference at the top of the
// band (RankBand); a first-come-first-served advert ignores bands, and preference with
// them. Overlay bit 1 is set
// for an applicant without a mobility need on an accessible home, bit 0 for one not
// connected to the advert's Legal Agreement Area (when the policy turns them on).
func (l *Listing) keyOf(lay *layout, c *Compact, p *Profile, at uint32, ms uint32) uint64 {
	var overlay uint64
	if l.overlayMob && c.flags&needsAccess == 0 {
		overlay |= 2
	}
	if l.overlayLAA && (c.flags&flagLAA == 0 || !p.Connected(l.Advert.LegalAgreementArea)) {
		overlay |= 1
	}
	if l.fcfs {
		return overlay<<(fcfsBits+lay.idxBits) | uint64(ms)<<lay.idxBits | uint64(at)
	}
	return overlay<<(4+2*lay.dateBits+lay.idxBits) | c.key
}

const needsAccess = FlagMobilityLevel | FlagMobilityWheelchair | FlagNeedsLevelAccess | FlagNeedsWheelchairHome
