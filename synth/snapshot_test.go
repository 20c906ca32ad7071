package synth_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// Generated snapshots are valid by the interchange format's own rules and survive a
// round trip through its CSV files.
func TestGenerate_PassesSnapshotValidationAndRoundTrips(t *testing.T) {
	s := keywaysSnapshot(t)
	require.NoError(t, snapshot.Validate(s))
	dir := t.TempDir()
	require.NoError(t, snapshot.Write(dir, s))
	back, err := snapshot.Read(dir)
	require.NoError(t, err)
	require.Equal(t, s.Canonical(), back.Canonical())
}
