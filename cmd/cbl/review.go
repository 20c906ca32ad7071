package main

import (
	"slices"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newReviewCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Record an applicant's request for a review, and its outcome (S9.4)",
		Example: `  cbl review request 1752 --subject band --of 2025-11-03 --reason "my son's medical needs were missed"
  cbl review decide 1752 --outcome changed --band B --reason "medical evidence received"`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	var subject, of, reason string
	var advert int64
	request := decisionCommand(app, "request APP", "Record that an applicant asks for a review of a decision", 1,
		func(ids []int64) (allocation.Decision, error) {
			if !slices.Contains(reviewSubjects, subject) {
				return allocation.Decision{}, usageErrorf("--subject %q: want band, effective_date, skip or refusal", subject)
			}
			day, err := register.ParseDate(of)
			if err != nil {
				return allocation.Decision{}, usageErrorf("--of %q: the date of the decision reviewed, YYYY-MM-DD", of)
			}
			if (subject == allocation.SubjectSkip || subject == allocation.SubjectRefusal) && advert == 0 {
				return allocation.Decision{}, usageErrorf("--advert is required for a review of a %s", subject)
			}
			if reason == "" {
				return allocation.Decision{}, usageErrorf("--reason is required: what the applicant says")
			}
			return allocation.Decision{Kind: allocation.RequestReview, Application: ids[0], Subject: subject, Of: day,
				Advert: advert, Reason: reason}, nil
		})
	request.Long = `Record that APP asks for a review of a decision of --of about --subject: band,
effective_date, skip (a bid skipped on --advert) or refusal (that a refusal of --advert
was counted, S8.4; changed, it no longer counts towards closure). A request made more than the policy's
review_request_days after the decision is recorded as out of time and opens nothing. An
open review is on cbl queue until decided.`
	request.Example = `  cbl review request 1752 --subject band --of 2025-11-03 --reason "my son's medical needs were missed"
  cbl review request 1752 --subject skip --advert 7001 --of 2025-11-12 --reason "I had paid the arrears"
  cbl review request 1752 --subject refusal --advert 7001 --of 2025-11-14 --reason "the home had no ground-floor toilet"`
	request.Flags().StringVar(&subject, "subject", "", "band, effective_date, skip or refusal")
	request.Flags().StringVar(&of, "of", "", "the date of the decision reviewed, YYYY-MM-DD")
	request.Flags().Int64Var(&advert, "advert", 0, "the advert a reviewed skip was on, or a reviewed refusal was of")
	request.Flags().StringVar(&reason, "reason", "", "the applicant's grounds (required)")

	var outcome, band, effective, decideReason, decideSubject string
	decide := decisionCommand(app, "decide APP", "Record the outcome of an applicant's open review", 1,
		func(ids []int64) (allocation.Decision, error) {
			d := allocation.Decision{Kind: allocation.DecideReview, Application: ids[0], Outcome: outcome,
				Subject: decideSubject, Reason: decideReason}
			if outcome != allocation.Upheld && outcome != allocation.Changed {
				return d, usageErrorf("--outcome %q: want upheld or changed", outcome)
			}
			if decideReason == "" {
				return d, usageErrorf("--reason is required: the review's reasons")
			}
			if band != "" {
				b, err := register.ParseBand(band)
				if err != nil {
					return d, usageErrorf("--band %q: want A, B, C, D or E", band)
				}
				d.Band = b
			}
			if effective != "" {
				day, err := register.ParseDate(effective)
				if err != nil {
					return d, usageErrorf("--effective %q: want YYYY-MM-DD", effective)
				}
				d.Effective = day
			}
			return d, nil
		})
	decide.Long = `Record the outcome of APP's earliest open review (of --subject, if given): upheld, or
changed — a band review sets --band (an officer set_band override and a new band spell),
an effective-date review sets --effective (a set_effective_date override), a skip review
puts the bid back on the advert's walk at its rank if the advert is still open.`
	decide.Example = `  cbl review decide 1752 --outcome upheld --reason "the assessment stands"
  cbl review decide 1752 --outcome changed --band B --reason "medical evidence received"
  cbl review decide 1752 --subject effective_date --outcome changed --effective 2024-03-01 --reason "date of the first application"`
	decide.Flags().StringVar(&outcome, "outcome", "", "upheld or changed")
	decide.Flags().StringVar(&band, "band", "", "the band a changed band review sets")
	decide.Flags().StringVar(&effective, "effective", "", "the effective date a changed effective-date review sets, YYYY-MM-DD")
	decide.Flags().StringVar(&decideSubject, "subject", "", "decide the open review of this subject (default the earliest)")
	decide.Flags().StringVar(&decideReason, "reason", "", "the review's reasons (required)")
	cmd.AddCommand(request, decide)
	return cmd
}

func newApplicationCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "application",
		Short:   "Record decisions on an application itself",
		Example: `  cbl application renew 1752`,
		Args:    cobra.ArbitraryArgs,
		RunE:    groupRun,
	}
	var note string
	renew := decisionCommand(app, "renew APP", "Record the application's annual renewal (S9.1)", 1,
		func(ids []int64) (allocation.Decision, error) {
			return allocation.Decision{Kind: allocation.Renew, Application: ids[0], Reason: note}, nil
		})
	renew.Long = `Record that APP renewed its application: the renewal clock restarts (cbl queue stops
showing renewal_due, and upkeep will not close it as renewal_lapsed). Refused for a
closed application.`
	renew.Example = `  cbl application renew 1752 --note "renewed by phone"`
	renew.Flags().StringVar(&note, "note", "", "a note for the record")
	cmd.AddCommand(renew, newApplicationShowCommand(app))
	cmd.AddCommand(statusCommands(app)...)
	return cmd
}
