package main

import (
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newQueueCommand(app *App) *cobra.Command {
	var asOf string
	var adverts bool
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "List the work that is due or overdue (or, with --adverts, what each open advert waits for)",
		Long: `List the register's clocks that have run out as of --as-of (default today in the
scheme's time zone), oldest due date first (S9.7): new applications not answered
within the working days (weekends and England and Wales bank holidays excluded), medical
assessments and reviews pending too long, Band A or temporary-accommodation households
with no offer, renewals due, no-bid reviews, Band A review dates and closures that have
run out. With --adverts, list instead what each open advert's walk waits for (verify,
offer, reply, nominate, landlord, request_more, relet) and since when.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			st, err := pgstore.LoadState(cmd.Context(), db)
			if err != nil {
				return err
			}
			day := st.Input.Policy.Day(app.now())
			if asOf != "" {
				if day, err = register.ParseDate(asOf); err != nil {
					return usageErrorf("--as-of %q: want YYYY-MM-DD", asOf)
				}
				// Looking ahead is planning; a year 2999 is a typo (register.PlanAhead).
				if err := register.UpTo(app.now(), register.PlanAhead).CheckDate(day); err != nil {
					return usageErrorf("--as-of %v", err)
				}
			}
			if adverts {
				rows := []waitRow{}
				for _, w := range st.Result.Pending {
					rows = append(rows, waitRow{Advert: w.Advert, WaitsFor: w.For, Applications: nonNilIDs(w.Applications),
						Since: w.Since, Days: int(day - w.Since)})
				}
				return app.PrintRows(rows)
			}
			items := allocation.WorkQueue(st.Input, st.Result, day, allocation.EnglandWales())
			app.Logf("%d item(s) due as of %s", len(items), day)
			return app.PrintRows(items)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "the day to run the clocks to, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&adverts, "adverts", false, "list what each open advert waits for instead")
	return cmd
}

// waitRow is one thing an open advert waits for, as cbl queue --adverts prints it.
type waitRow struct {
	Advert       int64         `json:"advert"`
	WaitsFor     string        `json:"waits_for"`
	Applications []int64       `json:"applications"`
	Since        register.Date `json:"since"`
	Days         int           `json:"days"`
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
