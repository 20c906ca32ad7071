package main

import (
	"errors"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/spf13/cobra"
)

func newMigrateCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema",
		Long: `Apply every schema migration the database has not had yet, each in its own
transaction, holding an advisory lock so concurrent runs are safe. Prints the
migrations applied (none when the schema is up to date).

Each migration's checksum is recorded when it is applied. Refused, applying nothing,
when the database has had a migration this cbl does not know (a newer cbl migrated it)
or when an applied migration's file has changed since: see cbl migrate status.
Migrations applied by a cbl that kept no checksums get theirs recorded.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.OpenUnchecked(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := pgstore.Migrate(cmd.Context(), db)
			rows := []migrationRow{}
			for _, m := range applied {
				rows = append(rows, migrationRow{m.Version, m.Name})
			}
			if err != nil {
				return err
			}
			app.Logf("schema at version %d (%d migration(s) applied)", pgstore.Latest(), len(applied))
			return app.PrintRows(rows)
		},
	}
	cmd.AddCommand(newMigrateStatusCommand(app))
	return cmd
}

func newMigrateStatusCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show each migration: applied when, and whether its checksum matches",
		Long: `Print every migration this cbl embeds and every one the database has had, in
version order: version, file name, when it was applied, and its checksum state:

  ok          applied, and the file is unchanged since
  mismatch    applied, but the file in this cbl differs from the one applied
  pending     not applied yet (cbl migrate applies it)
  unverified  applied by a cbl that kept no checksums (cbl migrate records them)
  unknown     applied, but not in this cbl: the database is newer than this cbl

Writes nothing. Exits 1 when a migration is mismatched or unknown (no command but this
one will then open the database), 0 otherwise.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.OpenUnchecked(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			sts, err := pgstore.MigrationStatuses(cmd.Context(), db)
			if err != nil {
				return err
			}
			rows := []migrationStatusRow{}
			pending := 0
			for _, st := range sts {
				r := migrationStatusRow{Version: st.Version, Migration: st.Name, Checksum: string(st.State)}
				if !st.AppliedAt.IsZero() {
					r.AppliedAt = &st.AppliedAt
				}
				if st.State == pgstore.Pending {
					pending++
				}
				rows = append(rows, r)
			}
			if err := app.PrintRows(rows); err != nil {
				return err
			}
			if err := pgstore.CheckVersion(cmd.Context(), db); err != nil && !errors.Is(err, pgstore.ErrNotMigrated) {
				return err
			}
			if pending > 0 {
				app.Logf("%d migration(s) pending: run cbl migrate", pending)
			}
			return nil
		},
	}
}

// migrationRow is a migration cbl migrate applied.
type migrationRow struct {
	Version   int    `json:"version"`
	Migration string `json:"migration"`
}

// migrationStatusRow is a migration as cbl migrate status sees it: applied_at is null
// while pending.
type migrationStatusRow struct {
	Version   int        `json:"version"`
	Migration string     `json:"migration"`
	AppliedAt *time.Time `json:"applied_at"`
	Checksum  string     `json:"checksum"`
}
