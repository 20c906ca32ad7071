package main

import (
	"fmt"
	"strconv"

	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/simulate"
)

// printLetsByGroup prints, after the comparison tables, each policy's lets by the groups
// the study compared (Study.LetsByGroup: age and disability; small counts suppressed), in
// table or CSV output; JSON output carries them in the study.
func (app *App) printLetsByGroup(st *simulate.Study) error {
	if app.Output == "json" || len(st.Equality) == 0 {
		return nil
	}
	cell := func(x equality.Cell) string {
		if x.Suppressed {
			return "[c]"
		}
		return strconv.Itoa(*x.Count)
	}
	for _, cmp := range st.Equality {
		header := []string{string(cmp.By), st.Policies[0].Name, st.Policies[1].Name, "difference"}
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
		fmt.Fprintf(app.Stdout, "Lets by %s (counts under %d suppressed: [c])\n", cmp.By, cmp.Suppress)
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
