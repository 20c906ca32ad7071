package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/spf13/cobra"
)

func newAutobidCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "autobid",
		Short: "Officers' autobid exclusions (S6.5)",
		Args:  noSubcommand,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAutobidExcludeCommand(app), newAutobidIncludeCommand(app), newAutobidListCommand(app))
	return cmd
}

func newAutobidExcludeCommand(app *App) *cobra.Command {
	var reason, who string
	cmd := &cobra.Command{
		Use:   "exclude ADVERT APP",
		Short: "Exclude ADVERT from application APP's autobids",
		Long: `Record an officer's exclusion (S6.5): when ADVERT's cycle closes, cbl cycle
close places no autobid for APP on it. A bid the applicant placed is not affected.
The exclusion and an events row (autobid_excluded) are written in one transaction.`,
		Example: `  cbl autobid exclude 7001 1002 --reason "known risk at the block" --actor kpatel`,
		Args:    exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			appID, advert, err := bidArgs(args)
			if err != nil {
				return err
			}
			if reason == "" {
				return usageErrorf("--reason is required")
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			e, err := pgstore.ExcludeAutobid(cmd.Context(), db, appID, advert, reason, who)
			if errors.Is(err, pgstore.ErrNotFound) || errors.Is(err, pgstore.ErrExcluded) {
				return fmt.Errorf("cannot exclude: %w", err)
			}
			if err != nil {
				return err
			}
			app.Logf("autobid excluded: application %d on advert %d", appID, advert)
			return app.PrintRows([]exclusionRow{exclusionRowOf(e)})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the advert is excluded (required)")
	cmd.Flags().StringVar(&who, "actor", actor(), "the officer recorded")
	return cmd
}

func newAutobidIncludeCommand(app *App) *cobra.Command {
	var reason, who string
	cmd := &cobra.Command{
		Use:   "include ADVERT APP",
		Short: "Remove the exclusion of ADVERT from application APP's autobids",
		Long: `Remove an officer's exclusion made with cbl autobid exclude: when ADVERT's cycle
closes, cbl cycle close may autobid APP onto it again. A cycle already closed is not
changed. The exclusion is deleted with an events row (autobid_included, the officer, the
reason; the detail keeps the exclusion removed) in one transaction. Prints the exclusion
removed. With no such exclusion it fails (exit 1) and writes nothing.`,
		Example: `  cbl autobid include 7001 1002 --reason "block risk reviewed: resolved" --actor kpatel`,
		Args:    exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			appID, advert, err := bidArgs(args)
			if err != nil {
				return err
			}
			if reason == "" {
				return usageErrorf("--reason is required")
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			e, err := pgstore.IncludeAutobid(cmd.Context(), db, appID, advert, reason, who)
			if errors.Is(err, pgstore.ErrNotExcluded) {
				return fmt.Errorf("cannot include: %w", err)
			}
			if err != nil {
				return err
			}
			app.Logf("autobid exclusion removed: application %d on advert %d", appID, advert)
			return app.PrintRows([]exclusionRow{exclusionRowOf(e)})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the exclusion is removed (required)")
	cmd.Flags().StringVar(&who, "actor", actor(), "the officer recorded")
	return cmd
}

func newAutobidListCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the autobid exclusions held",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			es, err := pgstore.Exclusions(cmd.Context(), db)
			if err != nil {
				return err
			}
			rows := make([]exclusionRow, len(es))
			for i, e := range es {
				rows[i] = exclusionRowOf(e)
			}
			return app.PrintRows(rows)
		},
	}
}

// exclusionRow is one officer's autobid exclusion.
type exclusionRow struct {
	Application int64     `json:"application"`
	Advert      int64     `json:"advert"`
	Reason      string    `json:"reason"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

func exclusionRowOf(e pgstore.Exclusion) exclusionRow {
	return exclusionRow{Application: e.Application, Advert: e.Advert, Reason: e.Reason, By: e.By, At: e.At}
}
