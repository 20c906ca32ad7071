package main

import (
	"strconv"

	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/spf13/cobra"
)

func newMigrateCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema",
		Long: `Apply every schema migration the database has not had yet, each in its own
transaction, holding an advisory lock so concurrent runs are safe. Prints the
migrations applied (none when the schema is up to date).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := store.Migrate(cmd.Context(), db)
			var rows [][]string
			for _, m := range applied {
				rows = append(rows, []string{strconv.Itoa(m.Version), m.Name})
			}
			if err != nil {
				return err
			}
			app.Logf("schema at version %d (%d migration(s) applied)", store.Latest(), len(applied))
			return app.Print([]string{"version", "migration"}, rows)
		},
	}
}
