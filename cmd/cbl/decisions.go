package main

import (
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/internal/store"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newDecisionsCommand(app *App) *cobra.Command {
	var advert, application int64
	var rebuild bool
	cmd := &cobra.Command{
		Use:   "decisions",
		Short: "List the recorded decisions (the record offers, nominations and lets are computed from)",
		Long: `List the officers' decisions in the order they were recorded: sequence number, time,
actor, kind, advert, application and the rest of the decision (code, refusal, note…).
With --advert or --application, only the decisions naming it. With --rebuild, first
rewrite the offers, nominations and lets tables from the record (after the register was
replaced and its cycles closed again), and put the register rows the decisions change
(status, band history, overrides, refusals) in the state the record implies, with an
events row (actor "rebuild") for each register change; the events log is kept.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			load := store.LoadState
			if rebuild {
				load = store.Rebuild
			}
			st, err := load(cmd.Context(), db)
			if err != nil {
				return err
			}
			if rebuild {
				r := st.Result
				app.Logf("rebuilt from %d decision(s): %d offer(s), %d nomination(s), %d let(s)",
					len(st.Decisions), len(r.Offers), len(r.Nominations), len(r.Lets))
			}
			var rows [][]string
			for _, r := range st.Decisions {
				if (advert != 0 && r.Advert != advert) || (application != 0 && r.Application != application) {
					continue
				}
				rows = append(rows, []string{idString(r.Seq), r.At.In(st.Location()).Format(time.RFC3339), r.Actor,
					string(r.Kind), idString(r.Advert), idString(r.Application), details(r)})
			}
			return app.Print([]string{"seq", "at", "actor", "kind", "advert", "application", "details"}, rows)
		},
	}
	cmd.Flags().Int64Var(&advert, "advert", 0, "only decisions on this advert")
	cmd.Flags().Int64Var(&application, "application", 0, "only decisions naming this application")
	cmd.Flags().BoolVar(&rebuild, "rebuild", false, "rewrite the offers, nominations and lets tables, and the register rows decisions change, from the record first")
	return cmd
}

// details renders a decision's kind-specific fields as key=value pairs.
func details(r store.Recorded) string {
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
