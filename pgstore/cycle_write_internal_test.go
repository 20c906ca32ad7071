package pgstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/stretchr/testify/require"
)

// TestProduce_RowsInOrder: the rows built on several goroutines reach the COPY in
// order, every one once, across batch and producer boundaries.
func TestProduce_RowsInOrder(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, batch - 1, batch, batch + 1, 5*batch + 7} {
		batches, stop := produce(n, rowsOf(func(i int) ([]any, error) { return []any{i}, nil }))
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
	batches, stop := produce(4*batch, rowsOf(func(i int) ([]any, error) {
		if i == 2*batch+3 {
			return nil, bad
		}
		return []any{i}, nil
	}))
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
	batches, stop := produce(10*batch, rowsOf(func(i int) ([]any, error) { return []any{i}, nil }))
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
	batches, stop := produce(n, textOf(func(i int) ([]any, error) { return []any{int64(i), "a\tb"}, nil }))
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

// TestAppendEntry_IsTheRowAsCopyText: an entry written by its typed encoding is the row
// the generic COPY text encoding makes of its values (timeArg, dateArg, bandArg):
// ranked and skipped, autobid, with and without a skip time, dates before 1000 and text
// that needs escaping.
func TestAppendEntry_IsTheRowAsCopyText(t *testing.T) {
	t.Parallel()
	placed := time.Date(2025, 11, 14, 9, 30, 1, 123456789, time.FixedZone("BST", 3600))
	for _, e := range []shortlist.Entry{
		{Application: 1001, Position: 1, Band: register.BandA, Effective: register.NewDate(2024, 1, 2),
			Registered: register.NewDate(2023, 12, 31), Autobid: true, Placed: placed},
		{Application: 1002, Position: 12, Registered: register.NewDate(999, 3, 4), Placed: placed},
		{Application: 1003, Skip: "bedroom_mismatch", Check: "bedrooms", Clause: "S7.2(b)", Band: register.BandE,
			Registered: register.NewDate(2025, 10, 9), Placed: placed},
		{Application: 1004, Skip: "officer_discretion", Note: "tab\there, back\\slash\nnew line", By: "kpatel",
			At: placed.Add(time.Hour), Band: register.BandC, Effective: register.NewDate(2020, 2, 29),
			Registered: register.NewDate(2020, 2, 29), Placed: placed},
	} {
		var pos, skip any
		if e.Skip != "" {
			skip = e.Skip
		} else {
			pos = e.Position
		}
		want, err := appendCopyRow(nil, []any{int64(7), int64(3), e.Application, pos, skip, e.Check, e.Clause, e.Note,
			e.By, timeArg(e.At), bandArg(e.Band), dateArg(e.Effective), dateArg(e.Registered), e.Autobid, timeArg(e.Placed)})
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendEntry(nil, 7, 3, &e)))
	}
}
