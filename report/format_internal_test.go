package report

import "testing"

func TestCount_ThousandsSeparators(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1340000: "1,340,000", -1528: "−1,528"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNum_OneDecimal(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 12: "12", 47.5: "47.5", 12.34: "12.3", 139.96: "140"} {
		if got := num(v); got != want {
			t.Errorf("num(%g) = %q, want %q", v, got, want)
		}
	}
}

// niceScale's top covers the data and its step divides the top into whole ticks of 1, 2 or
// 5 times a power of ten, so axis labels read cleanly.
func TestNiceScale(t *testing.T) {
	for _, tc := range []struct {
		hi        float64
		n         int
		top, step float64
	}{
		{0, 5, 1, 1}, {0.4, 5, 0.4, 0.1}, {7, 5, 8, 2}, {676, 5, 800, 200}, {1287, 5, 1500, 500},
		{61.2, 4, 80, 20}, {100, 5, 100, 20},
	} {
		top, step := niceScale(tc.hi, tc.n)
		if top != tc.top || step != tc.step {
			t.Errorf("niceScale(%g) = %g, %g; want %g, %g", tc.hi, top, step, tc.top, tc.step)
		}
	}
}

func TestShade(t *testing.T) {
	for _, tc := range []struct{ n, most, want int }{
		{0, 100, 0}, {1, 100, 1}, {12, 100, 1}, {13, 100, 2}, {100, 100, shades}, {5, 0, 0},
	} {
		if got := shade(tc.n, tc.most); got != tc.want {
			t.Errorf("shade(%d, %d) = %d, want %d", tc.n, tc.most, got, tc.want)
		}
	}
}

func TestCompact(t *testing.T) {
	for n, want := range map[int]string{
		0: "0", 9999: "9,999", 10000: "10k", 12580: "12.6k", 106420: "106k", 999499: "999k",
		999500: "1M", 1340000: "1.34M", 263000: "263k", -12580: "−12.6k",
	} {
		if got := compact(n); got != want {
			t.Errorf("compact(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPercent_SmallShareIsNotZero(t *testing.T) {
	for _, tc := range []struct {
		part, whole int
		want        string
	}{{0, 10, "0%"}, {3, 835, "<1%"}, {5, 835, "1%"}, {1, 2, "50%"}, {7, 7, "100%"}, {0, 0, ""}} {
		if got := percent(tc.part, tc.whole); got != tc.want {
			t.Errorf("percent(%d, %d) = %q, want %q", tc.part, tc.whole, got, tc.want)
		}
	}
}
