package report

import (
	"fmt"
	"math"
)

// shades is the number of heat-map shade classes (h1..h{shades}); h0 is an empty cell.
const shades = 8

// matrixView is the band-movement matrix ready for the template: each cell carries its count,
// its share of the row, a shade class and whether it is the "same band" diagonal.
type matrixView struct {
	ID        string
	From, To  string // policy names for the row and column headers
	Cols      []string
	Rows      []matrixRow
	ColTotals []string
	Total     string
}

type matrixRow struct {
	Label string
	Cells []matrixCell
	Total string
}

type matrixCell struct {
	Count string
	Share string // of the row, e.g. "12%"
	Class string // "h0".."h8", plus " same" on the diagonal
	Tip   string
}

// movementMatrix shades each cell by its count relative to the largest cell, in equal steps,
// so the eye finds where households end up; the number is always printed in the cell.
func movementMatrix(d Data) matrixView {
	m := d.Movement
	names := policyNames(d)
	v := matrixView{ID: IDMovement, From: names[0], To: names[1], Cols: m.Cols}
	most := 0
	colTotals := make([]int, len(m.Cols))
	total := 0
	for _, row := range m.Counts {
		for j, n := range row {
			most = max(most, n)
			colTotals[j] += n
			total += n
		}
	}
	for i, row := range m.Counts {
		rowTotal := 0
		for _, n := range row {
			rowTotal += n
		}
		r := matrixRow{Label: m.Rows[i], Total: count(rowTotal)}
		for j, n := range row {
			class := fmt.Sprintf("h%d", shade(n, most))
			if m.Rows[i] == m.Cols[j] {
				class += " same"
			}
			cell := matrixCell{
				Count: count(n),
				Share: percent(n, rowTotal),
				Class: class,
				Tip: fmt.Sprintf("%s households: %s under %s, %s under %s",
					count(n), bandPhrase(d.Bands, m.Rows[i]), names[0], bandPhrase(d.Bands, m.Cols[j]), names[1]),
			}
			// An empty cell reads "–", like every other empty cell in the report, so the
			// few cells households do move to stand out from a grid of "0 0%".
			if n == 0 {
				cell.Count, cell.Share = "–", ""
			}
			r.Cells = append(r.Cells, cell)
		}
		v.Rows = append(v.Rows, r)
	}
	for _, n := range colTotals {
		v.ColTotals = append(v.ColTotals, count(n))
	}
	v.Total = count(total)
	return v
}

// shade maps n in 0..most to a class number: 0 only for an empty cell, else 1..shades.
func shade(n, most int) int {
	if n <= 0 || most <= 0 {
		return 0
	}
	return max(1, int(math.Ceil(float64(n)/float64(most)*shades)))
}

// bandPhrase is "band B" for a label in bands and the label itself otherwise
// ("not qualifying").
func bandPhrase(bands []string, label string) string {
	if indexOr(bands, label) >= 0 {
		return "band " + label
	}
	return label
}

// movementSummary counts households whose band rose, fell or stayed, and those who
// left or joined the register's qualifying part, ranking labels by their place in d.Bands
// (a label not in d.Bands is "not qualifying").
type movementSummary struct {
	Up, Down, Same, Lost, Gained, Neither int
}

func summariseMovement(d Data) movementSummary {
	var s movementSummary
	m := d.Movement
	for i, row := range m.Counts {
		ri := indexOr(d.Bands, m.Rows[i])
		for j, n := range row {
			ci := indexOr(d.Bands, m.Cols[j])
			switch {
			case ri < 0 && ci < 0:
				s.Neither += n
			case ci < 0:
				s.Lost += n
			case ri < 0:
				s.Gained += n
			case ci < ri:
				s.Up += n
			case ci > ri:
				s.Down += n
			default:
				s.Same += n
			}
		}
	}
	return s
}

func indexOr(labels []string, l string) int {
	for i, x := range labels {
		if x == l {
			return i
		}
	}
	return -1
}
