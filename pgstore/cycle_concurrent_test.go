package pgstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestCloseCycle_TwoCyclesAtOnce closes two different cycles at the same time, several
// times over: both closes succeed (before the lock order in cycle_close.go, one failed
// with "deadlock detected" as their partition attaches waited on each other's locks on
// shortlist_entries and shortlists), and the result is what closing them one after the
// other gives.
func TestCloseCycle_TwoCyclesAtOnce(t *testing.T) {
	ctx := context.Background()
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 2
	s, err := synth.Generate(cfg)
	require.NoError(t, err)
	require.Len(t, s.Cycles, 2)

	serial := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, serial, s))
	for _, c := range s.Cycles {
		_, err := pgstore.CloseCycle(ctx, serial, c.ID, pgstore.CloseOptions{Actor: "t"})
		require.NoError(t, err)
	}
	want := closeState(t, serial)
	require.Len(t, want["closed"], 2)

	for run := 0; run < 3; run++ {
		db := pgtest.DB(t)
		require.NoError(t, pgstore.Import(ctx, db, s))
		var wg sync.WaitGroup
		errs := make([]error, len(s.Cycles))
		start := make(chan struct{})
		for i, c := range s.Cycles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = pgstore.CloseCycle(ctx, db, c.ID, pgstore.CloseOptions{Actor: "t"})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "run %d, cycle %d", run, s.Cycles[i].ID)
		}
		got := closeState(t, db)
		// Events are numbered in commit order, which may differ from the serial run's.
		require.ElementsMatch(t, want["events"], got["events"])
		delete(want, "events")
		delete(got, "events")
		require.Equal(t, want, got, "run %d", run)
		want = closeState(t, serial)
	}
}

// TestCloseCycle_ConnectionLost ends the close's session on the server part way, as a
// server stop does: the close says the connection was lost and that nothing was
// written, rather than database/sql's "driver: bad connection", and nothing was.
func TestCloseCycle_ConnectionLost(t *testing.T) {
	ctx := context.Background()
	s, err := synth.Generate(synth.Keyways())
	require.NoError(t, err)
	dsn := pgtest.DSN(t)
	db, admin := openStore(t, dsn), openStore(t, dsn)
	require.NoError(t, pgstore.Import(ctx, db, s))
	before := closeState(t, db)
	killed := false
	_, err = pgstore.CloseCycle(ctx, db, 1, pgstore.CloseOptions{Actor: "t", Progress: func(int) {
		if !killed {
			killed = true
			_, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			require.NoError(t, err)
		}
	}})
	require.True(t, killed)
	require.Error(t, err)
	require.True(t, pgstore.LostConnection(err), "%v", err)
	require.Contains(t, err.Error(), "close cycle 1: the connection to the database was lost (was the server stopped?); nothing written; run it again")
	require.Equal(t, before, closeState(t, openStore(t, dsn)))
}

func openStore(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCloseCycle_WaitsForImportReplace starts a close while an import --replace of the
// same register holds its tables: the close waits for the import's commit and then
// closes the cycle the import loaded, rather than failing with "no such cycle" (a
// snapshot taken before the commit sees TRUNCATEd tables empty).
func TestCloseCycle_WaitsForImportReplace(t *testing.T) {
	ctx := context.Background()
	s, err := synth.Generate(synth.Keyways())
	require.NoError(t, err)
	dsn := pgtest.DSN(t)
	db, watch := openStore(t, dsn), openStore(t, dsn)
	require.NoError(t, pgstore.Import(ctx, db, s))

	closed := make(chan error, 1)
	started := false
	err = pgstore.ImportWith(ctx, db, s, pgstore.ImportOptions{Replace: true, Progress: func(int) {
		if started {
			return
		}
		started = true
		// The import holds its tables (TRUNCATE): start a close and let the import go on
		// only once the close is waiting for them.
		go func() {
			_, err := pgstore.CloseCycle(ctx, db, s.Cycles[0].ID, pgstore.CloseOptions{Actor: "t"})
			closed <- err
		}()
		require.Eventually(t, func() bool {
			var waiting int
			require.NoError(t, watch.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock'`))
			return waiting > 0
		}, 10*time.Second, 10*time.Millisecond)
	}})
	require.NoError(t, err)
	require.True(t, started)
	require.NoError(t, <-closed)
	var n int
	require.NoError(t, db.Get(&n, `SELECT count(*) FROM cycles WHERE closed_at IS NOT NULL`))
	require.Equal(t, 1, n)
}
