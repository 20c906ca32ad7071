package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newDecisionsCommand(app *App) *cobra.Command {
	var advert, application int64
	var rebuild bool
	cmd := &cobra.Command{
		Use:   "decisions",
		Short: "List the recorded decisions (the record offers, nominations, lets and walks are kept from)",
		Long: `List the officers' decisions in the order they were recorded: sequence number, time,
actor, kind, advert, application and the rest of the decision (code, refusal, note…).
With --advert or --application, only the decisions naming it.

Each decision is applied to just what it touches and what it changed is kept (walks,
offers, nominations, lets, reviews, renewals, sanctions, the register rows it changes).
The record stays the authority: "cbl decisions verify" replays it whole and proves the
kept state equals it. With --rebuild, first rewrite the kept state from the record
(after the register was replaced and its cycles closed again, or a database migrated
from before cbl kept it), and put the register rows the decisions change (status, band
history, overrides, refusals) in the state the record implies, with an events row
(actor "rebuild") for each register change; the events log is kept.`,
		Example: `  cbl decisions --advert 7001
  cbl decisions --rebuild
  cbl decisions verify`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if rebuild {
				n, err := pgstore.Rebuild(cmd.Context(), db)
				if err != nil {
					return err
				}
				app.Logf("rebuilt the kept state from %d decision(s)", n)
			}
			recs, loc, err := pgstore.LoadDecisions(cmd.Context(), db)
			if err != nil {
				return err
			}
			rows := []decisionRow{}
			for _, r := range recs {
				if (advert != 0 && r.Advert != advert) || (application != 0 && r.Application != application) {
					continue
				}
				rows = append(rows, decisionRow{Seq: r.Seq, At: r.At.In(loc), Actor: r.Actor, Kind: string(r.Kind),
					Advert: optID(r.Advert), Application: optID(r.Application), Details: details(r)})
			}
			return app.PrintRows(rows)
		},
	}
	cmd.Flags().Int64Var(&advert, "advert", 0, "only decisions on this advert")
	cmd.Flags().Int64Var(&application, "application", 0, "only decisions naming this application")
	cmd.Flags().BoolVar(&rebuild, "rebuild", false, "rewrite the kept state (walks, offers, nominations, lets, reviews…) and the register rows decisions change from the record first")
	var voidReason string
	void := decisionCommand(app, "void SEQ", "Void a decision that was recorded wrongly (the record keeps both)", 1,
		func(ids []int64) (allocation.Decision, error) {
			if strings.TrimSpace(voidReason) == "" {
				return allocation.Decision{}, usageErrorf("--reason is required: say why decision %d was wrong", ids[0])
			}
			return allocation.Decision{Kind: allocation.Void, Voids: ids[0], Reason: voidReason}, nil
		})
	void.Long = `Record that decision SEQ (its number in cbl decisions) was recorded wrongly: an offer to
the wrong household, a verification on the wrong advert, a date mistyped. The record is
append-only, so both stay in it and cbl decisions lists both; everything kept from the
record (walks, offers, nominations, lets, the register rows decisions change) is rewritten
from it without the voided decision, in the same transaction. A void is refused, with
nothing written, if a later decision depended on the one voided (void that one first), if
SEQ is itself a void or is voided already. --reason is required.`
	void.Example = `  cbl decisions void 42 --reason "offered to the wrong household: 1752 meant, 1725 typed"
  cbl decisions void 42 --reason "…" --dry-run     # check, and show what it would do`
	void.Flags().StringVar(&voidReason, "reason", "", "why the decision was wrong (required)")
	cmd.AddCommand(void)
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Replay the whole record and prove the kept state equals it",
		Long: `Replay every recorded decision, in order and under the policy it was applied under, from
the register as it stood before the decisions changed it, and compare the result with
what was kept: each advert's walk, offers, nominations, lets, reviews, renewals,
sanctions, household clocks and the register rows decisions change. Prints the number of
decisions replayed; exits 1 naming the first difference if there is one. Writes nothing.`,
		Example: `  cbl decisions verify`,
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := pgstore.Verify(cmd.Context(), db)
			if err != nil {
				return err
			}
			if a.Difference != "" {
				return fmt.Errorf("decisions verify: replaying %d decision(s) differs from what is kept: %s", a.Decisions, a.Difference)
			}
			app.Logf("verified: replaying %d decision(s) gives exactly what is kept", a.Decisions)
			return nil
		},
	})
	return cmd
}

// details renders a decision's kind-specific fields as key=value pairs.
func details(r pgstore.Recorded) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("code", r.Code)
	add("refusal", string(r.Refusal))
	if r.Refusal != "" {
		add("counted", boolString(r.Counted))
		add("final", boolString(r.Final))
	}
	add("category", r.Category)
	add("authoriser", r.Authoriser)
	add("subject", r.Subject)
	if r.Voids != 0 {
		add("voids", strconv.FormatInt(r.Voids, 10))
	}
	if r.Of != register.Date(0) {
		add("of", r.Of.String())
	}
	add("outcome", r.Outcome)
	add("band", r.Band.String())
	if r.Effective != register.Date(0) {
		add("effective", r.Effective.String())
	}
	add("note", r.Reason)
	return strings.Join(parts, " ")
}

func boolString(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// decisionRow is one recorded decision as cbl decisions lists it.
type decisionRow struct {
	Seq         int64     `json:"seq"`
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Kind        string    `json:"kind"`
	Advert      *int64    `json:"advert"`
	Application *int64    `json:"application"`
	Details     string    `json:"details"`
}

// optID is an id, nil for none (null in JSON, empty in a table).
func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
