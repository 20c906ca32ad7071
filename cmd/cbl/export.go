package main

import (
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

func newExportCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "export DIR",
		Short: "Write the register held in the database as a snapshot directory",
		Long: `Read the whole register in one consistent transaction and write it to DIR as CSV
files (docs/snapshot.md), creating DIR if needed and overwriting the snapshot files
in it. cbl import of the result reproduces the register. Prints the rows written per
file.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
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
			if err := snapshot.Write(dir, s); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			app.Logf("exported to %s in %v", dir, time.Since(start).Round(time.Millisecond))
			return app.Print([]string{"file", "rows"}, countRows(s))
		},
	}
}
