package main

import (
	"fmt"
	"strconv"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/simulate"
)

// equalityDimensions are the groups cbl simulate breaks lets down by: the 2025 review's
// first Equality Impact Assessment questions (issue 15) — does it move lets between age
// groups, or away from disabled households?
var equalityDimensions = []equality.Dimension{equality.ByAge, equality.ByDisability}

// printLetsByGroup prints, after the comparison tables, each policy's lets by age group
// and by disability (equality.CompareLets, small counts suppressed), in table or CSV
// output; JSON output is the comparison alone. Ages are taken on the run's first day.
func (app *App) printLetsByGroup(c *simulate.Comparison, w *simulate.World) error {
	if app.Output == "json" || c.Policies[0].Run == nil || c.Policies[1].Run == nil {
		return nil
	}
	cell := func(x equality.Cell) string {
		if x.Suppressed {
			return "[c]"
		}
		return strconv.Itoa(*x.Count)
	}
	households := w.Households()
	for _, by := range equalityDimensions {
		cmp, err := equality.CompareLets(by, w.Start, households, simulate.HousedLets(c.Policies[0].Run.Housed),
			simulate.HousedLets(c.Policies[1].Run.Housed), equality.DefaultSuppress)
		if err != nil {
			return err
		}
		header := []string{string(by), c.Policies[0].Policy, c.Policies[1].Policy, "difference"}
		var rows [][]string
		for _, r := range append(cmp.Rows, cmp.Total) {
			d := "[c]"
			if r.Difference != nil {
				d = signed(float64(*r.Difference))
			}
			rows = append(rows, []string{r.Group, cell(r.Base), cell(r.Alt), d})
		}
		fmt.Fprintln(app.Stdout)
		if app.Output == "csv" {
			if err := writeCSV(app.Stdout, header, rows); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(app.Stdout, "Lets by %s (counts under %d suppressed: [c])\n", by, equality.DefaultSuppress)
		if err := app.Print(header, rows); err != nil {
			return err
		}
	}
	return nil
}

// signed writes a difference with its sign: "+3", "-2", "0", "+1.5".
func signed(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if v == float64(int64(v)) {
		s = strconv.FormatInt(int64(v), 10)
	}
	if v > 0 {
		return "+" + s
	}
	return s
}
