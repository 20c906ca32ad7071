package main

import (
	"encoding/json"
	"errors"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

// applicationView is everything cbl application show prints about one application.
type applicationView struct {
	Application *register.Application `json:"application"`
	Policy      string                `json:"policy"`
	AsOf        register.Date         `json:"as_of"`
	Band        string                `json:"band"`
	Effective   *register.Date        `json:"effective"`
	Bedrooms    banding.Bedrooms      `json:"bedrooms"`
	Bids        []pgstore.BidRow      `json:"bids"`
	Offers      []pgstore.OfferRow    `json:"offers"`
	// RefusalsCounted is how many counted refusals fall in the policy's window before
	// as_of, against the limit that closes the application.
	RefusalsCounted int               `json:"refusals_counted"`
	RefusalLimit    int               `json:"refusal_limit"`
	RefusalWindow   int               `json:"refusal_window_months"`
	Clocks          []allocation.Item `json:"clocks"`
	Events          []pgstore.Event   `json:"events"`
}

func newApplicationShowCommand(app *App) *cobra.Command {
	var asOf string
	cmd := &cobra.Command{
		Use:   "show APP",
		Short: "Show one application: facts, band and history, bedroom need, bids, offers, refusals, clocks, events",
		Long: `Show application APP as the register holds it (decisions' changes included): its facts
and members, band and effective date with the band history, bedroom need and the sizes it
may bid for (under the policy decisions run under, as of --as-of, default today), its bids with their
shortlist places, the offers made to it, counted refusals in the policy's window against
the limit, officer overrides, the work-queue clocks due on it, and its events. JSON by
default (-o json and table alike print the whole view).`,
		Example: `  cbl application show 1752
  cbl application show 1752 --as-of 2025-11-20`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs([]string{"APP"}, args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := app.Open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := pgstore.LoadApplication(ctx, db, ids[0])
			if errors.Is(err, pgstore.ErrNoApplication) {
				return usageErrorf("application %d: not in the register", ids[0])
			}
			if err != nil {
				return err
			}
			p, err := pgstore.AllocationPolicy(ctx, db)
			if err != nil {
				return err
			}
			day := p.Day(app.now())
			if asOf != "" {
				if day, err = register.ParseDate(asOf); err != nil {
					return usageErrorf("--as-of %q: want YYYY-MM-DD", asOf)
				}
				if err := register.UpTo(app.now(), register.PlanAhead).CheckDate(day); err != nil {
					return usageErrorf("--as-of %v", err)
				}
			}
			v := applicationView{Application: a, Policy: p.Name(), AsOf: day, Band: "none",
				RefusalLimit: p.Refusals.CountedLimit, RefusalWindow: p.Refusals.WindowMonths}
			if cur, ok := banding.Current(a.History); ok {
				v.Band, v.Effective = cur.Band.String(), &cur.Effective
			}
			if as, err := banding.Assess(a, p, day); err == nil {
				v.Bedrooms = as.Bedrooms
			}
			if v.Bids, err = pgstore.Bids(ctx, db, a.ID, 0); err != nil {
				return err
			}
			if v.Offers, err = pgstore.OffersOf(ctx, db, a.ID); err != nil {
				return err
			}
			for _, r := range a.Refusals {
				if r.Counted && r.On <= day && r.On.AddMonths(p.Refusals.WindowMonths) > day {
					v.RefusalsCounted++
				}
			}
			in := &allocation.Input{Policy: p, Applications: []register.Application{*a}}
			res := &allocation.Result{}
			for _, b := range v.Bids {
				in.Bids = append(in.Bids, bidding.Bid{Application: a.ID, Advert: b.Advert, Placed: b.Placed})
			}
			for _, o := range v.Offers {
				out := allocation.OfferAccepted // any outcome but open: only open offers stop the no-offer clock
				if o.Outcome == "pending" {
					out = allocation.OfferOpen
				}
				res.Offers = append(res.Offers, allocation.Offer{Advert: o.Advert, Application: a.ID, Made: p.Day(o.Made), Outcome: out})
			}
			v.Clocks = allocation.WorkQueue(in, res, day, allocation.EnglandWales())
			if v.Events, err = pgstore.Events(ctx, db, a.ID); err != nil {
				return err
			}
			enc := json.NewEncoder(app.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "the day to count refusals, need and clocks to, YYYY-MM-DD (default today)")
	return cmd
}
