package pgstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/stretchr/testify/require"
)

// states is each migration's state, by version.
func states(t *testing.T, sts []pgstore.MigrationStatus) map[int]pgstore.MigrationState {
	t.Helper()
	out := map[int]pgstore.MigrationState{}
	for _, st := range sts {
		out[st.Version] = st.State
	}
	return out
}

func allIn(ms []pgstore.Migration, s pgstore.MigrationState) map[int]pgstore.MigrationState {
	out := map[int]pgstore.MigrationState{}
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
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	sts, err := pgstore.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allIn(ms, pgstore.Pending), states(t, sts))

	_, err = pgstore.Migrate(ctx, db)
	require.NoError(t, err)
	sts, err = pgstore.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Len(t, sts, len(ms))
	for i, m := range ms {
		require.Equal(t, m.Version, sts[i].Version)
		require.Equal(t, m.Name, sts[i].Name)
		require.Equal(t, pgstore.Applied, sts[i].State)
		require.Equal(t, m.Checksum, sts[i].Checksum)
		require.Len(t, m.Checksum, 64)
		require.False(t, sts[i].AppliedAt.IsZero())
	}
	require.NoError(t, pgstore.CheckVersion(ctx, db))
}

// TestMigrate_ChangedFileRefused: a migration whose file no longer matches what was
// applied (here the recorded checksum is changed instead) is refused by Migrate and by
// CheckVersion, and so by every store call, naming the file.
func TestMigrate_ChangedFileRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 3`)
	require.NoError(t, err)

	sts, err := pgstore.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	want := allIn(ms, pgstore.Applied)
	want[3] = pgstore.Mismatch
	require.Equal(t, want, states(t, sts))

	for name, err := range map[string]error{
		"CheckVersion": pgstore.CheckVersion(ctx, db),
		"Import":       pgstore.Import(ctx, db, readSmall(t)),
	} {
		require.ErrorIs(t, err, pgstore.ErrMigrationChanged, name)
		require.ErrorContains(t, err, ms[2].Name, name)
	}
	_, err = pgstore.Export(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrMigrationChanged)
	applied, err := pgstore.Migrate(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrMigrationChanged)
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

	sts, err := pgstore.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	last := sts[len(sts)-1]
	require.Equal(t, pgstore.MigrationStatus{Version: 9999, Name: "9999_later.sql", AppliedAt: last.AppliedAt,
		Checksum: "x", State: pgstore.Unknown}, last)

	err = pgstore.CheckVersion(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrSchemaNewer)
	require.ErrorContains(t, err, fmt.Sprintf("the database has had 9999_later.sql; this cbl knows migrations up to version %d", pgstore.Latest()))
	_, err = pgstore.Export(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrSchemaNewer)
	applied, err := pgstore.Migrate(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrSchemaNewer)
	require.Empty(t, applied)
}

// TestMigrate_RecordsChecksumsAppliedBefore: a database migrated by a cbl that kept no
// checksums (no checksum column) is usable, shows its migrations unverified, and has
// their checksums recorded by the next Migrate.
func TestMigrate_RecordsChecksumsAppliedBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	_, err = db.Exec(`ALTER TABLE schema_migrations DROP COLUMN checksum`)
	require.NoError(t, err)

	sts, err := pgstore.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allIn(ms, pgstore.Unverified), states(t, sts))
	require.NoError(t, pgstore.CheckVersion(ctx, db))

	applied, err := pgstore.Migrate(ctx, db)
	require.NoError(t, err)
	require.Empty(t, applied)
	sts, err = pgstore.MigrationStatuses(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allIn(ms, pgstore.Applied), states(t, sts))
}

// TestMigrate_PendingNamed: a database missing a migration is not up to date, and the
// error names what it lacks.
func TestMigrate_PendingNamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	ms, err := pgstore.Migrations()
	require.NoError(t, err)
	last := ms[len(ms)-1]
	_, err = db.Exec(`DELETE FROM schema_migrations WHERE version = $1`, last.Version)
	require.NoError(t, err)
	err = pgstore.CheckVersion(ctx, db)
	require.ErrorIs(t, err, pgstore.ErrNotMigrated)
	require.ErrorContains(t, err, "database lacks "+last.Name)
}
