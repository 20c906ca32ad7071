package pgstore_test

import (
	"context"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// TestCloseFilter_SelectsExactlyItsApplications: the close reads the households it can
// rank by testing each row's application against a bit string of their ids when they
// are dense (as registers number applications), and against = ANY of them when not;
// either way PostgreSQL selects exactly those ids, none beyond the bit string's end and
// no negative one.
func TestCloseFilter_SelectsExactlyItsApplications(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	for _, c := range []struct {
		ids  []int64
		bits bool
	}{
		{[]int64{0, 1, 5, 8}, true},
		{[]int64{3, 4, 5, 6, 7, 64, 65, 127}, true},
		{[]int64{2, 1 << 20}, false},
		{[]int64{}, false},
	} {
		got, bits, err := pgstore.Filtered(ctx, db, c.ids, 200)
		require.NoError(t, err)
		require.Equal(t, c.bits, bits, "%v", c.ids)
		if len(c.ids) == 0 {
			require.Empty(t, got)
			continue
		}
		want := c.ids
		if want[len(want)-1] > 200 {
			want = want[:len(want)-1]
		}
		require.Equal(t, want, got, "%v", c.ids)
	}
}
