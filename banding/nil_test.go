package banding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// TestAssess_Nil: a nil application or policy is a clear error, not a panic.
func TestAssess_Nil(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	day := register.MustDate("2026-11-23")
	_, err = banding.Assess(nil, p, day)
	require.ErrorIs(t, err, banding.ErrNoInput)
	require.ErrorContains(t, err, "no application")
	_, err = banding.Assess(&register.Application{ID: 7}, nil, day)
	require.ErrorIs(t, err, banding.ErrNoInput)
	require.ErrorContains(t, err, "application 7: no policy")
	e := banding.Explain(banding.Assessment{Application: 7}, nil)
	require.Equal(t, int64(7), e.Application)
	require.Empty(t, e.Qualification)
}
