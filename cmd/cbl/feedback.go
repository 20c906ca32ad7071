package main

import (
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
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
				rows := []landlordRow{}
				for _, l := range allocation.Landlords(in, res) {
					r := landlordRow{Landlord: l.Landlord, Council: l.Council, Lets: l.Lets, Nominated: l.Nominated,
						Direct: l.Direct, SharePercent: l.SharePercent, Short: l.Short}
					if l.Lets > 0 && !l.Council {
						v := float64(l.AchievedBasisPoints) / 100
						r.AchievedPercent = &v
					}
					rows = append(rows, r)
				}
				return app.PrintRows(rows)
			}
			cycleOf := map[int64]int64{}
			for _, a := range in.Adverts {
				cycleOf[a.ID] = a.Cycle
			}
			rows := []feedbackRow{}
			for _, r := range allocation.Feedback(in, res) {
				if cycle != 0 && cycleOf[r.Advert] != cycle {
					continue
				}
				row := feedbackRow{Advert: r.Advert, Cycle: cycleOf[r.Advert], Locality: r.Locality, Type: r.Type,
					Bedrooms: r.Bedrooms, Landlord: r.Landlord, Route: r.Route, Bids: r.BidsReceived,
					Eligible: r.EligibleBids, Position: r.Position, DaysEffectiveToOffer: r.DaysToOffer}
				if r.Band != register.NoBand {
					b := r.Band.String()
					row.Band = &b
				}
				if !r.Effective.IsZero() {
					e := r.Effective
					row.Effective = &e
				}
				rows = append(rows, row)
			}
			app.Logf("%d let(s)", len(rows))
			return app.PrintRows(rows)
		},
	}
	cmd.Flags().BoolVar(&landlords, "landlords", false, "print each landlord's lets against its nomination agreement instead")
	return cmd
}

// feedbackRow is one let as the published table shows it: nothing that names the household.
type feedbackRow struct {
	Advert               int64          `json:"advert"`
	Cycle                int64          `json:"cycle"`
	Locality             string         `json:"locality"`
	Type                 string         `json:"type"`
	Bedrooms             int            `json:"bedrooms"`
	Landlord             string         `json:"landlord"`
	Route                string         `json:"route"`
	Bids                 int            `json:"bids"`
	Eligible             int            `json:"eligible"`
	Band                 *string        `json:"band"`
	Effective            *register.Date `json:"effective"`
	Position             int            `json:"position"`
	DaysEffectiveToOffer int            `json:"days_effective_to_offer"`
}

// landlordRow is one landlord's lets against its nomination agreement.
type landlordRow struct {
	Landlord        string   `json:"landlord"`
	Council         bool     `json:"council"`
	Lets            int      `json:"lets"`
	Nominated       int      `json:"nominated"`
	Direct          int      `json:"direct"`
	SharePercent    int      `json:"share_percent"`
	AchievedPercent *float64 `json:"achieved_percent"`
	Short           bool     `json:"short"`
}
