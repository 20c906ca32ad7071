package equality_test

import (
	"context"
	"testing"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// From a register held as plain data: everyone not closed is on the register, every bid
// on a cycle of the period counts, the first five ranked of each advert are counted as
// such, and a cycle not held is ErrNoCycle.
func TestFromRegister(t *testing.T) {
	t.Parallel()
	s, err := snapshot.Read("../testdata/snapshot/small")
	require.NoError(t, err)
	in, err := equality.FromRegister(context.Background(), s, equality.Period{Cycle: 42, To: register.MustDate("2026-01-01")})
	require.NoError(t, err)
	require.True(t, in.NoDecisions)
	require.Equal(t, register.MustDate("2025-11-11"), in.AsOf, "as of the cycle's close")
	require.ElementsMatch(t, []int64{1001, 1002, 1003, 1004, 1005}, in.Register, "1006 is closed")
	require.ElementsMatch(t, []int64{1001, 1002, 1006, 1003, 1003}, in.Bids, "cycle 42's live bids and autobids")
	require.Subset(t, in.Bids, in.FirstFive)
	_, err = equality.FromRegister(context.Background(), s, equality.Period{Cycle: 99, To: register.MustDate("2026-01-01")})
	require.ErrorIs(t, err, equality.ErrNoCycle)
}
