package bidding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
)

// TestNil: every constructor given no policy, rules or index says so instead of
// panicking.
func TestNil(t *testing.T) {
	_, err := bidding.Compile(nil)
	require.ErrorContains(t, err, "no policy")
	_, err = bidding.Assess(nil, nil, 0)
	require.ErrorContains(t, err, "no rules")
	_, err = bidding.NewBook(nil, bidding.Cycle{}, nil)
	require.ErrorContains(t, err, "no rules")
	_, err = bidding.NewClosing(nil, bidding.Cycle{}, nil, nil)
	require.ErrorContains(t, err, "no index")
}
