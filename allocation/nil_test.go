package allocation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/allocation"
)

// TestNilInput: no input, or an input without a policy, is an error from Start, Run and
// Ledger.Decide, not a panic.
func TestNilInput(t *testing.T) {
	for _, in := range []*allocation.Input{nil, {}} {
		_, err := allocation.Start(in)
		require.ErrorContains(t, err, "allocation: ")
		_, err = allocation.Run(in, nil)
		require.Error(t, err)
		_, err = allocation.NewLedger(in).Decide(allocation.Decision{Kind: allocation.Upkeep})
		require.ErrorContains(t, err, "no policy")
	}
}
