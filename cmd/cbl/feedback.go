package main

import (
	"strconv"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/spf13/cobra"
)

func newFeedbackCommand(app *App) *cobra.Command {
	var landlords bool
	cmd := &cobra.Command{
		Use:   "feedback [CYCLE]",
		Short: "Print the publishable let table (all lets, or one cycle's)",
		Long: `Print one row per let advert (S8.10): the property, the landlord,
how it was let (shortlist, nomination or direct), bids received and eligible, and the
band, band effective date and shortlist position of the household housed — the facts a
council publishes, with nothing that identifies the household. The lets are read as
each decision's step kept them (cbl decisions verify proves them against the record). With --landlords,
print instead each landlord's lets against its nomination agreement: lets, lets to
council nominees, direct lets, the share agreed and achieved (percent), and whether it
falls short (all cycles; CYCLE is not allowed).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("feedback takes at most one CYCLE, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var cycle int64
			if len(args) == 1 {
				ids, err := parseIDs([]string{"CYCLE"}, args)
				if err != nil {
					return err
				}
				cycle = ids[0]
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			in, res, err := pgstore.LoadLets(cmd.Context(), db)
			if err != nil {
				return err
			}
			if landlords {
				if cycle != 0 {
					return usageErrorf("--landlords counts every cycle: give no CYCLE")
				}
				var rows [][]string
				for _, l := range allocation.Landlords(in, res) {
					short := ""
					if l.Short {
						short = "yes"
					}
					achieved := ""
					if l.Lets > 0 && !l.Council {
						achieved = strconv.FormatFloat(float64(l.AchievedBasisPoints)/100, 'f', 2, 64)
					}
					rows = append(rows, []string{l.Landlord, boolString(l.Council), strconv.Itoa(l.Lets),
						strconv.Itoa(l.Nominated), strconv.Itoa(l.Direct), strconv.Itoa(l.SharePercent), achieved, short})
				}
				return app.Print([]string{"landlord", "council", "lets", "nominated", "direct", "share_percent",
					"achieved_percent", "short"}, rows)
			}
			cycleOf := map[int64]int64{}
			for _, a := range in.Adverts {
				cycleOf[a.ID] = a.Cycle
			}
			var rows [][]string
			for _, r := range allocation.Feedback(in, res) {
				if cycle != 0 && cycleOf[r.Advert] != cycle {
					continue
				}
				band, eff := r.Band.String(), ""
				if !r.Effective.IsZero() {
					eff = r.Effective.String()
				}
				rows = append(rows, []string{strconv.FormatInt(r.Advert, 10), strconv.FormatInt(cycleOf[r.Advert], 10),
					r.Locality, r.Type, strconv.Itoa(r.Bedrooms), r.Landlord, r.Route, strconv.Itoa(r.BidsReceived),
					strconv.Itoa(r.EligibleBids), band, eff, strconv.Itoa(r.Position), strconv.Itoa(r.DaysToOffer)})
			}
			app.Logf("%d let(s)", len(rows))
			return app.Print([]string{"advert", "cycle", "locality", "type", "bedrooms", "landlord", "route", "bids",
				"eligible", "band", "effective", "position", "days_effective_to_offer"}, rows)
		},
	}
	cmd.Flags().BoolVar(&landlords, "landlords", false, "print each landlord's lets against its nomination agreement instead")
	return cmd
}
