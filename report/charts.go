package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/cbl-lettings/cbl/analytics"
)

// Element ids of the three charts: stable, so tests and scripts/report-screenshot.sh can
// find them in the page.
const (
	IDLetsChart  = "chart-lets"     // <svg>: lets by band
	IDWaitsChart = "chart-waits"    // <svg>: weeks waited by band and bedroom size
	IDMovement   = "chart-movement" // <table>: the band-movement heat map
)

// Chart geometry in SVG user units (the page scales the SVGs to its width).
const (
	chartWidth    = 1000 // the waits chart spans the page
	letsWidth     = 640  // the lets chart sits beside its table
	letsHeight    = 310
	waitsPanelH   = 215
	waitsColumns  = 3 // panels per row
	legendHeight  = 34
	axisLabelSize = 48 // room left of a plot for tick labels
)

// letsChart is a grouped bar chart: for each band, policy 1's lets beside policy 2's, with
// the count printed above each bar.
func letsChart(d Data) svgChart {
	names := policyNames(d)
	c := svgChart{
		ID:     IDLetsChart,
		Title:  "Lets by band",
		Width:  letsWidth,
		Height: letsHeight,
	}
	counts := letsByBand(d)
	most := 0.0
	for _, row := range counts {
		for _, e := range row {
			most = math.Max(most, math.Max(e.Mean, e.Hi))
		}
	}
	var desc []string
	for b, band := range d.Bands {
		desc = append(desc, fmt.Sprintf("Band %s: %s %s, %s %s", band,
			names[0], counts[0][b].String(), names[1], counts[1][b].String()))
	}
	c.Desc = "Homes let to households in each band under " + names[0] + " and " + names[1] +
		". " + strings.Join(desc, "; ") + "."

	c.legend(axisLabelSize, 18, names)
	x0, y0 := float64(axisLabelSize+8), float64(legendHeight+16)
	w, h := float64(letsWidth)-x0-10, float64(letsHeight)-y0-40
	top, step := niceScale(most*1.08, 5)
	c.yAxis(x0, y0, w, h, top, step)
	group := w / float64(len(d.Bands))
	bar := math.Min(group*0.32, 70)
	for b, band := range d.Bands {
		gx := x0 + float64(b)*group + group/2
		for i := range 2 {
			e := counts[i][b]
			bh := e.Mean / top * h
			x := gx - bar - 2 + float64(i)*(bar+4)
			c.rect(x, y0+h-bh, bar, bh, policyClass(i),
				fmt.Sprintf("%s, band %s: %s lets", names[i], band, e.String()))
			label := y0 + h - bh - 5
			if e.Runs > 1 && e.Hi > e.Lo { // the 90% interval over the seeds
				cx, ylo, yhi := x+bar/2, y0+h-max(e.Lo, 0)/top*h, y0+h-e.Hi/top*h
				c.mark(cx, ylo, cx, yhi, "whisker")
				c.mark(cx-4, ylo, cx+4, ylo, "whisker")
				c.mark(cx-4, yhi, cx+4, yhi, "whisker")
				label = math.Min(label, yhi-5)
			}
			c.text(x+bar/2, label, "middle", "value", compact(int(math.Round(e.Mean))))
		}
		c.text(gx, y0+h+20, "middle", "cat", "Band "+band)
	}
	c.yTitle(16, y0+h/2, "lets")
	return c
}

// waitsChart is small multiples, one panel per band that has any lets: for each bedroom size,
// the median weeks waited under each policy as a bar, with a whisker from the lower to the
// upper quartile. Panels share one y scale so they compare at a glance.
func waitsChart(d Data) svgChart {
	names := policyNames(d)
	type cell struct {
		w  Wait
		ok bool
	}
	grid := make([][][2]cell, len(d.Bands)) // band × size × policy
	for b := range grid {
		grid[b] = make([][2]cell, len(d.Sizes))
	}
	most := 0.0 // largest upper quartile of any panel: the panels share one scale
	for i, p := range d.Policies {
		for _, w := range p.Waits {
			if w.N == 0 {
				continue
			}
			b := index(d.Bands, w.Band)
			grid[b][index(d.Sizes, w.Size)][i] = cell{w, true}
			most = math.Max(most, w.Q3)
		}
	}
	var bands, sizes []int // indexes with any data, in display order
	for b := range d.Bands {
		for s := range d.Sizes {
			if grid[b][s][0].ok || grid[b][s][1].ok {
				bands = append(bands, b)
				break
			}
		}
	}
	for s := range d.Sizes {
		for b := range d.Bands {
			if grid[b][s][0].ok || grid[b][s][1].ok {
				sizes = append(sizes, s)
				break
			}
		}
	}
	cols := min(max(len(bands), 1), waitsColumns)
	rows := max(1, (len(bands)+cols-1)/cols)
	c := svgChart{
		ID:     IDWaitsChart,
		Title:  "Weeks waited by band and bedroom size",
		Width:  chartWidth,
		Height: legendHeight + rows*waitsPanelH,
	}
	c.Desc = fmt.Sprintf("One panel per band. In each panel, for each bedroom size, a bar for the "+
		"median weeks waited by households housed under %s and one under %s; the whisker runs "+
		"from the lower to the upper quartile. The panels share one scale. The table below gives "+
		"every figure and the number of lets; a cell of fewer than 5 lets a run is drawn pale and starred.",
		names[0], names[1])
	c.legend(axisLabelSize, 18, names)
	c.text(chartWidth-10, 20, "end", "note", "bar = median, whisker = quartiles; one scale for every panel; pale* = fewer than 5 lets")
	if len(bands) == 0 {
		c.text(chartWidth/2, legendHeight+40, "middle", "cat", "No lets in this run")
		return c
	}
	panelW := float64(chartWidth) / float64(cols)
	for k, b := range bands {
		px := float64(k%cols) * panelW
		py := float64(legendHeight + (k/cols)*waitsPanelH)
		x0, y0 := px+axisLabelSize, py+30
		w, h := panelW-axisLabelSize-12, float64(waitsPanelH)-30-44
		top, step := niceScale(most*1.05, 4)
		c.text(x0+w/2, py+18, "middle", "panel", "Band "+d.Bands[b])
		c.yAxis(x0, y0, w, h, top, step)
		group := w / float64(len(sizes))
		bar := math.Min(group*0.34, 26)
		for j, s := range sizes {
			gx := x0 + float64(j)*group + group/2
			for i := range 2 {
				x := gx - bar - 1.5 + float64(i)*(bar+3)
				cl := grid[b][s][i]
				if !cl.ok {
					c.text(x+bar/2, y0+h-4, "middle", "none", "–")
					continue
				}
				wt := cl.w
				bh := wt.Median / top * h
				class := policyClass(i)
				if wt.Few() {
					class += " few"
					// Above the whisker too: on the bar's top the whisker would strike it through.
					ystar := math.Min(y0+h-bh, y0+h-wt.Q3/top*h)
					c.text(x+bar/2, ystar-4, "middle", "none", "*")
				}
				c.rect(x, y0+h-bh, bar, bh, class, fmt.Sprintf(
					"%s, band %s, %s: median %s weeks (quartiles %s–%s), %s lets",
					names[i], d.Bands[b], sizeLabel(d.Sizes[s]), num(wt.Median), num(wt.Q1), num(wt.Q3), count(wt.N)))
				cx := x + bar/2
				yq1, yq3 := y0+h-wt.Q1/top*h, y0+h-wt.Q3/top*h
				c.mark(cx, yq1, cx, yq3, "whisker")
				c.mark(cx-4, yq1, cx+4, yq1, "whisker")
				c.mark(cx-4, yq3, cx+4, yq3, "whisker")
			}
			c.text(gx, y0+h+16, "middle", "cat", d.Sizes[s])
		}
		c.text(x0+w/2, y0+h+34, "middle", "xtitle", "bedrooms")
		if k%cols == 0 {
			c.yTitle(px+12, y0+h/2, "weeks")
		}
	}
	return c
}

// letsByBand returns lets[policy][band index]; a band not listed in d.Lets had none.
func letsByBand(d Data) [][]analytics.Estimate {
	counts := make([][]analytics.Estimate, len(d.Policies))
	for i := range d.Policies {
		counts[i] = make([]analytics.Estimate, len(d.Bands))
		for b := range counts[i] {
			counts[i][b] = analytics.Estimate{Runs: 1}
		}
		for _, m := range d.Lets {
			counts[i][index(d.Bands, m.Key)] = m.Values[i]
		}
	}
	return counts
}

func policyNames(d Data) []string {
	return []string{d.Policies[0].Name, d.Policies[1].Name}
}

// sizeLabel is a bedroom size for prose: "bedsit" or "2 bedrooms".
func sizeLabel(s string) string {
	switch s {
	case "bedsit":
		return "bedsit"
	case "1":
		return "1 bedroom"
	}
	return s + " bedrooms"
}

func index(labels []string, l string) int {
	for i, x := range labels {
		if x == l {
			return i
		}
	}
	panic("report: label " + l + " not listed (Validate first)")
}
