package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/spf13/cobra"
)

func newBidCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bid",
		Short: "Place, withdraw or list bids (assisted bidding)",
		Args:  noSubcommand,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBidPlaceCommand(app), newBidWithdrawCommand(app), newBidListCommand(app))
	return cmd
}

func newBidPlaceCommand(app *App) *cobra.Command {
	var at, by, who string
	cmd := &cobra.Command{
		Use:   "place ADVERT APP",
		Short: "Place application APP's bid on ADVERT",
		Long: `Place a bid under the cycle's policy (S6.1–S6.3): the cycle must be open at --at
(default now) and not closed; the application active (and, under the guarantor age,
with a guarantor); at most the policy's live bids per cycle (3 in nn-2021); one live
bid per advert; and it must pass the checks the policy refuses at placing (bedroom
size, property type, age, mobility). A refused bid is explained and exits 1. The bid
and an events row are written in one transaction.`,
		Example: `  cbl bid place 7001 1002 --by officer:kpatel
  cbl bid place 7001 1002 --at 2025-11-07T10:00:00Z`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			appID, advert, err := bidArgs(args)
			if err != nil {
				return err
			}
			t, err := parseAt(at)
			if err != nil {
				return err
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			b, err := pgstore.PlaceBid(cmd.Context(), db, appID, advert, t, by, who)
			if err != nil {
				return bidError("bid refused", appID, advert, err)
			}
			app.Logf("bid placed: application %d on advert %d", appID, advert)
			return app.PrintRows([]bidPlacedRow{{b.Application, b.Advert, b.Placed, b.By}})
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "when the bid is placed: RFC 3339, or YYYY-MM-DD[THH:MM[:SS]] in Europe/London (default now)")
	cmd.Flags().StringVar(&by, "by", "officer:"+actor(), "who placed the bid: applicant, or officer:NAME for assisted bidding")
	cmd.Flags().StringVar(&who, "actor", actor(), "who is recorded in the events log")
	return cmd
}

func newBidWithdrawCommand(app *App) *cobra.Command {
	var at, who string
	cmd := &cobra.Command{
		Use:   "withdraw ADVERT APP",
		Short: "Withdraw application APP's live bid on ADVERT",
		Long: `Withdraw a live bid while its cycle is open at --at (default now), freeing its
slot. The withdrawal and an events row are written in one transaction.`,
		Example: `  cbl bid withdraw 7001 1002`,
		Args:    exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			appID, advert, err := bidArgs(args)
			if err != nil {
				return err
			}
			t, err := parseAt(at)
			if err != nil {
				return err
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if err := pgstore.WithdrawBid(cmd.Context(), db, appID, advert, t, who); err != nil {
				return bidError("cannot withdraw", appID, advert, err)
			}
			app.Logf("bid withdrawn: application %d on advert %d", appID, advert)
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "when the bid is withdrawn: RFC 3339, or YYYY-MM-DD[THH:MM[:SS]] in Europe/London (default now)")
	cmd.Flags().StringVar(&who, "actor", actor(), "who is recorded in the events log")
	return cmd
}

// bidArgs reads ADVERT then APP, the one argument order of every command that takes both.
func bidArgs(args []string) (app, advert int64, err error) {
	advert, err = strconv.ParseInt(args[0], 10, 64)
	if err != nil || advert <= 0 {
		return 0, 0, usageErrorf("ADVERT %q: want an advert number", args[0])
	}
	app, err = strconv.ParseInt(args[1], 10, 64)
	if err != nil || app <= 0 {
		return 0, 0, usageErrorf("APP %q: want an application number", args[1])
	}
	return app, advert, nil
}

// bidError says why a bid or withdrawal was refused, naming the application and advert.
func bidError(what string, app, advert int64, err error) error {
	var ie *bidding.IneligibleError
	switch {
	case errors.As(err, &ie):
		return fmt.Errorf("%s: application %d is not eligible for advert %d: %s (check %s, %s)",
			what, app, advert, ie.Code, ie.Check, ie.Clause)
	case errors.Is(err, bidding.ErrBidLimit), errors.Is(err, bidding.ErrDuplicateBid),
		errors.Is(err, bidding.ErrCycleClosed), errors.Is(err, bidding.ErrNotActive),
		errors.Is(err, bidding.ErrNoGuarantor), errors.Is(err, bidding.ErrAdvertWithdrawn),
		errors.Is(err, bidding.ErrNoBid), errors.Is(err, pgstore.ErrNotFound):
		if errors.Is(err, pgstore.ErrNotFound) {
			return fmt.Errorf("%s: application %d, advert %d: %w%s", what, app, advert, err, argOrderHint)
		}
		return fmt.Errorf("%s: application %d, advert %d: %w", what, app, advert, err)
	}
	return err
}

// argOrderHint is added where an advert or application is not found: the arguments may
// have been given the wrong way round.
const argOrderHint = " (commands that take both take ADVERT then APP)"

// bidPlacedRow is what bid place prints.
type bidPlacedRow struct {
	Application int64     `json:"application"`
	Advert      int64     `json:"advert"`
	Placed      time.Time `json:"placed"`
	By          string    `json:"by"`
}
