package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cbl-lettings/cbl/memstore"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/shortlist"
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
			st, done, err := app.openStore(cmd.Context(), registerDir)
			if err != nil {
				return err
			}
			defer done()
			if mem, ok := st.(*memstore.Store); ok {
				// A snapshot holds no shortlists: its cycle is closed in memory.
				held, err := mem.CloseCycleOf(cmd.Context(), advert, "cbl")
				if err != nil {
					return err
				}
				if !held {
					return fmt.Errorf("%s: advert %d: %w", registerDir, advert, pgstore.ErrNotFound)
				}
			}
			sl, err := st.Shortlist(cmd.Context(), advert)
			if err != nil {
				return err
			}
			entries := slices.Concat(sl.Ranked, sl.Skipped)
			if trace != 0 {
				if !slices.ContainsFunc(entries, func(e shortlist.Entry) bool { return e.Application == trace }) {
					return fmt.Errorf("advert %d: application %d has no bid on the shortlist", advert, trace)
				}
				tr, err := st.Trace(cmd.Context(), advert, trace)
				if err != nil {
					return err
				}
				var out bytes.Buffer
				if err := json.Indent(&out, tr, "", "  "); err != nil {
					return err
				}
				out.WriteByte('\n')
				_, err = app.Stdout.Write(out.Bytes())
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
