package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/analytics"
	"github.com/cbl-lettings/cbl/report"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/report")

const (
	samplePath = "../testdata/report/sample.json"
	goldenPath = "../testdata/report/sample.golden.html"
)

func sample(t *testing.T) report.Data {
	t.Helper()
	raw, err := os.ReadFile(samplePath)
	require.NoError(t, err)
	var d report.Data
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&d))
	return d
}

func render(t *testing.T, d report.Data) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, d))
	return buf.String()
}

func TestWrite_Golden(t *testing.T) {
	got := render(t, sample(t))
	if *update {
		require.NoError(t, os.WriteFile(goldenPath, []byte(got), 0o644))
	}
	want, err := os.ReadFile(goldenPath)
	require.NoError(t, err)
	if got != string(want) {
		t.Fatalf("report differs from %s; run go test ./report -update and review the diff", goldenPath)
	}
}

// The page must open with no network: nothing it refers to may live elsewhere.
func TestWrite_SelfContained(t *testing.T) {
	page := render(t, sample(t))
	for _, bad := range []string{"http://", "https://", "//fonts", "<script", "<link", "<img", "<iframe", "@import", "src="} {
		require.NotContains(t, page, bad)
	}
	// The only url() references are to the hatch patterns inside the page.
	for rest := page; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			break
		}
		rest = rest[i+len("url("):]
		require.True(t, strings.HasPrefix(rest, "#"), "url( not to a fragment: %.40s", rest)
	}
}

func TestWrite_ChartsPresentWithTitles(t *testing.T) {
	page := render(t, sample(t))
	for id, title := range map[string]string{
		report.IDLetsChart:  "Lets by band",
		report.IDWaitsChart: "Weeks waited by band and bedroom size",
	} {
		require.Contains(t, page, `<svg id="`+id+`" class="chart"`)
		require.Contains(t, page, `<title id="`+id+`-title">`+title+`</title>`)
		require.Contains(t, page, `<desc id="`+id+`-desc">`)
		require.Contains(t, page, `aria-labelledby="`+id+`-title `+id+`-desc"`)
	}
	require.Contains(t, page, `<table class="heat" id="`+report.IDMovement+`">`)
	require.Contains(t, page, "<caption>Households by band under each policy</caption>")
	require.Contains(t, page, `<th scope="col" class="corner">↓ nn-2021@1<br>→ nn-2025-proposed@1</th>`)
}

func TestWrite_TablesEqualInput(t *testing.T) {
	d := sample(t)
	tables := parseTables(t, render(t, d))

	t.Run("lets by band", func(t *testing.T) {
		rows := byLabel(tables["table-lets"])
		require.Len(t, rows, 1+len(d.Lets)) // header, bands
		for _, m := range d.Lets {
			row := rows["Band "+m.Key]
			require.Equal(t, m.Values[0].String(), row[0])
			require.Equal(t, m.Values[1].String(), row[1])
			require.Equal(t, m.Change.Signed(), row[2])
		}
	})

	t.Run("outcomes", func(t *testing.T) {
		rows := byLabel(tables["table-outcomes"])
		require.Len(t, rows, 1+len(d.Measures))
		for _, m := range d.Measures {
			require.Equal(t, []string{m.Values[0].String(), m.Values[1].String(), m.Change.Signed()}, rows[m.Label], m.Label)
		}
		for _, label := range []string{"register at end", "manual bids", "autobids", "homeless duties discharged",
			"adverts left to re-let", "bids per advert: median"} {
			require.Contains(t, rows, label, "the report shows every figure the terminal does")
		}
	})

	t.Run("why they move", func(t *testing.T) {
		rows := tables["table-why"][1:]
		require.Len(t, rows, len(d.Moves))
		for i, m := range d.Moves {
			require.Equal(t, []string{m.From, m.To, m.FromWhy, m.ToWhy, strconv.Itoa(m.Applications)},
				[]string{rows[i][0], rows[i][1], rows[i][2], rows[i][3], strings.ReplaceAll(rows[i][4], ",", "")})
		}
	})

	t.Run("waits", func(t *testing.T) {
		rows := tables["table-waits"][2:] // two header rows
		seen := 0
		for i, p := range d.Policies {
			for _, w := range p.Waits {
				row := findRow(t, rows, w.Band, w.Size)
				cells := row[2+4*i : 2+4*i+4]
				require.Equal(t, w.N, atoi(t, strings.TrimSuffix(cells[0], "*")), "%s %s/%s", p.Name, w.Band, w.Size)
				require.Equal(t, w.Few(), strings.HasSuffix(cells[0], "*"), "few lets are starred")
				requireNear(t, w.Median, strings.Fields(cells[1])[0])
				requireNear(t, w.Q1, cells[2])
				requireNear(t, w.Q3, cells[3])
				seen++
			}
		}
		require.Positive(t, seen)
	})

	t.Run("movement matrix", func(t *testing.T) {
		rows := tables[report.IDMovement]
		m := d.Movement
		require.Len(t, rows, 1+len(m.Rows)+1)
		require.Equal(t, m.Cols, rows[0][1:1+len(m.Cols)])
		for i, label := range m.Rows {
			row := rows[1+i]
			require.Equal(t, label, row[0])
			sum := 0
			for j, want := range m.Counts[i] {
				// A cell reads "count share", e.g. "905 89%", or "–" when empty.
				got := strings.Fields(row[1+j])[0]
				if want == 0 {
					require.Equal(t, "–", row[1+j], "cell %s→%s", label, m.Cols[j])
				} else {
					require.Equal(t, want, atoi(t, got), "cell %s→%s", label, m.Cols[j])
				}
				sum += want
			}
			require.Equal(t, sum, atoi(t, row[len(row)-1]), "row total %s", label)
		}
	})
}

func TestWrite_EscapesText(t *testing.T) {
	d := sample(t)
	d.Title = `<script>alert("x")</script>`
	d.Policies[0].Name = `a&b<i>`
	d.Notes = []string{`<img src=x onerror=alert(1)>`}
	page := render(t, d)
	require.NotContains(t, page, "<script>")
	require.NotContains(t, page, "<img")
	require.NotContains(t, page, "<i>")
	require.Contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	require.Contains(t, page, "a&amp;b&lt;i&gt;")
}

func TestWrite_NoLets(t *testing.T) {
	d := sample(t)
	d.Lets = nil
	for i := range d.Policies {
		d.Policies[i].Waits = nil
	}
	page := render(t, d)
	require.Contains(t, page, "No lets in this run")
	require.Contains(t, page, `<svg id="`+report.IDLetsChart+`"`)
	require.NotContains(t, page, "NaN")
	require.NotContains(t, page, "Inf")
}

func TestData_Validate(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(*report.Data)
		want string
	}{
		"one policy":         {func(d *report.Data) { d.Policies = d.Policies[:1] }, "policies: want 2, got 1"},
		"unnamed policy":     {func(d *report.Data) { d.Policies[1].Name = "" }, "policies[1]"},
		"lets band unlisted": {func(d *report.Data) { d.Lets[0].Key = "Z" }, `lets[0]: band "Z" not in bands`},
		"negative lets":      {func(d *report.Data) { d.Lets[1].Values[0].Mean = -1 }, "lets[1] (band B): count -1 is negative"},
		"one-sided measure":  {func(d *report.Data) { d.Measures[2].Values = d.Measures[2].Values[:1] }, `measures[2] ("lets"): want 2 values`},
		"wait size unlisted": {func(d *report.Data) { d.Policies[1].Waits[2].Size = "9" }, `waits[2]: size "9" not in sizes`},
		"quartiles reversed": {func(d *report.Data) { d.Policies[0].Waits[0].Q1 = 1e6 }, "waits[0]: want 0 <= q1 <= median <= q3"},
		"matrix short row":   {func(d *report.Data) { d.Movement.Counts[2] = d.Movement.Counts[2][:1] }, "counts[2] has 1 cells for 5 column labels"},
		"matrix rows":        {func(d *report.Data) { d.Movement.Rows = d.Movement.Rows[:2] }, "6 rows of counts for 2 row labels"},
		"negative cell":      {func(d *report.Data) { d.Movement.Counts[0][0] = -3 }, "counts[0][0] = -3 is negative"},
		"NaN median":         {func(d *report.Data) { d.Policies[1].Waits[0].Median = math.NaN() }, "waits[0]: want 0 <= q1"},
		"infinite wait":      {func(d *report.Data) { d.Policies[1].Waits[0].Q3 = math.Inf(1) }, "waits[0]: want 0 <= q1"},
	} {
		t.Run(name, func(t *testing.T) {
			d := sample(t)
			tc.edit(&d)
			err := report.Write(io.Discard, d)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// parseTables reads every <table id=…> in page into rows of cell texts (th and td alike),
// whitespace collapsed. It uses encoding/xml in its lenient HTML mode: enough for the
// well-formed pages Write produces.
func parseTables(t *testing.T, page string) map[string][][]string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	tables := map[string][][]string{}
	var id string
	var cell *strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "table":
				id = attr(tok, "id")
			case "tr":
				if id != "" {
					tables[id] = append(tables[id], nil)
				}
			case "th", "td":
				if id != "" {
					cell = &strings.Builder{}
				}
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "table":
				id = ""
			case "th", "td":
				if cell != nil {
					rows := tables[id]
					rows[len(rows)-1] = append(rows[len(rows)-1], strings.Join(strings.Fields(cell.String()), " "))
					cell = nil
				}
			}
		case xml.CharData:
			if cell != nil {
				cell.WriteString(" " + string(tok) + " ")
			}
		}
	}
	return tables
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// byLabel maps each row's first cell to its remaining cells.
func byLabel(rows [][]string) map[string][]string {
	m := map[string][]string{}
	for _, r := range rows {
		if len(r) > 0 {
			m[r[0]] = r[1:]
		}
	}
	return m
}

func findRow(t *testing.T, rows [][]string, band, size string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > 2 && r[0] == band && r[1] == size {
			return r
		}
	}
	t.Fatalf("no row for band %s size %s", band, size)
	return nil
}

// atoi reads a count as the page prints it: thousands separators and a true minus sign.
func atoi(t *testing.T, s string) int {
	t.Helper()
	s = strings.ReplaceAll(s, ",", "")
	s = strings.Replace(s, "−", "-", 1)
	s = strings.TrimPrefix(s, "+")
	n, err := strconv.Atoi(s)
	require.NoError(t, err, "cell %q", s)
	return n
}

// requireNear checks a cell shows want to the one decimal place the page prints.
func requireNear(t *testing.T, want float64, cell string) {
	t.Helper()
	got, err := strconv.ParseFloat(cell, 64)
	require.NoError(t, err, "cell %q", cell)
	require.LessOrEqual(t, math.Abs(got-want), 0.05+1e-9, fmt.Sprintf("cell %q, want %g", cell, want))
}

// Any valid Data renders: random shapes (bands, sizes, empty and huge counts) give a page
// with every chart, no NaN or Inf in the geometry, and the matrix total equal to the input's.
func TestWrite_RandomData(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		d := randomData(rng)
		require.NoError(t, d.Validate(), "case %d", i)
		page := render(t, d)
		require.Contains(t, page, `<svg id="`+report.IDLetsChart+`"`)
		require.Contains(t, page, `<svg id="`+report.IDWaitsChart+`"`)
		require.Contains(t, page, `id="`+report.IDMovement+`"`)
		require.NotContains(t, page, "NaN")
		require.NotContains(t, page, "Inf")
		total := 0
		for _, row := range d.Movement.Counts {
			for _, n := range row {
				total += n
			}
		}
		rows := parseTables(t, page)[report.IDMovement]
		last := rows[len(rows)-1]
		require.Equal(t, total, atoi(t, last[len(last)-1]), "case %d", i)
	}
}

func randomData(rng *rand.Rand) report.Data {
	bands := []string{"A", "B", "C", "D", "E"}[:1+rng.IntN(5)]
	sizes := []string{"bedsit", "1", "2", "3", "4+"}[:1+rng.IntN(5)]
	big := []int{0, 1, 7, 999, 1000, 263000}
	n := func() int { return big[rng.IntN(len(big))] }
	d := report.Data{Title: "random", Weeks: rng.IntN(200), Bands: bands, Sizes: sizes}
	for p := range 2 {
		r := report.PolicyResult{Name: fmt.Sprintf("p%d@1", p)}
		for _, b := range bands {
			for _, s := range sizes {
				if rng.IntN(2) == 0 {
					continue
				}
				weeks := make([]float64, rng.IntN(6))
				for k := range weeks {
					weeks[k] = rng.Float64() * float64(big[rng.IntN(len(big))])
				}
				r.Waits = append(r.Waits, analytics.NewWait(b, s, weeks))
			}
		}
		d.Policies = append(d.Policies, r)
	}
	for _, b := range bands {
		if rng.IntN(3) > 0 {
			e := func() analytics.Estimate {
				runs := 1 + rng.IntN(3)
				xs := make([]float64, runs)
				for k := range xs {
					xs[k] = float64(n())
				}
				return analytics.NewEstimate(xs)
			}
			ch := e()
			d.Lets = append(d.Lets, analytics.Measure{Key: b, Label: "Band " + b, Values: []analytics.Estimate{e(), e()}, Change: &ch})
		}
	}
	d.Movement.Rows = append(slices.Clone(bands), "not qualifying")
	d.Movement.Cols = append(slices.Clone(bands[:1+rng.IntN(len(bands))]), "not qualifying")
	for range d.Movement.Rows {
		row := make([]int, len(d.Movement.Cols))
		for j := range row {
			row[j] = n()
		}
		d.Movement.Counts = append(d.Movement.Counts, row)
	}
	return d
}
