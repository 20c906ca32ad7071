package replay

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
)

// marshalHead is json.Marshal of the inputs without their applications, byte for byte
// (the digest and every recorded cycle hang on these bytes: TestHeadIsJSONMarshal), with
// the bids written here rather than by reflection: a national week's half-million took
// encoding/json 0.7 s of a close's CPU.
func (in *Inputs) marshalHead() ([]byte, error) {
	b := make([]byte, 0, 64+96*len(in.Bids))
	b = append(b, `{"cycle":`...)
	b, err := appendJSON(b, in.Cycle)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"applications":null,"adverts":`...)
	if b, err = appendJSON(b, in.Adverts); err != nil {
		return nil, err
	}
	b = append(b, `,"bids":`...)
	if in.Bids == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range in.Bids {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendBid(b, &in.Bids[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"excluded":`...)
	if b, err = appendJSON(b, in.Excluded); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendBid appends bid as json.Marshal writes it (bidding.Bid's tags: autobid and by
// omitted when empty; withdrawn, a struct, never is).
func appendBid(b []byte, bid *bidding.Bid) ([]byte, error) {
	b = append(b, `{"application":`...)
	b = strconv.AppendInt(b, bid.Application, 10)
	b = append(b, `,"advert":`...)
	b = strconv.AppendInt(b, bid.Advert, 10)
	b = append(b, `,"placed":`...)
	b, err := appendTime(b, bid.Placed)
	if err != nil {
		return nil, err
	}
	if bid.Autobid {
		b = append(b, `,"autobid":true`...)
	}
	b = append(b, `,"withdrawn":`...)
	if b, err = appendTime(b, bid.Withdrawn); err != nil {
		return nil, err
	}
	if bid.By != "" {
		b = append(b, `,"by":`...)
		if b, err = appendString(b, bid.By); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendTime is time.Time's MarshalJSON, which refuses years beyond four digits.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return appendJSON(b, t)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// appendString writes s as json.Marshal does: printable ASCII but for the characters
// it escapes as is, anything else through json.Marshal.
func appendString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return appendJSON(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

func appendJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	return append(b, j...), err
}
