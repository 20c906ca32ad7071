package pgstore

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// The states a close keeps come back line for line, whichever half of the two gzip
// streams they went in.
func TestGzipLines_RoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 1000} {
		var lines [][]byte
		for i := range n {
			lines = append(lines, fmt.Appendf(nil, "%d\t{\"members\":%d}", i, i*i))
		}
		back, err := gunzipLines(gzipLines(lines))
		require.NoError(t, err)
		require.Len(t, back, n)
		for i := range lines {
			require.True(t, bytes.Equal(lines[i], back[i]), "line %d: %q, want %q", i, back[i], lines[i])
		}
	}
}
