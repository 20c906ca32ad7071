package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

func newEqualityCommand(app *App) *cobra.Command {
	var (
		cycle       int64
		from, to    string
		by          string
		suppress    int
		registerDir string
	)
	cmd := &cobra.Command{
		Use:   "equality",
		Short: "Outcomes by group: shares of the register, bids, first-five places, offers and lets",
		Long: `Print, for each group of households, its share of the register, of bids, of
first-five shortlist places, of offers and of lets, each against its share of the
register (in percentage points), and its median wait from registration to a let —
what an Equality Impact Assessment asks first.

--by chooses the groups: age (the main applicant's, on the last day), sex (the main
applicant's), ethnicity (2021 Census groups, broad: White British, Other White, Mixed,
Asian, Black, Other, Not known), disability (anyone in the household), household
(single, couple, lone parent, couple with children, other, from the members) or flag
(armed forces, domestic abuse, care leaver, homeless duty, temporary accommodation;
a household may hold several, so the groups need not sum to the total).

The period is one cycle (--cycle N: its bids, shortlists, offers and lets) or days
(--from D --to D: the cycles closing in them, the offers made and the homes let in
them); with neither, everything recorded. The register is every application not
closed, and those let in the period.

Counts from 1 to --suppress - 1 (default 5) are suppressed, as published statistics
are: shown as [c] in the table and CSV, null in JSON; when a column has only one, the
next smallest is suppressed too, so the total does not give it away. Totals are never
suppressed. A median wait of fewer lets than --suppress is not shown.

With --register DIR the register, bids and shortlists come from a snapshot (each
cycle is shortlisted in memory); a snapshot holds no decisions, so offers, lets and
waits are not available (n/a; null in JSON).`,
		Example: `  cbl equality --by age
  cbl equality --cycle 42 --by ethnicity
  cbl equality --from 2025-04-01 --to 2026-03-31 --by disability -o csv > disability.csv
  cbl equality --by household --suppress 10 -o json
  cbl equality --register testdata/snapshot/small --by flag --suppress 0`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			dim, err := equality.ParseDimension(by)
			if err != nil {
				return usageErrorf("--by %v", err)
			}
			if suppress < 0 {
				return usageErrorf("--suppress %d: want 0 (nothing suppressed) or more", suppress)
			}
			period := pgstore.EqualityPeriod{Cycle: cycle, From: register.Earliest}
			if cycle < 0 {
				return usageErrorf("--cycle %d: want a cycle number", cycle)
			}
			if cycle != 0 && (from != "" || to != "") {
				return usageErrorf("give --cycle or --from/--to, not both")
			}
			if period.To, err = dayFlag("--to", to, register.DateOf(app.now())); err != nil {
				return err
			}
			if period.From, err = dayFlag("--from", from, register.Earliest); err != nil {
				return err
			}
			if period.From > period.To {
				return usageErrorf("--from %s is after --to %s", period.From, period.To)
			}
			var in *equality.Input
			if registerDir != "" {
				s, err2 := snapshot.Read(registerDir)
				if err2 != nil {
					return err2
				}
				if in, err = equality.FromRegister(cmd.Context(), s, period); errors.Is(err, equality.ErrNoCycle) {
					err = fmt.Errorf("%s: cycle %d: %w", registerDir, period.Cycle, pgstore.ErrNotFound)
				}
			} else {
				db, err2 := app.Open(cmd.Context())
				if err2 != nil {
					return err2
				}
				defer db.Close()
				in, err = pgstore.LoadEquality(cmd.Context(), db, period)
			}
			if err != nil {
				return err
			}
			t, err := equality.Tabulate(in, dim, suppress)
			if err != nil {
				return err
			}
			app.Logf("%d on the register, %d bids, %d first-five places, %d offers, %d lets; as of %s",
				len(in.Register), len(in.Bids), len(in.FirstFive), len(in.Offers), len(in.Lets), in.AsOf)
			return app.printEquality(t)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&cycle, "cycle", 0, "one cycle's outcomes")
	f.StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD")
	f.StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD (default today)")
	f.StringVar(&by, "by", "age", "group by: age, sex, ethnicity, disability, household or flag")
	f.IntVar(&suppress, "suppress", equality.DefaultSuppress, "suppress counts below this (0: none)")
	f.StringVar(&registerDir, "register", "", "read a snapshot directory instead of the database (no offers or lets)")
	return cmd
}

// dayFlag parses a YYYY-MM-DD flag value; empty gives def.
func dayFlag(name, v string, def register.Date) (register.Date, error) {
	if v == "" {
		return def, nil
	}
	d, err := register.ParseDate(v)
	if err != nil || d.IsZero() {
		return 0, usageErrorf("%s %q: want a date YYYY-MM-DD", name, v)
	}
	return d, nil
}

// printEquality writes t in the --output format: JSON as the typed table (numbers,
// booleans, null for a suppressed or unavailable value); table and CSV one row per
// group then the total, "[c]" for a suppressed count and "n/a" for one the source does
// not hold.
func (app *App) printEquality(t *equality.Table) error {
	if app.Output == "json" {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	header := []string{"group"}
	for _, c := range []string{"register", "bids", "first_five", "offers", "lets"} {
		header = append(header, c, c+"_pct")
		if c != "register" {
			header = append(header, c+"_vs_register")
		}
	}
	header = append(header, "median_wait_days")
	na := func(c equality.Cell) bool { return !c.Suppressed && c.Count == nil }
	row := func(r equality.Row) []string {
		out := []string{r.Group}
		for i, c := range []equality.Cell{r.Register, r.Bids, r.FirstFive, r.Offers, r.Lets} {
			switch {
			case c.Suppressed:
				out = append(out, "[c]", "[c]")
			case na(c):
				out = append(out, "n/a", "n/a")
			default:
				out = append(out, strconv.Itoa(*c.Count), pct(c.Percent))
			}
			if i > 0 {
				switch {
				case na(c):
					out = append(out, "n/a")
				case c.VsRegister == nil:
					out = append(out, "")
				default:
					out = append(out, strconv.FormatFloat(*c.VsRegister, 'f', 2, 64))
				}
			}
		}
		switch {
		case r.MedianWaitDays != nil:
			out = append(out, strconv.Itoa(*r.MedianWaitDays))
		case na(r.Lets):
			out = append(out, "n/a")
		case r.Lets.Suppressed || (r.Lets.Count != nil && *r.Lets.Count > 0):
			out = append(out, "[c]")
		default:
			out = append(out, "")
		}
		return out
	}
	var rows [][]string
	for _, r := range t.Rows {
		rows = append(rows, row(r))
	}
	rows = append(rows, row(t.Total))
	if t.Overlapping {
		app.Logf("a household may be in several of these groups: they need not sum to the total")
	}
	return app.Print(header, rows)
}

func pct(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}
