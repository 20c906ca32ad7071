package main

import (
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/spf13/cobra"
)

func newOfferCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offer",
		Short: "Verify shortlisted candidates, make offers and record the answers (council adverts)",
		Long: `Walk a council advert's shortlist (S8.1): verify the next candidate (or skip
them with a reason code), offer the advert to the verified candidate, and record the
applicant's answer. Each subcommand records one decision; it is checked by replaying
every recorded decision with it appended, and refused (exit 1, nothing written) if it
does not fit. Prints the events the decision caused; says on stderr what the advert
waits for next.`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	var skip, note string
	verify := decisionCommand(app, "verify ADVERT APP", "Record the verification of the next candidate (--skip CODE to skip them)", 2,
		func(ids []int64) (allocation.Decision, error) {
			d := allocation.Decision{Kind: allocation.VerifyPass, Advert: ids[0], Application: ids[1], Reason: note}
			if skip != "" {
				if err := checkSkipCode("--skip", skip); err != nil {
					return allocation.Decision{}, err
				}
				d.Kind, d.Code = allocation.VerifySkip, skip
			}
			return d, nil
		})
	verify.Flags().StringVar(&skip, "skip", "", "skip the candidate with this reason code (S7.5)")
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
				return allocation.Decision{}, usageErrorf("--code: a reason code is required (S7.5); valid: %s", strings.Join(shortlist.Codes, ", "))
			}
			if err := checkSkipCode("--code", code); err != nil {
				return allocation.Decision{}, err
			}
			d := allocation.Decision{Kind: allocation.Withdraw, Advert: ids[0], Code: code, Reason: withdrawNote}
			if len(ids) > 1 {
				d.Application = ids[1]
			}
			return d, nil
		})
	withdraw.Args = rangeArgs(1, 2)
	withdraw.Flags().StringVar(&code, "code", "", "the reason code (S7.5); property_withdrawn withdraws the advert")
	withdraw.Flags().StringVar(&withdrawNote, "note", "", "why, for the record (officer_discretion needs one)")

	cmd.AddCommand(verify, mk, accept, refuse, withdraw)
	return cmd
}

// checkSkipCode refuses a code that is not a skip reason code before the decision is
// recorded, listing the valid codes so the officer need look nothing up.
func checkSkipCode(flag, code string) error {
	if slices.Contains(shortlist.Codes, code) {
		return nil
	}
	return usageErrorf("%s %q is not a skip reason code (S7.5); valid: %s", flag, code, strings.Join(shortlist.Codes, ", "))
}
