package main

import (
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newOverrideCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "override",
		Short: "Record an officer's set band or effective date, or end one (S3.5)",
		Example: `  cbl override band 1752 --band A --reason "exceptional circumstances: fleeing violence"
  cbl override date 1752 --effective 2024-03-01 --reason "date of the first application"
  cbl override clear 1752 --subject band --reason "circumstances resolved"`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	var band, bandReason string
	setBand := decisionCommand(app, "band APP", "Set the application's band; it survives re-assessment until cleared", 1,
		func(ids []int64) (allocation.Decision, error) {
			b, err := register.ParseBand(band)
			if err != nil || b == register.NoBand {
				return allocation.Decision{}, usageErrorf("--band %q: want A, B, C, D or E", band)
			}
			if bandReason == "" {
				return allocation.Decision{}, usageErrorf("--reason is required")
			}
			return allocation.Decision{Kind: allocation.SetBand, Application: ids[0], Band: b, Reason: bandReason}, nil
		})
	setBand.Example = `  cbl override band 1752 --band A --reason "exceptional circumstances: fleeing violence"`
	setBand.Flags().StringVar(&band, "band", "", "the band set (A–E)")
	setBand.Flags().StringVar(&bandReason, "reason", "", "why (required)")

	var effective, dateReason string
	setDate := decisionCommand(app, "date APP", "Set the band effective date; it takes effect at once and at every close", 1,
		func(ids []int64) (allocation.Decision, error) {
			d, err := register.ParseDate(effective)
			if err != nil {
				return allocation.Decision{}, usageErrorf("--effective %q: want YYYY-MM-DD", effective)
			}
			if dateReason == "" {
				return allocation.Decision{}, usageErrorf("--reason is required")
			}
			return allocation.Decision{Kind: allocation.SetEffective, Application: ids[0], Effective: d, Reason: dateReason}, nil
		})
	setDate.Example = `  cbl override date 1752 --effective 2024-03-01 --reason "date of the first application"`
	setDate.Flags().StringVar(&effective, "effective", "", "the effective date set, YYYY-MM-DD")
	setDate.Flags().StringVar(&dateReason, "reason", "", "why (required)")

	var subject, clearReason string
	clearCmd := decisionCommand(app, "clear APP", "End the officer's set band or date; the application is re-assessed", 1,
		func(ids []int64) (allocation.Decision, error) {
			if subject != allocation.SubjectBand && subject != allocation.SubjectEffective {
				return allocation.Decision{}, usageErrorf("--subject %q: want band or effective_date", subject)
			}
			if clearReason == "" {
				return allocation.Decision{}, usageErrorf("--reason is required")
			}
			return allocation.Decision{Kind: allocation.ClearOverride, Application: ids[0], Subject: subject, Reason: clearReason}, nil
		})
	clearCmd.Example = `  cbl override clear 1752 --subject band --reason "circumstances resolved"`
	clearCmd.Flags().StringVar(&subject, "subject", "", "band or effective_date")
	clearCmd.Flags().StringVar(&clearReason, "reason", "", "why (required)")
	cmd.AddCommand(setBand, setDate, clearCmd)
	return cmd
}

// statusCommands are cbl application verify|cancel|reinstate: decisions that change an
// application's status, each with a reason.
func statusCommands(app *App) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range []struct {
		use, short, example string
		status              register.Status
	}{
		{"verify APP", "Verify a pending application: it becomes active and is banded", `  cbl application verify 1752 --reason "ID and tenancy checked"`, register.StatusActive},
		{"cancel APP", "Cancel an application (closed); refused while it is under offer", `  cbl application cancel 1752 --reason "moved out of the area"`, register.StatusClosed},
		{"reinstate APP", "Reinstate a closed application: active again, re-banded", `  cbl application reinstate 1752 --reason "closure overturned on review"`, register.StatusActive},
	} {
		var reason string
		cmd := decisionCommand(app, c.use, c.short, 1, func(ids []int64) (allocation.Decision, error) {
			if reason == "" {
				return allocation.Decision{}, usageErrorf("--reason is required")
			}
			return allocation.Decision{Kind: allocation.SetStatus, Application: ids[0], Status: c.status, Reason: reason}, nil
		})
		cmd.Example = c.example
		cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
		out = append(out, cmd)
	}
	return out
}
