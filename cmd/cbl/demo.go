package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/spf13/cobra"
)

// demoTop is how many shortlist entries the demo prints per advert.
const demoTop = 5

func newDemoCommand(app *App) *cobra.Command {
	var seed uint64
	var policyID string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run one weekly cycle on a built-in synthetic Keyways register, in memory",
		Long: `Generate the seeded Keyways-scale synthetic register (about 7,000 applications,
30 adverts, their bids), run one weekly cycle end to end through the engine — close,
autobid, shortlist, then verification, offers, refusals and nominations answered by the
simulator's behaviour model — and print a summary, each advert's top five shortlist
and skip counts, and the published feedback table. No database, no files.

--output table prints all three; json prints them as one object; csv prints the
feedback table. The same --seed always prints the same output.`,
		Example: `  cbl demo
  cbl demo --policy nn-2025-proposed --seed 7 -o json
  cbl demo --policy my-policy.json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			cfg := synth.Keyways()
			cfg.Seed = seed
			p, err := policy.Lookup(policyID)
			if err != nil {
				return usageErrorf("--policy: %v", err)
			}
			if !policy.IsFileRef(policyID) {
				cfg.Policy = p.ID // else the register keeps Keyways' geography (nn-2021)
			}
			snap, err := synth.GenerateWith(cfg, p)
			if err != nil {
				return err
			}
			rules, err := bidding.Compile(p)
			if err != nil {
				return err
			}
			week, err := simulate.Week(cmd.Context(), &simulate.WeekInput{Rules: rules, Cycle: snap.Cycles[0],
				Applications: snap.Applications, Landlords: snap.Landlords, Adverts: snap.Adverts,
				Bids: snap.Bids, Behaviour: simulate.DefaultBehaviour(), Seed: seed})
			if err != nil {
				return err
			}
			app.Logf("demo: seed %d, policy %s, one cycle in %v", seed, p.Name(), time.Since(start).Round(time.Millisecond))
			return app.printDemo(week)
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the register, its bids and the behaviour model")
	cmd.Flags().StringVar(&policyID, "policy", "nn-2021", "policy to run under: a shipped id (nn-2021, nn-2025-proposed) or a policy file")
	return cmd
}

// printDemo writes the week in the --output format.
func (app *App) printDemo(w *simulate.WeekResult) error {
	sum, outcomes := w.Summary(), w.Outcomes(demoTop)
	switch app.Output {
	case "json":
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Summary  simulate.WeekSummary     `json:"summary"`
			Adverts  []simulate.AdvertOutcome `json:"adverts"`
			Feedback []allocation.FeedbackRow `json:"feedback"`
		}{sum, outcomes, w.Feedback})
	case "csv":
		return app.Print(feedbackTable(w.Feedback))
	}
	out := app.Stdout
	printWeekSummary(out, sum)
	fmt.Fprintf(out, "\nShortlists (top %d of each advert)\n", demoTop)
	for _, o := range outcomes {
		printOutcome(out, o)
	}
	fmt.Fprintf(out, "\nFeedback\n")
	return app.Print(feedbackTable(w.Feedback))
}

func printWeekSummary(out io.Writer, s simulate.WeekSummary) {
	fmt.Fprintf(out, "Policy %s, cycle %d\n", s.Policy, s.Cycle)
	fmt.Fprintf(out, "Applications  %d (", s.Applications)
	for i, k := range simulate.BandKeys {
		if i > 0 {
			fmt.Fprint(out, ", ")
		}
		fmt.Fprintf(out, "%s %d", k, s.Bands[k])
	}
	fmt.Fprintln(out, ")")
	fmt.Fprintf(out, "Adverts       %d\n", s.Adverts)
	fmt.Fprintf(out, "Bids          %d manual, %d autobids\n", s.ManualBids, s.Autobids)
	fmt.Fprintf(out, "Offers        %d (%d refused, %d of them counted)\n", s.Offers, s.Refusals, s.Counted)
	fmt.Fprintf(out, "Lets          %d (adverts left to re-let: %d)\n", s.Lets, s.Relet)
}

func printOutcome(out io.Writer, o simulate.AdvertOutcome) {
	end := o.Status
	if o.Let != 0 {
		end = fmt.Sprintf("let to %d (position %d)", o.Let, o.Position)
	} else if o.Status == allocation.AdvertOpen {
		end = "nobody left: to re-let"
	}
	fmt.Fprintf(out, "\nAdvert %d  %s %d-bed %s, %s  bids %d, eligible %d  %s\n",
		o.Advert, o.Locality, o.Bedrooms, o.Type, o.Landlord, o.Bids, o.Eligible, end)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  pos\tapplication\tband\teffective\tautobid")
	for _, e := range o.Top {
		mark := "no"
		if e.Autobid {
			mark = "yes"
		}
		fmt.Fprintf(tw, "  %d\t%d\t%s\t%s\t%s\n", e.Position, e.Application, e.Band, e.Effective, mark)
	}
	tw.Flush()
	if len(o.Skips) > 0 {
		parts := make([]string, len(o.Skips))
		for i, s := range o.Skips {
			parts[i] = fmt.Sprintf("%s %d", s.Code, s.Count)
		}
		fmt.Fprintf(out, "  skipped: %s\n", strings.Join(parts, ", "))
	}
}

// feedbackTable is the published feedback (allocation.Feedback) as a header and rows.
func feedbackTable(rows []allocation.FeedbackRow) ([]string, [][]string) {
	header := []string{"advert", "locality", "type", "bedrooms", "landlord", "route", "bids", "eligible",
		"band", "effective", "position", "days_to_offer"}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = []string{fmt.Sprint(r.Advert), r.Locality, r.Type, fmt.Sprint(r.Bedrooms), r.Landlord, r.Route,
			fmt.Sprint(r.BidsReceived), fmt.Sprint(r.EligibleBids), r.Band.String(), r.Effective.String(),
			fmt.Sprint(r.Position), fmt.Sprint(r.DaysToOffer)}
	}
	return header, out
}
