package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

func newAssessCommand(app *App) *cobra.Command {
	var (
		dryRun        bool
		asOf          string
		policyID, who string
		registerDir   string
	)
	cmd := &cobra.Command{
		Use:   "assess",
		Short: "Re-band every application and record the changes in band history",
		Long: `Assess every application under the policy as on --as-of (default today in the policy's time zone) and,
for each whose band changes, close its open band spell and open the new one with the
effective date the policy's rules give (S3): one transaction, one events row
(kind "reband") per changed application. Prints each change: application, old band
and effective date, new band and effective date, and the criteria met (or, for an
application that no longer qualifies, the qualification rules it fails).

With --dry-run nothing is written. --register DIR (with --dry-run) reads a snapshot
directory instead of the database. --as-of must lie from 1900-01-01 to today plus one
day (exit 2 otherwise).`,
		Example: `  cbl assess --dry-run --as-of 2025-11-12
  cbl assess --policy nn-2021 --actor kpatel
  cbl assess --dry-run --register testdata/snapshot/small -o csv
  cbl assess --dry-run --register testdata/snapshot/small --policy my-policy.json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if registerDir != "" && !dryRun {
				return usageErrorf("--register reads a snapshot and writes nothing: give --dry-run too")
			}
			p, day, err := policyAsOf(policyID, asOf, app.now())
			if err != nil {
				return err
			}
			// Through cbl.Store: the database, or with --register a snapshot held in
			// memory (nothing is written back to the directory, hence --dry-run).
			st, done, err := app.openStore(cmd.Context(), registerDir)
			if err != nil {
				return err
			}
			defer done()
			changes, err := st.Reassess(cmd.Context(), p, day, who, dryRun)
			if err != nil {
				return fmt.Errorf("assess: %w", err)
			}
			rows := []rebandRow{}
			for _, c := range changes {
				rows = append(rows, rebandRow{Application: c.Application, OldBand: c.Old.Band.String(),
					OldEffective: optDate(c.Old.Effective), NewBand: c.New.Band.String(), NewEffective: optDate(c.New.Effective),
					Criteria: strings.Join(c.Criteria, ";")})
			}
			if dryRun {
				app.Logf("%d application(s) would change band under %s on %s (dry run: nothing written)", len(changes), p.Name(), day)
			} else {
				app.Logf("%d application(s) changed band under %s on %s", len(changes), p.Name(), day)
			}
			return app.PrintRows(rows)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "show what would change; write nothing")
	f.StringVar(&asOf, "as-of", "", "assess as on this date, YYYY-MM-DD (default today in the policy's time zone)")
	f.StringVar(&policyID, "policy", "nn-2021", "policy id (the version in force on --as-of is used) or a policy file")
	f.StringVar(&who, "actor", actor(), "who is recorded in band history and the events log")
	f.StringVar(&registerDir, "register", "", "read this snapshot directory instead of the database (needs --dry-run)")
	return cmd
}

// dateText is a date for output; "" when not set.
func dateText(d register.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// policyAsOf returns the version of shipped policy id in force on --as-of and that day;
// without --as-of, the version in force at now and today as the policy counts days
// (Policy.Day), the same day cbl queue counts from.
//
// id may instead be a policy file's path (policy.IsFileRef): that file is used whatever
// its effective dates.
func policyAsOf(id, asOf string, now time.Time) (*policy.Policy, register.Date, error) {
	if policy.IsFileRef(id) {
		p, err := policy.ReadFile(id)
		if err != nil {
			return nil, 0, usageErrorf("--policy: %v", err)
		}
		if asOf == "" {
			return p, p.Day(now), nil
		}
		day, err := register.ParseDate(asOf)
		if err != nil {
			return nil, 0, usageErrorf("--as-of: %v", err)
		}
		if err := register.UpTo(now, register.DateSkew).CheckDate(day); err != nil {
			return nil, 0, usageErrorf("--as-of %v", err)
		}
		return p, day, nil
	}
	if asOf == "" {
		p, err := policy.Builtins().AtTime(id, now)
		if err != nil {
			return nil, 0, usageErrorf("--policy: %v", err)
		}
		return p, p.Day(now), nil
	}
	day, err := register.ParseDate(asOf)
	if err != nil {
		return nil, 0, usageErrorf("--as-of: %v", err)
	}
	// A re-banding dated in the future is written to band history and the record, and
	// ranks every later shortlist.
	if err := register.UpTo(now, register.DateSkew).CheckDate(day); err != nil {
		return nil, 0, usageErrorf("--as-of %v", err)
	}
	p, err := policy.Builtins().At(id, day)
	if err != nil {
		return nil, 0, usageErrorf("--policy: %v", err)
	}
	return p, day, nil
}

// rebandRow is one application re-assessment moves, as cbl assess prints it.
type rebandRow struct {
	Application  int64          `json:"application"`
	OldBand      string         `json:"old_band"`
	OldEffective *register.Date `json:"old_effective"`
	NewBand      string         `json:"new_band"`
	NewEffective *register.Date `json:"new_effective"`
	Criteria     string         `json:"criteria"`
}
