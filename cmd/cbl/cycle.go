package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newCycleCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cycle",
		Short: "Open and close weekly bidding cycles",
		Args:  noSubcommand,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCycleOpenCommand(app), newCycleCloseCommand(app), newCycleListCommand(app),
		newCycleVerifyCommand(app), newCycleReplayCommand(app))
	return cmd
}

func newCycleOpenCommand(app *App) *cobra.Command {
	var at, policyID, who string
	cmd := &cobra.Command{
		Use:   "open",
		Short: "Create the cycle whose bidding window has not ended at a time",
		Long: `Create the cycle row for the week whose bidding window contains --at (default now), or
on a day between two windows (a Wednesday under nn-2021) the next week's — never a week
that has already closed — under the policy's cycle rules (by default Thursday 00:00 to
Tuesday 23:59, Europe/London),
numbered one above the highest cycle held, with an events row. If that week's cycle
exists already, say so and print it (exit 0). Adverts come with cbl import.

--at must lie from 1900-01-01 to now plus 14 days (so next week's cycle can be opened
in advance); anything else is refused (exit 2).`,
		Example: `  cbl cycle open
  cbl cycle open --at 2025-11-20T12:00:00Z --policy nn-2021`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := parseAt(at)
			if err != nil {
				return err
			}
			// Next week's cycle may be opened ahead; a cycle in year 9999 is a typo that
			// would stay in the register.
			if err := register.UpTo(app.now(), register.CycleAhead).CheckTime(t); err != nil {
				return usageErrorf("--at %v", err)
			}
			p, err := policy.Builtins().AtTime(policyID, t)
			if err != nil {
				return usageErrorf("--policy: %v", err)
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			c, created, err := pgstore.OpenCycle(cmd.Context(), db, p, t, who)
			if err != nil {
				return err
			}
			if created {
				app.Logf("opened cycle %d", c.ID)
			} else {
				app.Logf("cycle %d is already open for that week; nothing done", c.ID)
			}
			return app.PrintRows([]cycleOpenRow{{c.ID, c.Opens, c.Closes, c.Policy}})
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "a time in the week: RFC 3339, or YYYY-MM-DD[THH:MM[:SS]] in Europe/London (default now)")
	cmd.Flags().StringVar(&policyID, "policy", "nn-2021", "policy id (the version in force at --at is used)")
	cmd.Flags().StringVar(&who, "actor", actor(), "who is recorded in the events log")
	return cmd
}

func newCycleCloseCommand(app *App) *cobra.Command {
	var who string
	cmd := &cobra.Command{
		Use:   "close CYCLE",
		Short: "Shortlist every advert of a cycle: autobids, eligibility, ranking, and a record of its inputs",
		Long: `Read the applications the cycle can rank (a bid on its adverts, or active and in reach
of autobid), assess them as at the cycle's close, place the
autobids (none where an officer excluded the advert: cbl autobid exclude), shortlist every advert of the cycle (every bid ranked with a position or
skipped with a reason code), and write the shortlists and entries (autobids kept as entries), what the
cycle was ranked from (docs/scheme.md S7.7: cbl cycle verify ranks it again, and a bid's
trace is rebuilt from it on request), events and the cycle's closed time in one
transaction holding the cycle's advisory lock. A second close of the same cycle waits, then finds it closed. Interrupted
(Ctrl-C) or failed, it writes nothing; run it again.

Prints, per advert: bids, ranked, skipped, autobids and the application ranked first.
Closing a closed cycle writes nothing, says so on stderr and prints the same table.
A cycle still open for bids (before its closing time) is not closed (exit 1).`,
		Example: `  cbl cycle close 42
  cbl cycle close 42 -o csv > cycle-42.csv`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := cycleArg(args[0])
			if err != nil {
				return err
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			// A close, verify or replay holds a cycle's register (at England scale 400 MB
			// live) and allocates gigabytes: at the default the collector took 1.2 of a
			// national close's 6.2 CPU seconds, on the cores the database needs too
			// (BENCHMARKS.md). Peak RSS 1.5 → 2.0 GB; a council's close, tens of MB.
			roomyGC(400)
			start := time.Now()
			progress := app.rowProgress(fmt.Sprintf("closing cycle %d", id))
			res, err := pgstore.CloseCycle(cmd.Context(), db, id, pgstore.CloseOptions{Actor: who, Now: time.Now(),
				Waiting:  func() { app.Logf("cycle %d is being closed by another run; waiting for it", id) },
				Progress: progress})
			if progress != nil {
				fmt.Fprintln(app.Stderr)
			}
			if err != nil {
				return err
			}
			if res.AlreadyClosed {
				app.Logf("cycle %d was already closed at %s by %s; nothing done", id,
					res.Cycle.ClosedAt.Format(time.RFC3339), res.Cycle.ClosedBy)
			} else {
				app.Logf("closed cycle %d: %d advert(s), %d autobid(s) placed, %d entries, in %v (read %v, shortlist %v, write %v)",
					id, len(res.Closed.Shortlists), res.Autobids, res.Entries, time.Since(start).Round(time.Millisecond),
					res.Read.Round(time.Millisecond), res.Shortlist.Round(time.Millisecond), res.Write.Round(time.Millisecond))
			}
			if len(res.Purged) > 0 {
				app.Logf("retention (upkeep.inputs_retention_days): removed the recorded households of cycle(s) %v", res.Purged)
			}
			if res.PurgeErr != nil {
				app.Logf("warning: the cycle is closed, but removing recorded households past their retention failed (the next close tries again): %v", res.PurgeErr)
			}
			sum := res.Summary
			if res.AlreadyClosed {
				// What an earlier close stored, read back.
				if sum, err = pgstore.CycleSummary(context.WithoutCancel(cmd.Context()), db, id); err != nil {
					return err
				}
			}
			rows := make([]closeRow, len(sum))
			for i, s := range sum {
				rows[i] = closeRow{Advert: s.Advert, Bids: s.Bids, Ranked: s.Ranked, Skipped: s.Skipped, Autobids: s.Autobids,
					First: optID(s.First)}
			}
			return app.PrintRows(rows)
		},
	}
	cmd.Flags().StringVar(&who, "actor", actor(), "who is recorded as closing the cycle and in the events log")
	return cmd
}

// parseAt reads a --at flag: RFC 3339, or a date (midnight UTC); empty is now.
func parseAt(s string) (time.Time, error) {
	t, err := parseDecisionAt(s, london, time.Now())
	return t.UTC(), err
}

// noSubcommand rejects arguments to a command that only groups subcommands.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unknown command %q for %s", args[0], cmd.CommandPath())
	}
	return nil
}

func newCycleListCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the cycles held: when each opens and closes, its state, adverts and bids",
		Long: `List every cycle held, newest first: its number, when its bidding window opens and
closes (Europe/London), the policy it runs under, its state now (upcoming, bidding,
to_close: the window has ended and cbl cycle close has not run, closed), how many
adverts and live bids it holds, and when and by whom it was closed. -o json is typed
(numbers, null for a cycle not closed).`,
		Example: `  cbl cycle list
  cbl cycle list -o json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			rows, err := pgstore.Cycles(cmd.Context(), db, app.now())
			if err != nil {
				return err
			}
			return app.PrintRows(rows) // in the scheme's time zone, JSON too
		},
	}
}

// closeRow is one advert's shortlist at a cycle's close, in numbers.
type closeRow struct {
	Advert   int64  `json:"advert"`
	Bids     int    `json:"bids"`
	Ranked   int    `json:"ranked"`
	Skipped  int    `json:"skipped"`
	Autobids int    `json:"autobids"`
	First    *int64 `json:"first"` // the application ranked first, null when none was
}

// cycleOpenRow is what cycle open prints.
type cycleOpenRow struct {
	Cycle  int64     `json:"cycle"`
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
	Policy string    `json:"policy"`
}
