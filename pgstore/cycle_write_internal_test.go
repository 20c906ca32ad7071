package pgstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProduce_RowsInOrder: the rows built on several goroutines reach the COPY in
// order, every one once, across batch and producer boundaries.
func TestProduce_RowsInOrder(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, batch - 1, batch, batch + 1, 5*batch + 7} {
		batches, stop := produce(n, func(i int) ([]any, error) { return []any{i}, nil }, false)
		next := 0
		for b := range batches {
			require.NoError(t, b.err)
			for _, r := range b.rows {
				require.Equal(t, next, r[0], "n=%d", n)
				next++
			}
		}
		stop()
		require.Equal(t, n, next)
	}
}

// TestProduce_StopsAtError: a row's error ends the rows, after the ones before it.
func TestProduce_StopsAtError(t *testing.T) {
	t.Parallel()
	bad := errors.New("bad row")
	batches, stop := produce(4*batch, func(i int) ([]any, error) {
		if i == 2*batch+3 {
			return nil, bad
		}
		return []any{i}, nil
	}, false)
	defer stop()
	got := 0
	for b := range batches {
		got += len(b.rows)
		if b.err != nil {
			require.ErrorIs(t, b.err, bad)
			break
		}
	}
	require.Equal(t, 2*batch+3, got)
}

// TestProduce_StopEarly: stopping part way ends the producers without a reader.
func TestProduce_StopEarly(t *testing.T) {
	t.Parallel()
	batches, stop := produce(10*batch, func(i int) ([]any, error) { return []any{i}, nil }, false)
	<-batches
	stop()
	for range batches { // drains and ends: out is closed once stop is seen
	}
}

// TestProduce_TextLinesInOrder: as COPY text, each batch is its rows' lines in order,
// separated by newlines, the last without one (CopyData ends it).
func TestProduce_TextLinesInOrder(t *testing.T) {
	t.Parallel()
	n := 3*batch + 5
	batches, stop := produce(n, func(i int) ([]any, error) { return []any{int64(i), "a\tb"}, nil }, true)
	defer stop()
	next := 0
	for b := range batches {
		require.NoError(t, b.err)
		require.Empty(t, b.rows)
		for _, line := range strings.Split(string(b.text), "\n") {
			require.Equal(t, fmt.Sprintf("%d\ta\\tb", next), line, "a real tab between, an escaped one within")
			next++
		}
	}
	require.Equal(t, n, next)
}
