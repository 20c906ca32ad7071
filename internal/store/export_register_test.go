package store_test

import (
	"context"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

// TestExport_GeneratedRegisterRoundTrip checks the row-walking reader on a register with
// many applications, each with several members, assessments, spells and bids: what
// Import wrote comes back unchanged.
func TestExport_GeneratedRegisterRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	s := snapshottest.Register(3, 1500, 2, 40)
	require.NoError(t, store.Import(ctx, db, s))
	got, err := store.Export(ctx, db)
	require.NoError(t, err)
	require.Equal(t, s.Canonical(), got)
}
