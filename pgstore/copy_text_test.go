package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// TestCopyText_RoundTrips: values a close writes as COPY text — text with backslashes,
// tabs, newlines and carriage returns, JSON, NULLs, bytea, booleans, dates and times
// with microseconds — read back as written, over more than one batch.
func TestCopyText_RoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	_, err := db.Exec(`CREATE TABLE copy_text (id bigint, s text, j jsonb, b bytea, ok boolean, d date, at timestamptz)`)
	require.NoError(t, err)
	at := time.Date(2025, 11, 14, 23, 59, 59, 123456000, time.UTC)
	awkward := []string{``, `plain`, `back\slash`, "tab\there", "new\nline", "cr\rhere", `\N`, `\.`, "ünï ✓", `"quoted"`}
	var rows [][]any
	for i := range 2500 {
		s := awkward[i%len(awkward)]
		var text, date, when any = s, "2025-11-14", at.Add(time.Duration(i) * time.Microsecond)
		if i%7 == 3 {
			text, date, when = nil, nil, nil
		}
		rows = append(rows, []any{int64(i), text, `{"note": "a\tb\\c\n", "n": 1}`, []byte{0, '\\', 0xff, byte(i)}, i%2 == 0, date, when})
	}
	require.NoError(t, pgstore.CopyText(ctx, db, "copy_text", []string{"id", "s", "j", "b", "ok", "d", "at"}, rows))

	type row struct {
		ID int64      `db:"id"`
		S  *string    `db:"s"`
		J  string     `db:"j"`
		B  []byte     `db:"b"`
		OK bool       `db:"ok"`
		D  *string    `db:"d"`
		At *time.Time `db:"at"`
	}
	var got []row
	require.NoError(t, db.Select(&got, `SELECT id, s, j::text AS j, b, ok, d::text AS d, at FROM copy_text ORDER BY id`))
	require.Len(t, got, len(rows))
	for i, r := range got {
		want := rows[i]
		require.Equal(t, want[0], r.ID)
		if want[1] == nil {
			require.Nil(t, r.S, "row %d", i)
			require.Nil(t, r.D)
			require.Nil(t, r.At)
		} else {
			require.Equal(t, want[1], *r.S, "row %d", i)
			require.Equal(t, want[5], *r.D)
			require.True(t, want[6].(time.Time).Equal(*r.At), "row %d: %v", i, *r.At)
		}
		require.JSONEq(t, want[2].(string), r.J)
		require.Equal(t, want[3], r.B)
		require.Equal(t, want[4], r.OK)
	}
}
