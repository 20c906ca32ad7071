package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
)

//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Parse(pageSource))

// Write renders d as one self-contained HTML page: inline CSS, inline SVG charts and tables,
// no scripts, fonts or links to fetch. It returns d.Validate's error before writing anything.
func Write(w io.Writer, d Data) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, newPage(d)); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// page is what the template sees: every figure already formatted.
type page struct {
	Title     string
	Names     []string
	Run       []pair
	Notes     []string
	Outcomes  countsTable
	Lets      svgChart
	LetsTable countsTable
	Waits     svgChart
	WaitRows  []waitRow
	Movement  matrixView
	Moves     []pair
	MoveTotal string
}

type pair struct{ Label, Value string }

// countsTable is a table of one row per measure: a value per policy and the change.
type countsTable struct {
	ID, Caption, Head string
	Names             []string
	Rows              []outcomeRow
}

// outcomeRow is a label, one value per policy and the change from policy 1 to policy 2.
type outcomeRow struct {
	Label  string
	Values [2]string
	Change string
}

type waitRow struct {
	Band, Size string
	Cells      [2]waitCell
}

type waitCell struct{ N, Median, Q1, Q3 string }

func newPage(d Data) page {
	names := policyNames(d)
	title := d.Title
	if title == "" {
		title = "Policy comparison: " + names[0] + " and " + names[1]
	}
	p := page{
		Title: title,
		Names: names,
		Run: []pair{
			{"Policy 1 (baseline)", names[0]},
			{"Policy 2 (alternative)", names[1]},
			{"Seed", strconv.FormatInt(d.Seed, 10)},
			{"Weeks simulated", count(d.Weeks)},
			{"Scale", d.Scale},
		},
		Notes:    d.Notes,
		Lets:     letsChart(d),
		Waits:    waitsChart(d),
		Movement: movementMatrix(d),
	}
	lets := letsByBand(d)
	var total [2]int
	p.LetsTable = countsTable{ID: "table-lets", Caption: "Lets by band", Head: "Band", Names: names}
	for b, band := range d.Bands {
		p.LetsTable.Rows = append(p.LetsTable.Rows, countRow("Band "+band, lets[0][b], lets[1][b]))
		total[0] += lets[0][b]
		total[1] += lets[1][b]
	}
	p.LetsTable.Rows = append(p.LetsTable.Rows, countRow("All bands", total[0], total[1]))

	p1, p2 := d.Policies[0], d.Policies[1]
	p.Outcomes = countsTable{ID: "table-outcomes", Caption: "Lets, refusals, closures and bids per advert",
		Head: "Measure", Names: names}
	p.Outcomes.Rows = []outcomeRow{
		countRow("Lets", total[0], total[1]),
		countRow("Offers refused", p1.Refusals, p2.Refusals),
		countRow("Applications closed after refusals", p1.Closures, p2.Closures),
		countRow("Housed under this policy only", p1.HousedOnly, p2.HousedOnly),
		{Label: "Housed under both policies", Values: [2]string{count(d.HousedBoth), count(d.HousedBoth)}},
		countRow("Adverts", p1.Bids.Adverts, p2.Bids.Adverts),
		{Label: "Bids per advert, median", Values: [2]string{num(p1.Bids.Median), num(p2.Bids.Median)}},
		{Label: "Bids per advert, 90th percentile", Values: [2]string{num(p1.Bids.P90), num(p2.Bids.P90)}},
		countRow("Bids per advert, most", p1.Bids.Max, p2.Bids.Max),
	}
	p.WaitRows = waitRows(d)

	s := summariseMovement(d)
	p.Moves = []pair{
		{"Moved up", count(s.Up)},
		{"Same band", count(s.Same)},
		{"Moved down", count(s.Down)},
		{"Stop qualifying", count(s.Lost)},
		{"Start qualifying", count(s.Gained)},
		{"Qualify under neither", count(s.Neither)},
	}
	p.MoveTotal = count(s.Up + s.Same + s.Down + s.Lost + s.Gained + s.Neither)
	return p
}

func countRow(label string, a, b int) outcomeRow {
	return outcomeRow{Label: label, Values: [2]string{count(a), count(b)}, Change: signed(b - a)}
}

// waitRows lists every band × size with lets under either policy, in display order; a policy
// with no lets there shows dashes.
func waitRows(d Data) []waitRow {
	type key struct{ band, size string }
	found := map[key]*[2]waitCell{}
	for i, p := range d.Policies {
		for _, w := range p.Waits {
			if w.N == 0 {
				continue
			}
			k := key{w.Band, w.Size}
			if found[k] == nil {
				found[k] = &[2]waitCell{}
			}
			found[k][i] = waitCell{count(w.N), weeks(w.Median), weeks(w.Q1), weeks(w.Q3)}
		}
	}
	var rows []waitRow
	for _, band := range d.Bands {
		for _, size := range d.Sizes {
			cells := found[key{band, size}]
			if cells == nil {
				continue
			}
			r := waitRow{Band: band, Size: size, Cells: *cells}
			for i := range r.Cells {
				if r.Cells[i].N == "" {
					r.Cells[i] = waitCell{"0", "–", "–", "–"}
				}
			}
			rows = append(rows, r)
		}
	}
	return rows
}
