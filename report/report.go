package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/cbl-lettings/cbl/analytics"
)

//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pairValue": func(p pair) string { return p.Value },
	"figure":    splitFigure,
}).Parse(pageSource))

// figure is a formatted estimate cut in two for display, e.g. "7714.6" and "[7675.1–7754.1]":
// the page sets the interval on its own line, so a table of them stays narrow enough to fit
// and never breaks inside a number. The cell's text is still Estimate.String's.
type figure struct{ Value, Interval string }

func splitFigure(s string) figure {
	v, iv, ok := strings.Cut(s, " [")
	if !ok {
		return figure{Value: s}
	}
	return figure{Value: v, Interval: "[" + iv}
}

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
	// Why are the groups moving band: from, to, because under each, households.
	Why [][]string
	// Groups are the lets by group tables: a caption and rows of group, lets under
	// each policy, difference ("–" where suppressed).
	Groups []groupView
}

type groupView struct {
	By, Caption string
	Rows        [][4]string
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
			{"Policy 1 (baseline)", titled(d.Policies[0])},
			{"Policy 2 (alternative)", titled(d.Policies[1])},
			{"Seed", seeds(d)},
			{"Weeks simulated", count(d.Weeks)},
			{"Scale", d.Scale},
		},
		Notes:    d.Notes,
		Lets:     letsChart(d),
		Waits:    waitsChart(d),
		Movement: movementMatrix(d),
	}
	p.LetsTable = countsTable{ID: "table-lets", Caption: "Lets by band", Head: "Band", Names: names}
	for _, m := range d.Lets {
		p.LetsTable.Rows = append(p.LetsTable.Rows, measureRow(analytics.Measure{Label: "Band " + m.Key, Values: m.Values, Change: m.Change}))
	}
	p.Outcomes = countsTable{ID: "table-outcomes", Caption: "Outcomes: the same figures as the terminal's summary",
		Head: "Measure", Names: names}
	for _, m := range d.Measures {
		p.Outcomes.Rows = append(p.Outcomes.Rows, measureRow(m))
	}
	for _, m := range d.Moves {
		p.Why = append(p.Why, []string{m.From, m.To, m.FromWhy, m.ToWhy, count(m.Applications)})
	}
	p.WaitRows = waitRows(d)
	for _, g := range d.Groups {
		v := groupView{By: g.By, Caption: fmt.Sprintf("Lets by %s: counts under %d withheld (–)", g.By, g.Suppress)}
		for _, r := range g.Rows {
			v.Rows = append(v.Rows, [4]string{r.Group, optCount(r.Base), optCount(r.Alt), optSigned(r.Difference)})
		}
		p.Groups = append(p.Groups, v)
	}

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

// measureRow formats a measure exactly as the terminal does (analytics.Estimate's String
// and Signed), so the two can be compared figure for figure; "–" where there is none.
func measureRow(m analytics.Measure) outcomeRow {
	r := outcomeRow{Label: m.Label, Values: [2]string{m.Values[0].String(), m.Values[1].String()}, Change: "–"}
	if m.Change != nil {
		r.Change = m.Change.Signed()
	}
	return r
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
			n := count(w.N)
			if w.Few() {
				n += "*"
			}
			med := weeks(w.Median)
			if w.Runs > 1 { // as the terminal prints it
				med = analytics.Estimate{Mean: w.Median, Lo: w.MedianLo, Hi: w.MedianHi, Runs: w.Runs}.String()
			}
			found[k][i] = waitCell{n, med, weeks(w.Q1), weeks(w.Q3)}
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
					r.Cells[i] = waitCell{"–", "–", "–", "–"}
				}
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// titled is a policy's name and, when it has one, its title.
func titled(p PolicyResult) string {
	if p.Title == "" {
		return p.Name
	}
	return p.Name + " — " + p.Title
}

// seeds describes the run's seeds: "7", or "1–20 (20 runs; figures are means with 90% intervals)".
func seeds(d Data) string {
	if d.Seeds <= 1 {
		return strconv.FormatInt(d.Seed, 10)
	}
	return fmt.Sprintf("%d–%d (%d runs; figures are means [90%% interval])", d.Seed, d.Seed+int64(d.Seeds)-1, d.Seeds)
}

// optCount is a count, or "–" when withheld.
func optCount(n *int) string {
	if n == nil {
		return "–"
	}
	return count(*n)
}

// optSigned is a signed difference, or "–" when withheld: "+3", "-2", "0", as the
// terminal writes it.
func optSigned(n *int) string {
	switch {
	case n == nil:
		return "–"
	case *n > 0:
		return "+" + strconv.Itoa(*n)
	}
	return strconv.Itoa(*n)
}
