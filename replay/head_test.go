package replay_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/replay"
)

// S7.7: the head of the recorded inputs (all but the households) is json.Marshal's,
// byte for byte, though the bids are written by hand: every recorded digest hangs on it.
func TestS7_7_HeadIsJSONMarshal(t *testing.T) {
	t.Parallel()
	_, captured, _ := closeFirst(t)
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	at := time.Date(2025, 4, 3, 9, 30, 15, 123456789, time.UTC)
	odd := []bidding.Bid{
		{Application: 1, Advert: 2, Placed: at},
		{Application: -3, Advert: 1 << 40, Placed: at.In(london), Autobid: true, By: "autobid"},
		{Application: 4, Advert: 5, Placed: at.Truncate(time.Second), Withdrawn: at.Add(time.Hour), By: "officer <a&b> \"q\" \\ é \u2028 \x01"},
		{Application: 6, Advert: 7, Placed: time.Date(2025, 10, 26, 1, 30, 0, 1000, london), By: "applicant"},
		{Application: 8, Advert: 9, Placed: at.In(time.FixedZone("", -(3*3600 + 30*60)))},
	}
	// One character json.Marshal escapes (or leaves alone) to each bid's By.
	for i, c := range []string{"<", ">", "&", `"`, `\`, "é", "\x01", "\u2028", "\x7f", "~"} {
		odd = append(odd, bidding.Bid{Application: 10 + int64(i), Advert: 1, Placed: at, By: "officer " + c})
	}
	for name, in := range map[string]replay.Inputs{
		"a Keyways close": *captured,
		"odd bids":        {Cycle: captured.Cycle, Adverts: captured.Adverts[:1], Bids: odd, Excluded: [][2]int64{{1, 2}}},
		"nothing":         {},
		"empty":           {Adverts: []bidding.Advert{}, Bids: []bidding.Bid{}, Excluded: [][2]int64{}},
	} {
		head, _, err := in.Parts()
		require.NoError(t, err, name)
		h := in
		h.Applications = nil
		want, err := json.Marshal(h)
		require.NoError(t, err, name)
		require.Equal(t, string(want), string(head), name)
	}
	// A time json.Marshal refuses is refused alike.
	bad := replay.Inputs{Bids: []bidding.Bid{{Placed: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	_, _, err = bad.Parts()
	require.Error(t, err)
}
