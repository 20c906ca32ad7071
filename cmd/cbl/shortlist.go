package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

func newShortlistCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "shortlist",
		Short: "Show the shortlists made at cycle close",
		Args:  noSubcommand,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newShortlistShowCommand(app))
	return cmd
}

func newShortlistShowCommand(app *App) *cobra.Command {
	var registerDir string
	var trace int64
	cmd := &cobra.Command{
		Use:   "show ADVERT",
		Short: "Show an advert's shortlist: ranked bids in order, then skipped bids with reasons",
		Long: `Print the shortlist made for ADVERT when its cycle closed (cbl cycle close): the
ranked bids in position order, then the skipped ones by application with the reason
code, the check that failed and its clause. With --register DIR, shortlist the
advert's cycle from a snapshot directory instead (nothing is read from or written to
the database). With --trace APP, print that bid's JSON trace instead: the facts, every
check with its result and clause, and the ranking key.`,
		Example: `  cbl shortlist show 7001
  cbl shortlist show 7001 -o json
  cbl shortlist show 7001 --trace 1002
  cbl shortlist show 7001 --register testdata/snapshot/small -o csv`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			advert, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || advert <= 0 {
				return usageErrorf("ADVERT %q: want an advert number", args[0])
			}
			var entries []shortlist.Entry
			var traces []json.RawMessage
			if registerDir != "" {
				entries, traces, err = shortlistFromRegister(cmd.Context(), registerDir, advert, trace)
			} else {
				entries, traces, err = shortlistFromDB(cmd.Context(), app, advert)
			}
			if err != nil {
				return err
			}
			if trace != 0 {
				i := slices.IndexFunc(entries, func(e shortlist.Entry) bool { return e.Application == trace })
				if i < 0 || traces[i] == nil {
					return fmt.Errorf("advert %d: application %d has no bid on the shortlist", advert, trace)
				}
				var out bytes.Buffer
				if err := json.Indent(&out, traces[i], "", "  "); err != nil {
					return err
				}
				out.WriteByte('\n')
				_, err := app.Stdout.Write(out.Bytes())
				return err
			}
			rows := make([][]string, len(entries))
			for i, e := range entries {
				pos := ""
				if e.Position > 0 {
					pos = strconv.Itoa(e.Position)
				}
				rows[i] = []string{pos, strconv.FormatInt(e.Application, 10), e.Band.String(), dateText(e.Effective),
					dateText(e.Registered), strconv.FormatBool(e.Autobid), e.Placed.Format(time.RFC3339Nano),
					e.Skip, e.Check, e.Clause}
			}
			return app.Print([]string{"position", "application", "band", "effective", "registered", "autobid",
				"placed", "skip", "check", "clause"}, rows)
		},
	}
	cmd.Flags().StringVar(&registerDir, "register", "", "shortlist from this snapshot directory instead of the database")
	cmd.Flags().Int64Var(&trace, "trace", 0, "print this application's JSON trace instead of the list")
	return cmd
}

// shortlistFromRegister closes the advert's cycle in memory from the snapshot in dir and
// returns the advert's entries, ranked then skipped, and the trace of application
// trace (if not 0; the other traces are nil).
func shortlistFromRegister(ctx context.Context, dir string, advert, trace int64) ([]shortlist.Entry, []json.RawMessage, error) {
	s, err := snapshot.Read(dir)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(s.Adverts, func(a bidding.Advert) bool { return a.ID == advert })
	if i < 0 {
		return nil, nil, fmt.Errorf("%s: advert %d: %w", dir, advert, pgstore.ErrNotFound)
	}
	j := slices.IndexFunc(s.Cycles, func(c bidding.Cycle) bool { return c.ID == s.Adverts[i].Cycle })
	c := s.Cycles[j] // Read checks every advert's cycle exists
	p, err := pgstore.CyclePolicy(c)
	if err != nil {
		return nil, nil, err
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return nil, nil, err
	}
	closed, err := shortlist.CloseCycle(ctx, rules, c, s.Applications, c.AdvertsOf(s.Adverts), s.Bids, nil)
	if err != nil {
		return nil, nil, err
	}
	k := slices.IndexFunc(closed.Shortlists, func(sl shortlist.Shortlist) bool { return sl.Advert == advert })
	sl := closed.Shortlists[k]
	entries := slices.Concat(sl.Ranked, sl.Skipped)
	traces := make([]json.RawMessage, len(entries))
	for n, e := range entries {
		if e.Application == trace {
			t, err := shortlist.Explain(closed.Closing, &closed.Results[k], trace)
			if err != nil {
				return nil, nil, err
			}
			if traces[n], err = json.Marshal(t); err != nil {
				return nil, nil, err
			}
		}
	}
	return entries, traces, nil
}

// shortlistFromDB reads the advert's shortlist held in the database.
func shortlistFromDB(ctx context.Context, app *App, advert int64) ([]shortlist.Entry, []json.RawMessage, error) {
	db, err := app.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	if err := pgstore.CheckVersion(ctx, db); err != nil {
		return nil, nil, err
	}
	return pgstore.Shortlist(ctx, db, advert)
}
