package main

import (
	"fmt"
	"testing"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// TestVersion: cbl --version names the build and the register schema it migrates to.
func TestVersion(t *testing.T) {
	t.Parallel()
	out := mustRun(t, "--version")
	require.Contains(t, out, "cbl version ")
	require.Contains(t, out, fmt.Sprintf("register schema %d)", pgstore.Latest()))
}
