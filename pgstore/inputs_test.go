package pgstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
)

// S7.7: a second close keeps only the states that changed; a purge under the retention
// setting removes the first close's households but keeps the states the second close
// still needs, so the second still verifies and the first says it was purged.
func TestS7_7_PurgeKeepsWhatLaterCyclesNeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Small(t, 2)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	first, second := s.Cycles[0], s.Cycles[1]
	for _, c := range s.Cycles {
		_, err := pgstore.CloseCycle(ctx, db, c.ID, pgstore.CloseOptions{})
		require.NoError(t, err)
		v, err := pgstore.VerifyCycle(ctx, db, c.ID)
		require.NoError(t, err)
		require.Empty(t, v.Difference)
	}
	var households, own, fromFirst int
	require.NoError(t, db.Get(&households, `SELECT households FROM cycle_inputs WHERE cycle = $1`, second.ID))
	require.NoError(t, db.Get(&own, `SELECT count(*) FROM recorded_states WHERE cycle = $1`, second.ID))
	require.NoError(t, db.Get(&fromFirst, `SELECT count(*) FROM recorded_states f JOIN cycle_inputs ci ON ci.cycle = $2
		WHERE f.cycle = $1 AND NOT EXISTS (SELECT 1 FROM recorded_states s WHERE s.cycle = $2 AND s.application = f.application)`,
		first.ID, second.ID))
	require.Less(t, own, households, "households unchanged since the first close are not kept again")
	require.Positive(t, fromFirst)

	var firstOwn int
	require.NoError(t, db.Get(&firstOwn, `SELECT count(*) FROM recorded_states WHERE cycle = $1`, first.ID))
	purged, err := pgstore.PurgeInputs(ctx, db, second.Closes)
	require.NoError(t, err)
	require.Equal(t, []int64{first.ID}, purged)
	_, err = pgstore.VerifyCycle(ctx, db, first.ID)
	require.ErrorIs(t, err, pgstore.ErrInputsPurged)
	v, err := pgstore.VerifyCycle(ctx, db, second.ID)
	require.NoError(t, err)
	require.Empty(t, v.Difference, "the states the second close needs survived the purge")
	var left int
	require.NoError(t, db.Get(&left, `SELECT count(*) FROM recorded_states WHERE cycle = $1`, first.ID))
	require.Positive(t, left, "states the second close refers to stay")
	require.Less(t, left, firstOwn, "states only the purged close referred to go")

	again, err := pgstore.PurgeInputs(ctx, db, second.Closes)
	require.NoError(t, err)
	require.Empty(t, again, "a purged cycle is purged once")
}

// S7.7: import --replace takes the record of closes with the register, so a cycle
// closed again records afresh and verifies (no state left pointing at a gone close).
func TestS7_7_ReplaceStartsTheRecordAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := fixtures.Small(t, 1)
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, s))
	c := s.Cycles[0].ID
	_, err := pgstore.CloseCycle(ctx, db, c, pgstore.CloseOptions{})
	require.NoError(t, err)
	require.NoError(t, pgstore.ImportWith(ctx, db, s, pgstore.ImportOptions{Replace: true}))
	var left int
	require.NoError(t, db.Get(&left, `SELECT (SELECT count(*) FROM recorded_states) + (SELECT count(*) FROM cycle_inputs)`))
	require.Zero(t, left)
	_, err = pgstore.CloseCycle(ctx, db, c, pgstore.CloseOptions{})
	require.NoError(t, err)
	v, err := pgstore.VerifyCycle(ctx, db, c)
	require.NoError(t, err)
	require.Empty(t, v.Difference)
	var households, states int
	require.NoError(t, db.Get(&households, `SELECT households FROM cycle_inputs WHERE cycle = $1`, c))
	require.NoError(t, db.Get(&states, `SELECT count(*) FROM recorded_states`))
	require.Equal(t, households, states, "every household's state kept afresh")
}
