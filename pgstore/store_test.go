package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/internal/fixtures"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

func readSmall(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Read("../testdata/snapshot/small")
	require.NoError(t, err)
	return s
}

// rowCount counts the rows of the register tables (names are constants).
func rowCount(t *testing.T, db *sqlx.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"applications", "members", "medical_assessments", "medical_conditions",
		"band_history", "overrides", "refusals", "landlords", "cycles", "adverts", "advert_local_lettings", "bids"} {
		var n int
		require.NoError(t, db.Get(&n, "SELECT count(*) FROM "+tbl))
		out[tbl] = n
	}
	return out
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("fresh database, concurrently", func(t *testing.T) {
		db := pgtest.EmptyDB(t)
		v, err := pgstore.Version(ctx, db)
		require.NoError(t, err)
		require.Zero(t, v)
		require.ErrorIs(t, pgstore.CheckVersion(ctx, db), pgstore.ErrNotMigrated)

		var wg sync.WaitGroup
		applied := make([][]pgstore.Migration, 3)
		errs := make([]error, 3)
		for i := range applied {
			wg.Go(func() { applied[i], errs[i] = pgstore.Migrate(ctx, db) })
		}
		wg.Wait()
		total := 0
		for i := range applied {
			require.NoError(t, errs[i])
			total += len(applied[i])
		}
		ms, err := pgstore.Migrations()
		require.NoError(t, err)
		require.Equal(t, len(ms), total, "each migration applied exactly once")
		require.NoError(t, pgstore.CheckVersion(ctx, db))
	})
	t.Run("up to date", func(t *testing.T) {
		db := pgtest.DB(t)
		applied, err := pgstore.Migrate(ctx, db)
		require.NoError(t, err)
		require.Empty(t, applied)
		v, err := pgstore.Version(ctx, db)
		require.NoError(t, err)
		require.Equal(t, pgstore.Latest(), v)
	})
}

// recordDecisions appends n placeholder decisions (never replayed by the tests that use
// it), so register_base rows naming them can be imported.
func recordDecisions(t *testing.T, db *sqlx.DB, n int) {
	t.Helper()
	_, err := db.Exec(`INSERT INTO decisions (seq, at, actor, kind, payload)
		SELECT g, now(), 'test', 'renew', '{}' FROM generate_series(1, $1::int) g`, n)
	require.NoError(t, err)
}

func TestImportExport_RoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, s := range map[string]*snapshot.Snapshot{
		"small example": readSmall(t),
		"every field":   snapshottest.Full(),
		"empty":         {},
	} {
		t.Run(name, func(t *testing.T) {
			db := pgtest.DB(t)
			recordDecisions(t, db, 3) // the decision Full's base names
			keys := foreignKeys(t, db)
			require.NoError(t, pgstore.Import(ctx, db, s))
			got, err := pgstore.Export(ctx, db)
			require.NoError(t, err)
			require.Equal(t, s.Canonical(), got)
			// Import sets the foreign keys of the tables it copies aside and adds them
			// back: the same keys, holding again.
			require.Equal(t, keys, foreignKeys(t, db))
			if len(s.Applications) > 0 {
				_, err = db.Exec(`INSERT INTO members (application, seq, born, sex, relationship) VALUES (-1, 1, '2000-01-01', 'F', 'applicant')`)
				require.ErrorContains(t, err, "members_application_fkey")
			}
		})
	}
}

// TestImport_BasesOnlyUnderTheirRecord: register_base rows are loaded only into a
// database that records decisions, and then each must name a recorded one.
func TestImport_BasesOnlyUnderTheirRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("no decisions recorded: the register as imported is where the record starts", func(t *testing.T) {
		db := pgtest.DB(t)
		var notes []string
		require.NoError(t, pgstore.ImportWith(ctx, db, snapshottest.Full(), pgstore.ImportOptions{
			Note: func(msg string) { notes = append(notes, msg) }}))
		require.Equal(t, []string{"register_base.csv: 1 application(s) not loaded: this database records no decisions, " +
			"so the register imported is where its record starts (docs/snapshot.md)"}, notes)
		want := snapshottest.Full().Canonical()
		want.Bases = nil
		got, err := pgstore.Export(ctx, db)
		require.NoError(t, err)
		require.Equal(t, want, got)
		var loaded bool
		require.NoError(t, db.Get(&loaded, `SELECT (detail->>'register_base_loaded')::bool FROM events WHERE kind = 'import'`))
		require.False(t, loaded)
	})
	t.Run("a decision not recorded: nothing written", func(t *testing.T) {
		db := pgtest.DB(t)
		recordDecisions(t, db, 2)
		err := pgstore.Import(ctx, db, snapshottest.Full())
		var ve *snapshot.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, `register_base.csv: application 7: decision: "3": no such decision recorded in this database `+
			`(it holds decisions up to 2)`, ve.Errors[0].Error())
		require.Len(t, ve.Errors, 1)
		for tbl, n := range rowCount(t, db) {
			require.Zero(t, n, tbl)
		}
	})
}

func TestImport_WritesEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	require.NoError(t, pgstore.ImportWith(ctx, db, readSmall(t), pgstore.ImportOptions{Actor: "tester"}))
	var ev struct {
		Actor string `db:"actor"`
		Kind  string `db:"kind"`
		Apps  int    `db:"apps"`
	}
	require.NoError(t, db.Get(&ev, `SELECT actor, kind, (detail->'rows'->0->>'rows')::int AS apps FROM events`))
	require.Equal(t, "tester", ev.Actor)
	require.Equal(t, "import", ev.Kind)
	require.Equal(t, 6, ev.Apps)

	_, err := db.Exec(`UPDATE events SET actor = 'someone else'`)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Exec(`DELETE FROM events`)
	require.ErrorContains(t, err, "append-only")
}

func TestImport_NothingWrittenOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("invalid snapshot", func(t *testing.T) {
		db := pgtest.DB(t)
		s := readSmall(t)
		s.Bids = append(s.Bids, s.Bids[0]) // a second bid by the same application on the same advert
		s.Applications[0].Status = "archived"
		err := pgstore.Import(ctx, db, s)
		var ve *snapshot.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Errors, 2)
		for tbl, n := range rowCount(t, db) {
			require.Zero(t, n, tbl)
		}
	})
	t.Run("register already held", func(t *testing.T) {
		db := pgtest.DB(t)
		require.NoError(t, pgstore.Import(ctx, db, readSmall(t)))
		before := rowCount(t, db)
		require.ErrorIs(t, pgstore.Import(ctx, db, snapshottest.Full()), pgstore.ErrNotEmpty)
		require.Equal(t, before, rowCount(t, db))

		full := snapshottest.Full()
		full.Bases = nil // see TestImport_BasesOnlyUnderTheirRecord
		require.NoError(t, pgstore.ImportWith(ctx, db, full, pgstore.ImportOptions{Replace: true}))
		got, err := pgstore.Export(ctx, db)
		require.NoError(t, err)
		require.Equal(t, full.Canonical(), got)
		var events int
		require.NoError(t, db.Get(&events, `SELECT count(*) FROM events WHERE kind = 'import'`))
		require.Equal(t, 2, events)
	})
	t.Run("not migrated", func(t *testing.T) {
		db := pgtest.EmptyDB(t)
		require.ErrorIs(t, pgstore.Import(ctx, db, readSmall(t)), pgstore.ErrNotMigrated)
	})
}

// TestSchema_Constraints checks the database refuses bad rows by itself, whoever writes.
func TestSchema_Constraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	require.NoError(t, pgstore.Import(ctx, db, readSmall(t)))
	// A shortlist of advert 7001 (cycle 42) and the partitions of cycles 42 and 43, so that
	// only the constraint named is broken by each entry below.
	_, err := db.ExecContext(ctx, `INSERT INTO shortlists (id, advert, policy, made_at, cycle) VALUES (1, 7001, 'nn-2021@1', now(), 42);
		CREATE TABLE shortlist_entries_c42 PARTITION OF shortlist_entries FOR VALUES IN (42);
		CREATE TABLE shortlist_entries_c43 PARTITION OF shortlist_entries FOR VALUES IN (43)`)
	require.NoError(t, err)
	entry := `INSERT INTO shortlist_entries (shortlist, cycle, application, position, skip, registered, placed) `
	for name, q := range map[string]string{
		"one bid per application per advert": `INSERT INTO bids (application, advert, placed) VALUES (1002, 7001, now())`,
		"bid on a missing advert":            `INSERT INTO bids (application, advert, placed) VALUES (1002, 424242, now())`,
		"band code":                          `INSERT INTO band_history (application, seq, band, from_date, effective) VALUES (1001, 9, 'F', '2025-01-01', '2025-01-01')`,
		"band spell from after to":           `INSERT INTO band_history (application, seq, band, from_date, to_date, effective) VALUES (1001, 9, 'B', '2025-02-01', '2025-01-01', '2025-01-01')`,
		"status value":                       `UPDATE applications SET status = 'archived' WHERE id = 1001`,
		"second main applicant":              `INSERT INTO members (application, seq, born, sex, relationship) VALUES (1001, 9, '2000-01-01', 'F', 'applicant')`,
		"cycle closes before it opens":       `UPDATE cycles SET closes = opens - interval '1 day' WHERE id = 42`,
		"override without a reason":          `INSERT INTO overrides (application, seq, kind, band, reason, recorded_by, made_on) VALUES (1001, 9, 'set_band', 'A', '', 'kp', '2025-01-01')`,
		"skip code":                          entry + `VALUES (1, 42, 1001, NULL, 'too_tall', '2020-01-01', now())`,
		"ranked and skipped at once":         entry + `VALUES (1, 42, 1001, 1, 'arrears', '2020-01-01', now())`,
		"entry of a missing application":     entry + `VALUES (1, 42, 424242, 1, NULL, '2020-01-01', now())`,
		"entry in another cycle's partition": entry + `VALUES (1, 43, 1001, 1, NULL, '2020-01-01', now())`,
		"shortlist without a cycle":          `INSERT INTO shortlists (advert, policy, made_at) VALUES (7001, 'x', now())`,
		"direct let without authoriser":      `INSERT INTO lets (advert, application, let_on, direct, direct_reason) VALUES (7001, 1001, '2025-12-01', true, 'decant')`,
	} {
		t.Run(name, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer tx.Rollback()
			// As cbl writes (the kept state refuses other writers: TestHandEdit_KeptStateRefused).
			_, err = tx.ExecContext(ctx, `SET LOCAL cbl.writer = 'on'`)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, q)
			var pqErr *pq.Error
			require.ErrorAs(t, err, &pqErr)
			require.Equal(t, "23", string(pqErr.Code.Class()), "want an integrity constraint violation, got %v", err)
		})
	}
}

func TestExport_NotMigrated(t *testing.T) {
	t.Parallel()
	_, err := pgstore.Export(context.Background(), pgtest.EmptyDB(t))
	require.True(t, errors.Is(err, pgstore.ErrNotMigrated))
}

func TestEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	at := time.Date(2025, 11, 12, 9, 0, 0, 0, time.UTC)
	id, err := pgstore.AppendEvent(ctx, db, pgstore.Event{At: at, Actor: "kp", Kind: "override", Application: 1001,
		Reason: "panel decision", Detail: json.RawMessage(`{"band": "A"}`)})
	require.NoError(t, err)
	_, err = pgstore.AppendEvent(ctx, db, pgstore.Event{Actor: "engine", Kind: "close", Advert: 7001})
	require.NoError(t, err)
	_, err = pgstore.AppendEvent(ctx, db, pgstore.Event{Kind: "anonymous"})
	require.Error(t, err)

	all, err := pgstore.Events(ctx, db, 0)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, int64(7001), all[1].Advert)
	require.JSONEq(t, `{}`, string(all[1].Detail))

	mine, err := pgstore.Events(ctx, db, 1001)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, id, mine[0].ID)
	require.Equal(t, at, mine[0].At)
	require.JSONEq(t, `{"band": "A"}`, string(mine[0].Detail))
}

// TestImport_CancelledWritesNothing cancels a Keyways-scale import after one, a few and
// many batches of rows: each cancelled import says it was interrupted and leaves the
// database empty (no register rows, no import event), and the import that then runs
// through writes the whole snapshot.
func TestImport_CancelledWritesNothing(t *testing.T) {
	t.Parallel()
	s := fixtures.Keyways(t)
	db := pgtest.DB(t)
	empty := rowCount(t, db)
	events := func() int {
		var n int
		require.NoError(t, db.Get(&n, `SELECT count(*) FROM events`))
		return n
	}
	before := events()
	for _, after := range []int{1, 3, 20} {
		ctx, cancel := context.WithCancel(context.Background())
		batches := 0
		err := pgstore.ImportWith(ctx, db, s, pgstore.ImportOptions{Progress: func(int) {
			if batches++; batches == after {
				cancel()
			}
		}})
		cancel()
		require.ErrorIs(t, err, context.Canceled, "cancelled after %d batch(es)", after)
		require.ErrorContains(t, err, "import interrupted; nothing written")
		require.Equal(t, after, batches, "cancelled part way, not after the end")
		require.Equal(t, empty, rowCount(t, db), "cancelled after %d batch(es)", after)
		require.Equal(t, before, events())
	}
	require.NoError(t, pgstore.Import(context.Background(), db, s))
	require.Equal(t, len(s.Applications), rowCount(t, db)["applications"])
	require.Equal(t, len(s.Bids), rowCount(t, db)["bids"])
	require.Equal(t, before+1, events())
}

// TestMigrate_EntriesByCycle: migration 0007 moves the shortlist entries held at version 6
// into their cycles' partitions, keeping every row, and gives a shortlist made outside a
// close its advert's cycle.
func TestMigrate_EntriesByCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.EmptyDB(t)
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
	for _, m := range ms {
		if m.Version > 6 {
			break
		}
		_, err := db.Exec(m.SQL)
		require.NoError(t, err, m.Name)
		_, err = db.Exec(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
		require.NoError(t, err)
	}
	_, err = db.Exec(`
		INSERT INTO applications (id, registered, status, mobility, home_bedrooms, tenure) VALUES
			(1, '2020-01-01', 'active', 'none', 1, 'private'), (2, '2021-01-01', 'active', 'none', 1, 'private');
		INSERT INTO landlords (id, name, nomination_share) VALUES ('nnc', 'NNC', 0);
		INSERT INTO cycles (id, opens, closes, policy) VALUES (5, '2025-01-02', '2025-01-07', 'nn-2021'),
			(6, '2025-01-09', '2025-01-14', 'nn-2021');
		INSERT INTO adverts (id, cycle, landlord, bedrooms, bed_spaces, type, access, ordering, weekly_rent, closes) VALUES
			(50, 5, 'nnc', 1, 2, 'flat', 'general', 'band', 100, '2025-01-07'),
			(60, 6, 'nnc', 1, 2, 'flat', 'general', 'band', 100, '2025-01-14');
		INSERT INTO shortlists (id, advert, policy, made_at, cycle) VALUES (1, 50, 'nn-2021@1', now(), 5);
		INSERT INTO shortlists (id, advert, policy, made_at) VALUES (2, 60, 'nn-2021@1', now());
		INSERT INTO shortlist_entries (shortlist, application, position, skip, registered, placed) VALUES
			(1, 1, 1, NULL, '2020-01-01', '2025-01-03'), (1, 2, NULL, 'arrears', '2021-01-01', '2025-01-03'),
			(2, 2, 1, NULL, '2021-01-01', '2025-01-10')`)
	require.NoError(t, err)

	applied, err := pgstore.Migrate(ctx, db)
	require.NoError(t, err)
	require.Len(t, applied, len(ms)-6)
	var rows []string
	require.NoError(t, db.Select(&rows, `SELECT concat_ws('|', tableoid::regclass, shortlist, cycle, application, position, skip)
		FROM shortlist_entries ORDER BY shortlist, application`))
	require.Equal(t, []string{
		"shortlist_entries_c5|1|5|1|1",
		"shortlist_entries_c5|1|5|2|arrears",
		"shortlist_entries_c6|2|6|2|1",
	}, rows)
}

// foreignKeys is every foreign key of the schema as PostgreSQL prints it.
func foreignKeys(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var keys []string
	require.NoError(t, db.Select(&keys, `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE contype = 'f' ORDER BY 1`))
	require.NotEmpty(t, keys)
	return keys
}
