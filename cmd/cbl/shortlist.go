package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/memstore"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
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
			walk, err := st.Walk(cmd.Context(), advert)
			if err != nil {
				return err
			}
			outcome := map[int64]string{}
			if walk != nil {
				for _, we := range walk.Entries {
					outcome[we.Application] = we.State
					if we.Code != "" {
						outcome[we.Application] += ": " + we.Code
					}
				}
			}
			rows := make([]shortlistRow, len(entries))
			ordering := ""
			for i, e := range entries {
				r := shortlistRow{Application: e.Application, Band: e.Band.String(), Effective: optDate(e.Effective),
					Registered: optDate(e.Registered), Autobid: e.Autobid, Placed: e.Placed.In(london),
					Skip: e.Skip, Check: e.Check, Clause: e.Clause, Outcome: outcome[e.Application]}
				if e.Position > 0 {
					p := e.Position
					r.Position = &p
					// Which rule put the bid where it is: read from its trace's ranking key.
					if raw, err := st.Trace(cmd.Context(), advert, e.Application); err == nil {
						var tr shortlist.Trace
						if json.Unmarshal(raw, &tr) == nil && tr.Key != nil {
							r.AheadBy = aheadBy(tr.Key)
							if ordering == "" {
								ordering = tr.Key.Ordering
							}
						}
					}
				}
				rows[i] = r
			}
			switch ordering {
			case "fcfs":
				app.Logf("advert %d is first come, first served: ranked by when each bid was placed, after any overlay (ahead_by)", advert)
			case "band":
				app.Logf("advert %d is band-ordered: band, then band effective date, registration date, application; overlays (ahead_by) first", advert)
			}
			return app.PrintRows(rows)
		},
	}
	cmd.Flags().StringVar(&registerDir, "register", "", "shortlist from this snapshot directory instead of the database")
	cmd.Flags().Int64Var(&trace, "trace", 0, "print this application's JSON trace instead of the list")
	return cmd
}

// shortlistRow is one bid on a stored shortlist as cbl shortlist show prints it: its
// place (null when skipped at close), what the close read of it, which rule put it ahead
// (ahead_by: an overlay or an additional preference) and its outcome on the walk so far.
type shortlistRow struct {
	Position    *int           `json:"position"`
	Application int64          `json:"application"`
	Band        string         `json:"band"`
	Effective   *register.Date `json:"effective"`
	Registered  *register.Date `json:"registered"`
	Autobid     bool           `json:"autobid"`
	Placed      time.Time      `json:"placed"`
	Skip        string         `json:"skip"`
	Check       string         `json:"check"`
	Clause      string         `json:"clause"`
	AheadBy     string         `json:"ahead_by"`
	Outcome     string         `json:"outcome"`
}

// aheadBy names the overlay or preference a ranking key applied: mobility (a household
// needing the accessible home it is), legal_agreement_area (a household from the area the
// home's legal agreement names), or the additional preference; "" when none.
func aheadBy(k *shortlist.TraceKey) string {
	var out []string
	if k.MobilityFirst != nil && *k.MobilityFirst {
		out = append(out, "mobility")
	}
	if k.AreaFirst != nil && *k.AreaFirst {
		out = append(out, "legal_agreement_area")
	}
	if k.Preference != "" {
		out = append(out, "preference: "+k.Preference)
	}
	return strings.Join(out, ", ")
}

func optDate(d register.Date) *register.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}
