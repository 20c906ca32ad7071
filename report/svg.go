package report

import (
	"math"
	"strconv"
	"strings"
)

// svgChart is a chart as drawing primitives: the template turns it into an inline <svg>
// with a <title> and <desc>, so the geometry is plain Go and every string is escaped by
// html/template.
type svgChart struct {
	ID     string // element id; also prefixes the hatch pattern id
	Title  string
	Desc   string
	Width  int
	Height int
	Lines  []svgLine // drawn under the bars (grid, axis)
	Rects  []svgRect
	Marks  []svgLine // drawn over the bars (whiskers)
	Texts  []svgText
}

// svgRect is a bar or a legend swatch. Hatch fills it with policy 2's pattern (any "p2"
// class, pale "p2 few" bars too, so a bar never loses its policy's pattern).
// Tip, when set, becomes the rect's own <title> (a tooltip and an accessible name).
type svgRect struct {
	X, Y, W, H string
	Class      string
	Tip        string
	Hatch      bool
}

type svgLine struct {
	X1, Y1, X2, Y2 string
	Class          string
}

type svgText struct {
	X, Y   string
	Anchor string // start, middle or end
	Class  string
	Text   string
	Rotate bool // read bottom to top (a y-axis title)
}

// f formats a coordinate with one decimal, enough for screen pixels and stable in goldens.
func f(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

func (c *svgChart) rect(x, y, w, h float64, class, tip string) {
	c.Rects = append(c.Rects, svgRect{f(x), f(y), f(w), f(h), class, tip, strings.HasPrefix(class, "p2")})
}

func (c *svgChart) line(x1, y1, x2, y2 float64, class string) {
	c.Lines = append(c.Lines, svgLine{f(x1), f(y1), f(x2), f(y2), class})
}

func (c *svgChart) mark(x1, y1, x2, y2 float64, class string) {
	c.Marks = append(c.Marks, svgLine{f(x1), f(y1), f(x2), f(y2), class})
}

func (c *svgChart) text(x, y float64, anchor, class, s string) {
	c.Texts = append(c.Texts, svgText{f(x), f(y), anchor, class, s, false})
}

// yTitle writes s up the left side of a plot, centred on (x, y).
func (c *svgChart) yTitle(x, y float64, s string) {
	c.Texts = append(c.Texts, svgText{f(x), f(y), "middle", "ytitle", s, true})
}

// niceScale returns an axis maximum at or above hi and a tick step that divides it, with
// the step 1, 2 or 5 times a power of ten and about n ticks. A zero max gives a 0..1 axis.
func niceScale(hi float64, n int) (top, step float64) {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		return 1, 1
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if step < 1 && hi >= 1 {
		step = 1
	}
	top = math.Ceil(hi/step) * step
	return top, step
}

// yAxis draws horizontal grid lines and tick labels for 0..top on the plot box
// (x0, y0 top-left, w × h).
func (c *svgChart) yAxis(x0, y0, w, h, top, step float64) {
	for v := 0.0; v <= top+step/2; v += step {
		y := y0 + h - v/top*h
		class := "grid"
		if v == 0 {
			class = "axis"
		}
		c.line(x0, y, x0+w, y, class)
		c.text(x0-6, y+4, "end", "tick", tickLabel(v))
	}
}

// legend draws one swatch and name per policy, left to right from (x, y).
func (c *svgChart) legend(x, y float64, names []string) {
	for i, name := range names {
		c.rect(x, y-10, 14, 14, policyClass(i), "")
		c.text(x+20, y+2, "start", "legend", name)
		x += 40 + 8.5*float64(len([]rune(name)))
	}
}

// policyClass is the CSS class of policy i's bars: solid for policy 1, hatched for policy 2,
// so the two differ by pattern as well as colour.
func policyClass(i int) string {
	if i == 0 {
		return "p1"
	}
	return "p2"
}

// tickLabel is an axis value: a whole number compacted like a bar label, else one decimal.
func tickLabel(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return compact(int(v))
	}
	return num(v)
}
