package main

import (
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/spf13/cobra"
)

func newLetCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "let",
		Short: "Let a home outside the shortlist",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupRun,
	}
	var category, reason, authoriser string
	direct := decisionCommand(app, "direct ADVERT APP", "Let the advert directly to an application (S8.9)", 2,
		func(ids []int64) (allocation.Decision, error) {
			for _, f := range [][2]string{{"--category", category}, {"--reason", reason}, {"--authoriser", authoriser}} {
				if f[1] == "" {
					return allocation.Decision{}, usageErrorf("%s is required for a direct let", f[0])
				}
			}
			return allocation.Decision{Kind: allocation.DirectLet, Advert: ids[0], Application: ids[1],
				Category: category, Reason: reason, Authoriser: authoriser}, nil
		})
	direct.Long = `Let ADVERT to APP outside the shortlist, with a category (adapted_property, decant,
management_move or homeless_duty_discharge), the reason and who authorised it. Refused
(exit 1, nothing written) if the advert has an open offer, the application is under offer
elsewhere or closed.`
	direct.Flags().StringVar(&category, "category", "", "adapted_property, decant, management_move or homeless_duty_discharge")
	direct.Flags().StringVar(&reason, "reason", "", "why the home is let outside the shortlist")
	direct.Flags().StringVar(&authoriser, "authoriser", "", "the manager who authorised the direct let")
	cmd.AddCommand(direct)
	return cmd
}
