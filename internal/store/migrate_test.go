package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/stretchr/testify/require"
)

// states is each migration's state, by version.
func states(t *testing.T, sts []store.MigrationStatus) map[int]store.MigrationState {
	t.Helper()
	out := map[int]store.MigrationState{}
	for _, st := range sts {
		out[st.Version] = st.State
	}
	return out
}

func allIn(ms []store.Migration, s store.MigrationState) map[int]store.MigrationState {
	out := map[int]store.MigrationState{}
	for _, m := range ms {
		out[m.Version] = s
	}
	return out
}

// TestMigrationStatuses_RecordsChecksums: an empty database has every migration
// pending; once migrated, each is recorded with the checksum of its file.
func TestMigrationStatuses_RecordsChecksums(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.EmptyDB(t)
	ms, err := store.Migrations()
	require.NoError(t, err)
	sts, err := store.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allIn(ms, store.Pending), states(t, sts))

	_, err = store.Migrate(ctx, db)
	require.NoError(t, err)
	sts, err = store.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Len(t, sts, len(ms))
	for i, m := range ms {
		require.Equal(t, m.Version, sts[i].Version)
		require.Equal(t, m.Name, sts[i].Name)
		require.Equal(t, store.Applied, sts[i].State)
		require.Equal(t, m.Checksum, sts[i].Checksum)
		require.Len(t, m.Checksum, 64)
		require.False(t, sts[i].AppliedAt.IsZero())
	}
	require.NoError(t, store.CheckVersion(ctx, db))
}

// TestMigrate_ChangedFileRefused: a migration whose file no longer matches what was
// applied (here the recorded checksum is changed instead) is refused by Migrate and by
// CheckVersion, and so by every store call, naming the file.
func TestMigrate_ChangedFileRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	ms, err := store.Migrations()
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 3`)
	require.NoError(t, err)

	sts, err := store.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	want := allIn(ms, store.Applied)
	want[3] = store.Mismatch
	require.Equal(t, want, states(t, sts))

	for name, err := range map[string]error{
		"CheckVersion": store.CheckVersion(ctx, db),
		"Import":       store.Import(ctx, db, readSmall(t)),
	} {
		require.ErrorIs(t, err, store.ErrMigrationChanged, name)
		require.ErrorContains(t, err, ms[2].Name, name)
	}
	_, err = store.Export(ctx, db)
	require.ErrorIs(t, err, store.ErrMigrationChanged)
	applied, err := store.Migrate(ctx, db)
	require.ErrorIs(t, err, store.ErrMigrationChanged)
	require.Empty(t, applied)
}

// TestMigrate_NewerDatabaseRefused: a database that has had a migration this program
// does not embed is refused, with the migration named, and Migrate applies nothing.
func TestMigrate_NewerDatabaseRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	_, err := db.Exec(`INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_later.sql', 'x')`)
	require.NoError(t, err)

	sts, err := store.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	last := sts[len(sts)-1]
	require.Equal(t, store.MigrationStatus{Version: 9999, Name: "9999_later.sql", AppliedAt: last.AppliedAt,
		Checksum: "x", State: store.Unknown}, last)

	err = store.CheckVersion(ctx, db)
	require.ErrorIs(t, err, store.ErrSchemaNewer)
	require.ErrorContains(t, err, fmt.Sprintf("the database has had 9999_later.sql; this cbl knows migrations up to version %d", store.Latest()))
	_, err = store.Export(ctx, db)
	require.ErrorIs(t, err, store.ErrSchemaNewer)
	applied, err := store.Migrate(ctx, db)
	require.ErrorIs(t, err, store.ErrSchemaNewer)
	require.Empty(t, applied)
}

// TestMigrate_RecordsChecksumsAppliedBefore: a database migrated by a cbl that kept no
// checksums (no checksum column) is usable, shows its migrations unverified, and has
// their checksums recorded by the next Migrate.
func TestMigrate_RecordsChecksumsAppliedBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	ms, err := store.Migrations()
	require.NoError(t, err)
	_, err = db.Exec(`ALTER TABLE schema_migrations DROP COLUMN checksum`)
	require.NoError(t, err)

	sts, err := store.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allIn(ms, store.Unverified), states(t, sts))
	require.NoError(t, store.CheckVersion(ctx, db))

	applied, err := store.Migrate(ctx, db)
	require.NoError(t, err)
	require.Empty(t, applied)
	sts, err = store.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allIn(ms, store.Applied), states(t, sts))
}

// TestMigrate_PendingNamed: a database missing a migration is not up to date, and the
// error names what it lacks.
func TestMigrate_PendingNamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	ms, err := store.Migrations()
	require.NoError(t, err)
	last := ms[len(ms)-1]
	_, err = db.Exec(`DELETE FROM schema_migrations WHERE version = $1`, last.Version)
	require.NoError(t, err)
	err = store.CheckVersion(ctx, db)
	require.ErrorIs(t, err, store.ErrNotMigrated)
	require.ErrorContains(t, err, "database lacks "+last.Name)
}
