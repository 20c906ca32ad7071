package main

import (
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

func newExportCommand(app *App) *cobra.Command {
	var mode *string
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Write the register held in the database as a snapshot directory",
		Long: `Read the whole register in one consistent transaction and write it to DIR as CSV
files (docs/snapshot.md), creating DIR if needed and overwriting the snapshot files
in it. cbl import of the result reproduces the register. Prints the rows written per
file.

The files hold names, dates of birth and domestic-abuse, immigration and medical flags:
they are created readable by you only (0600; DIR, if created, 0700) unless --mode says
otherwise. A cell a spreadsheet would run as a formula (= + - @ first) is written with
an apostrophe in front; cbl import takes it off again.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			perm, err := parseMode(*mode)
			if err != nil {
				return err
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			s, err := pgstore.Export(cmd.Context(), db)
			if err != nil {
				return err
			}
			if err := snapshot.WriteMode(dir, s, perm); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			app.Logf("exported to %s in %v", dir, time.Since(start).Round(time.Millisecond))
			return app.PrintRows(countRows(s))
		},
	}
	mode = fileModeFlag(cmd)
	cmd.AddCommand(newExportCoreCommand(app))
	return cmd
}
