package main

import (
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/spf13/cobra"
)

func newAdvertCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "advert",
		Short: "Look up adverts",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupRun,
	}
	var cycle int64
	var open bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List adverts: cycle, landlord, home, closing time, live bids, where the walk stands",
		Long: `List the adverts held (of --cycle, or all), by id: cycle, landlord, locality, type,
bedrooms, closing time (Europe/London), withdrawn, live bids, and where the walk stands —
empty before the cycle closed, else open, let or withdrawn — with the tenant of a let.
With --open, only adverts whose walk is still open: closed, not let, not withdrawn (what
officers still have to work). -o json is typed.`,
		Example: `  cbl advert list --cycle 42
  cbl advert list --open -o json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			rows, err := pgstore.Adverts(cmd.Context(), db, cycle, open)
			if err != nil {
				return err
			}
			return app.PrintRows(rows)
		},
	}
	list.Flags().Int64Var(&cycle, "cycle", 0, "only this cycle's adverts")
	list.Flags().BoolVar(&open, "open", false, "only adverts whose walk is still open")
	cmd.AddCommand(list)
	return cmd
}

func newBidListCommand(app *App) *cobra.Command {
	var application, advert int64
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List an application's bids, or an advert's, with their shortlist places",
		Long: `List the bids of --application, or on --advert (give one): advert, cycle, when placed
(Europe/London), autobid, when withdrawn, and once the cycle closed the bid's position on
the stored shortlist or its skip code. -o json is typed (null where none).`,
		Example: `  cbl bid list --application 1752
  cbl bid list --advert 7001 -o csv`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (application == 0) == (advert == 0) {
				return usageErrorf("give --application or --advert (one of them)")
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			rows, err := pgstore.Bids(cmd.Context(), db, application, advert)
			if err != nil {
				return err
			}
			return app.PrintRows(rows)
		},
	}
	cmd.Flags().Int64Var(&application, "application", 0, "this application's bids")
	cmd.Flags().Int64Var(&advert, "advert", 0, "the bids on this advert")
	return cmd
}
