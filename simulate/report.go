package simulate

import (
	"fmt"

	"github.com/cbl-lettings/cbl/analytics"
	"github.com/cbl-lettings/cbl/equality"
	"github.com/cbl-lettings/cbl/report"
)

// Report maps a two-policy study to the HTML report's figures (package report), scale
// describing the run. The report shows the study's own figures — the same Measures,
// lets by band and waits the terminal prints — plus the band-movement matrix without the
// rows and columns nobody is in, and why households move. Render it with report.Write.
func (s *Study) Report(scale string) report.Data {
	bands := BandKeys[:5]
	d := report.Data{
		Title: fmt.Sprintf("Policy comparison: %s against %s", s.Policies[0].Name, s.Policies[1].Name),
		Seed:  int64(s.Seeds[0]), Seeds: len(s.Seeds), Weeks: s.Weeks, Scale: scale, Bands: bands, Sizes: analytics.Sizes,
		Lets: s.LetsByBand, Measures: s.Measures,
		Notes: []string{
			"Waits run from the registration date to the day the offer was accepted, in weeks; bedsits apart from one-bedroom homes.",
			"Both policies see the same register, adverts, joiners and behaviour draws (common random numbers); only the rules differ.",
			fmt.Sprintf("The movement matrix is the register on the first day (%s), each application assessed under both policies.", s.Start),
			"Quantiles are type 7 (linear between ranks), the same in every output.",
		},
	}
	if len(s.Seeds) > 1 {
		d.Notes = append(d.Notes, fmt.Sprintf("Figures are means over %d seeded runs with 90%% confidence intervals "+
			"(Student's t); a change is the mean of the paired per-seed differences.", len(s.Seeds)))
	}
	for i, p := range s.Policies {
		pr := report.PolicyResult{Name: p.Name, Title: p.Title, Waits: []analytics.Wait{}}
		for _, wr := range s.Waits {
			if w := wr.Policies[i]; w.N > 0 && wr.Band != "none" {
				pr.Waits = append(pr.Waits, w)
			}
		}
		d.Policies = append(d.Policies, pr)
	}
	for _, cmp := range s.Equality {
		g := report.GroupTable{By: string(cmp.By), Suppress: cmp.Suppress}
		for _, r := range append(cmp.Rows, cmp.Total) {
			g.Rows = append(g.Rows, report.GroupRow{Group: r.Group, Base: shown(r.Base), Alt: shown(r.Alt), Difference: r.Difference})
		}
		d.Groups = append(d.Groups, g)
	}
	for _, m := range s.Moves {
		d.Moves = append(d.Moves, report.Move{From: label(m.From), To: label(m.To), FromWhy: m.FromWhy, ToWhy: m.ToWhy,
			Applications: m.Applications})
	}
	var rows, cols []int
	for i := range s.Bands {
		rowSum, colSum := 0, 0
		for j := range s.Bands {
			rowSum += s.Movement[i][j]
			colSum += s.Movement[j][i]
		}
		if rowSum > 0 {
			rows = append(rows, i)
		}
		if colSum > 0 {
			cols = append(cols, i)
		}
	}
	for _, i := range rows {
		d.Movement.Rows = append(d.Movement.Rows, label(s.Bands[i]))
		r := make([]int, 0, len(cols))
		for _, j := range cols {
			r = append(r, s.Movement[i][j])
		}
		d.Movement.Counts = append(d.Movement.Counts, r)
	}
	for _, j := range cols {
		d.Movement.Cols = append(d.Movement.Cols, label(s.Bands[j]))
	}
	return d
}

func label(k string) string {
	if k == "none" {
		return "not qualifying"
	}
	return k
}

// shown is a cell's count, nil when it is suppressed.
func shown(c equality.Cell) *int {
	if c.Suppressed {
		return nil
	}
	return c.Count
}
