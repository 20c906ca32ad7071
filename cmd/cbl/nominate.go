package main

import (
	"strings"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/spf13/cobra"
)

func newNominateCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nominate",
		Short: "Nominate verified candidates to a housing association and record its answers",
		Long: `On a housing association's advert (S8.7) the council verifies
the top candidates (cbl offer verify, up to the policy's nominations.batch_size), sends
them (send), and records the landlord's answer on each: it offers the home to one
(accept; the applicant's answer is then cbl offer accept|refuse), rejects one with a
reason code (reject), or asks for the next batch (request-more). Each subcommand records
one decision and is refused (exit 1, nothing written) if it does not fit.`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	var sendNote string
	send := decisionCommand(app, "send ADVERT", "Send the advert's verified candidates to the landlord", 1,
		func(ids []int64) (allocation.Decision, error) {
			return allocation.Decision{Kind: allocation.Nominate, Advert: ids[0], Reason: sendNote}, nil
		})
	send.Flags().StringVar(&sendNote, "note", "", "a note for the record")

	var code, rejectNote string
	reject := decisionCommand(app, "reject ADVERT APP", "Record the landlord's rejection of a nominee (--code)", 2,
		func(ids []int64) (allocation.Decision, error) {
			if code == "" {
				return allocation.Decision{}, usageErrorf("--code: the landlord's reason code is required (S7.5); valid: %s", strings.Join(shortlist.Codes, ", "))
			}
			if err := checkSkipCode("--code", code); err != nil {
				return allocation.Decision{}, err
			}
			return allocation.Decision{Kind: allocation.LandlordReject, Advert: ids[0], Application: ids[1],
				Code: code, Reason: rejectNote}, nil
		})
	reject.Flags().StringVar(&code, "code", "", "the landlord's reason code (S7.5), e.g. landlord_policy")
	reject.Flags().StringVar(&rejectNote, "note", "", "the landlord's reason in words")

	var moreNote string
	more := decisionCommand(app, "request-more ADVERT", "Record the landlord's request for the next batch", 1,
		func(ids []int64) (allocation.Decision, error) {
			return allocation.Decision{Kind: allocation.RequestMore, Advert: ids[0], Reason: moreNote}, nil
		})
	more.Flags().StringVar(&moreNote, "note", "", "a note for the record")

	var acceptNote string
	accept := decisionCommand(app, "accept ADVERT APP", "Record the landlord's offer to a nominee", 2,
		func(ids []int64) (allocation.Decision, error) {
			return allocation.Decision{Kind: allocation.LandlordAccept, Advert: ids[0], Application: ids[1], Reason: acceptNote}, nil
		})
	accept.Flags().StringVar(&acceptNote, "note", "", "a note for the record")

	cmd.AddCommand(send, reject, more, accept)
	return cmd
}
