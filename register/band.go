package register

import "fmt"

// Band is a priority band. A is the most urgent; a lower value ranks first, so bands
// compare with < in ranking keys. NoBand is the zero value: not banded (not qualifying
// or not yet assessed).
type Band uint8

const (
	NoBand Band = iota
	BandA
	BandB
	BandC
	BandD
	BandE
)

// Bands lists every band, most urgent first.
var Bands = []Band{BandA, BandB, BandC, BandD, BandE}

// String returns "A".."E", or "" for NoBand.
func (b Band) String() string {
	if b >= BandA && b <= BandE {
		return string(rune('A' + b - BandA))
	}
	return ""
}

// ParseBand parses "A".."E"; "" is NoBand.
func ParseBand(s string) (Band, error) {
	switch s {
	case "":
		return NoBand, nil
	case "A", "B", "C", "D", "E":
		return BandA + Band(s[0]-'A'), nil
	}
	return NoBand, fmt.Errorf("band %q: want A, B, C, D or E", s)
}

// Higher reports whether b is a more urgent band than o. Any band is higher than NoBand.
func (b Band) Higher(o Band) bool {
	if b == NoBand {
		return false
	}
	return o == NoBand || b < o
}

// MarshalText encodes the band as its letter.
func (b Band) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText decodes a band letter; "" is NoBand.
func (b *Band) UnmarshalText(t []byte) error {
	v, err := ParseBand(string(t))
	*b = v
	return err
}
