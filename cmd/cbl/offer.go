package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newOfferCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offer",
		Short: "Verify shortlisted candidates, make offers and record the answers (council adverts)",
		Long: `Walk a council advert's shortlist (SCHEME.md §8): verify the next candidate (or skip
them with a reason code), offer the advert to the verified candidate, and record the
applicant's answer. Each subcommand records one decision; it is checked by replaying
every recorded decision with it appended, and refused (exit 1, nothing written) if it
does not fit. Prints the events the decision caused; says on stderr what the advert
waits for next.`,
		Args: exactArgs(0),
	}
	var skip, note string
	verify := decisionCommand(app, "verify ADVERT APP", "Record the verification of the next candidate (--skip CODE to skip them)", 2,
		func(ids []int64) (allocation.Decision, error) {
			d := allocation.Decision{Kind: allocation.VerifyPass, Advert: ids[0], Application: ids[1], Reason: note}
			if skip != "" {
				d.Kind, d.Code = allocation.VerifySkip, skip
			}
			return d, nil
		})
	verify.Flags().StringVar(&skip, "skip", "", "skip the candidate with this reason code (SCHEME.md §7)")
	verify.Flags().StringVar(&note, "note", "", "the officer's note (officer_discretion needs one)")

	var makeNote string
	mk := decisionCommand(app, "make ADVERT APP", "Offer the advert to the verified candidate", 2,
		func(ids []int64) (allocation.Decision, error) {
			return allocation.Decision{Kind: allocation.MakeOffer, Advert: ids[0], Application: ids[1], Reason: makeNote}, nil
		})
	mk.Flags().StringVar(&makeNote, "note", "", "a note for the record")

	var acceptNote string
	accept := decisionCommand(app, "accept ADVERT APP", "Record the applicant's acceptance: the advert is let", 2,
		func(ids []int64) (allocation.Decision, error) {
			return allocation.Decision{Kind: allocation.Accept, Advert: ids[0], Application: ids[1], Reason: acceptNote}, nil
		})
	accept.Flags().StringVar(&acceptNote, "note", "", "a note for the record")

	var counted, final bool
	var kind, refuseNote string
	refuse := decisionCommand(app, "refuse ADVERT APP", "Record a refusal, no reply or no viewing; the next candidate is reached", 2,
		func(ids []int64) (allocation.Decision, error) {
			switch register.RefusalKind(kind) {
			case register.RefusedOffer, register.RefusedNoReply, register.RefusedNoView:
			default:
				return allocation.Decision{}, usageErrorf("--kind %q: want refused, no_reply or no_viewing", kind)
			}
			return allocation.Decision{Kind: allocation.Refuse, Advert: ids[0], Application: ids[1],
				Refusal: register.RefusalKind(kind), Counted: counted, Final: final, Reason: refuseNote}, nil
		})
	refuse.Flags().BoolVar(&counted, "counted", false, "the officer judged the offer reasonable and suitable: the refusal counts")
	refuse.Flags().BoolVar(&final, "final", false, "a final offer under a homeless duty")
	refuse.Flags().StringVar(&kind, "kind", "refused", "refused, no_reply or no_viewing")
	refuse.Flags().StringVar(&refuseNote, "note", "", "a note for the record")

	var code, withdrawNote string
	withdraw := decisionCommand(app, "withdraw ADVERT [APP]", "Withdraw the open offer to APP, or (--code property_withdrawn, no APP) the whole advert", 1,
		func(ids []int64) (allocation.Decision, error) {
			if code == "" {
				return allocation.Decision{}, usageErrorf("--code: a reason code is required (SCHEME.md §7)")
			}
			d := allocation.Decision{Kind: allocation.Withdraw, Advert: ids[0], Code: code, Reason: withdrawNote}
			if len(ids) > 1 {
				d.Application = ids[1]
			}
			return d, nil
		})
	withdraw.Args = rangeArgs(1, 2)
	withdraw.Flags().StringVar(&code, "code", "", "the reason code (SCHEME.md §7); property_withdrawn withdraws the advert")
	withdraw.Flags().StringVar(&withdrawNote, "note", "", "why, for the record (officer_discretion needs one)")

	cmd.AddCommand(verify, mk, accept, refuse, withdraw)
	return cmd
}

// decisionCommand builds a subcommand that records the decision build makes from its n
// positional ids (ADVERT, then APP; set Args for optional ones), with the shared --actor
// and --at flags.
func decisionCommand(app *App, use, short string, n int, build func(ids []int64) (allocation.Decision, error)) *cobra.Command {
	var who, at string
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
			return app.record(cmd.Context(), at, d)
		},
	}
	cmd.Flags().StringVar(&who, "actor", actor(), "who makes the decision")
	cmd.Flags().StringVar(&at, "at", "", "when the decision was made: RFC 3339, or YYYY-MM-DD[THH:MM] in the scheme's time zone (default now)")
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
func parseDecisionAt(s string, loc *time.Location, now time.Time) (time.Time, error) {
	if s == "" {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErrorf("--at %q: want RFC 3339 (2025-11-13T09:30:00Z) or YYYY-MM-DD[THH:MM]", s)
}

// record stores decision d made at (a --at value) and prints the events it caused.
func (app *App) record(ctx context.Context, at string, d allocation.Decision) error {
	db, err := app.Open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	loc, err := store.SchemeLocation(ctx, db)
	if err != nil {
		return err
	}
	when, err := parseDecisionAt(at, loc, time.Now())
	if err != nil {
		return err
	}
	got, err := store.Decide(ctx, db, when, d)
	if err != nil {
		return err
	}
	app.Logf("recorded decision %d: %s at %s by %s", got.Seq, got.Kind, got.At.In(loc).Format(time.RFC3339), got.Actor)
	if d.Advert != 0 {
		for _, w := range got.State.Result.Pending {
			if w.Advert == d.Advert {
				app.Logf("advert %d waits for: %s", w.Advert, describeWait(w))
			}
		}
		for _, s := range got.State.Result.Adverts {
			if s.Advert == d.Advert && s.Status != allocation.AdvertOpen {
				app.Logf("advert %d is %s", s.Advert, s.Status)
			}
		}
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
	rows := make([][]string, len(events))
	for i, e := range events {
		rows[i] = []string{e.At.String(), e.Actor, e.Kind, idString(e.Advert), idString(e.Application), e.Reason, e.Detail}
	}
	return app.Print([]string{"on", "actor", "event", "advert", "application", "reason", "detail"}, rows)
}

func idString[T ~int64](id T) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(int64(id), 10)
}
