package snapshot_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// Encode gives, file by file, exactly the bytes Write writes.
func TestEncode_AsWritten(t *testing.T) {
	t.Parallel()
	s, err := snapshot.Read("../testdata/snapshot/small")
	require.NoError(t, err)
	files, err := snapshot.Encode(s)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, snapshot.Write(dir, s))
	require.Len(t, files, len(snapshot.Files))
	for _, f := range snapshot.Files {
		want, err := os.ReadFile(filepath.Join(dir, f.Name))
		require.NoError(t, err)
		require.Equal(t, string(want), string(files[f.Name]), f.Name)
	}
	require.NotEmpty(t, files[snapshot.FileApplications])
}
