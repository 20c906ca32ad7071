package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

// decisionCommand builds a subcommand that records the decision build makes from its n
// positional ids (ADVERT, then APP; set Args for optional ones), with the shared --actor
// and --at flags.
func decisionCommand(app *App, use, short string, n int, build func(ids []int64) (allocation.Decision, error)) *cobra.Command {
	var who, at string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(n),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(strings.Fields(strings.NewReplacer("[", "", "]", "").Replace(use))[1:], args)
			if err != nil {
				return err
			}
			d, err := build(ids)
			if err != nil {
				return err
			}
			d.Actor = who
			return app.record(cmd.Context(), at, d, dryRun)
		},
	}
	cmd.Flags().StringVar(&who, "actor", actor(), "who makes the decision")
	cmd.Flags().StringVar(&at, "at", "", "when the decision was made: RFC 3339, or YYYY-MM-DD[THH:MM] in the scheme's time zone (default now)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check the decision and show its effects without recording it")
	return cmd
}

// rangeArgs is cobra.RangeArgs reporting a UsageError.
func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.RangeArgs(lo, hi)(cmd, args); err != nil {
			return &UsageError{err}
		}
		return nil
	}
}

// parseIDs reads positional ids named by names (ADVERT, APP).
func parseIDs(names, args []string) ([]int64, error) {
	ids := make([]int64, len(args))
	for i, a := range args {
		v, err := strconv.ParseInt(a, 10, 64)
		if err != nil || v <= 0 {
			return nil, usageErrorf("%s %q: want a positive whole number", names[i], a)
		}
		ids[i] = v
	}
	return ids, nil
}

// parseDecisionAt reads a --at value: RFC 3339, or a date or date and time read in loc. Empty is now.
//
// It is the one --at of every command (decisions, cycle open, bid place and withdraw):
// RFC 3339 with an offset (fractions of a second allowed), or a date, or a date and time
// to the minute or second, read in loc (the scheme's time zone, Europe/London).
func parseDecisionAt(s string, loc *time.Location, now time.Time) (time.Time, error) {
	if s == "" {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErrorf("--at %q: want RFC 3339 (2025-11-13T09:30:00Z) or YYYY-MM-DD[THH:MM[:SS]] in %s", s, loc)
}

// record stores decision d made at (a --at value), or with dryRun only checks it, and
// prints the events it caused.
func (app *App) record(ctx context.Context, at string, d allocation.Decision, dryRun bool) error {
	if _, err := parseDecisionAt(at, time.UTC, time.Now()); err != nil {
		return err // a bad --at is a usage error, whatever the database says
	}
	db, err := app.Open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	loc, err := pgstore.SchemeLocation(ctx, db)
	if err != nil {
		return err
	}
	when, err := parseDecisionAt(at, loc, time.Now())
	if err != nil {
		return err
	}
	decide, verb := pgstore.Decide, "recorded"
	if dryRun {
		decide, verb = pgstore.Check, "dry run, nothing recorded:"
	}
	got, err := decide(ctx, db, when, d)
	var re *pgstore.RejectedError
	if errors.As(err, &re) && d.Advert != 0 && d.Application != 0 && (re.Field == "advert" || re.Field == "application") &&
		(strings.Contains(re.Msg, "not among") || strings.Contains(re.Msg, "not in the register") || strings.Contains(re.Msg, "is not ranked")) {
		return fmt.Errorf("%w%s", err, argOrderHint)
	}
	if err != nil {
		return err
	}
	app.Logf("%s decision %d: %s at %s by %s", verb, got.Seq, got.Kind, got.At.In(loc).Format(time.RFC3339), got.Actor)
	for _, w := range got.Waiting {
		app.Logf("advert %d waits for: %s", w.Advert, describeWait(w))
	}
	if got.Status != "" && got.Status != allocation.AdvertOpen {
		app.Logf("advert %d is %s", d.Advert, got.Status)
	}
	return app.printEvents(got.Events)
}

func describeWait(w allocation.Wait) string {
	s := w.For
	if len(w.Applications) > 0 {
		s += " " + joinIDs(w.Applications)
	}
	return s
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func (app *App) printEvents(events []allocation.Event) error {
	rows := make([]eventRow, len(events))
	for i, e := range events {
		rows[i] = eventRow{On: e.At, Actor: e.Actor, Event: e.Kind, Advert: optID(e.Advert), Application: optID(e.Application),
			Reason: e.Reason, Detail: e.Detail}
	}
	return app.PrintRows(rows)
}

// eventRow is one event a decision caused, as the decision commands print it.
type eventRow struct {
	On          register.Date `json:"on"`
	Actor       string        `json:"actor"`
	Event       string        `json:"event"`
	Advert      *int64        `json:"advert"`
	Application *int64        `json:"application"`
	Reason      string        `json:"reason"`
	Detail      string        `json:"detail"`
}

func idString[T ~int64](id T) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(int64(id), 10)
}

// groupRun is the RunE of a command that only groups subcommands: help without
// arguments, a usage error for an unknown subcommand.
func groupRun(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unknown command %q for %s", args[0], cmd.CommandPath())
	}
	return cmd.Help()
}
