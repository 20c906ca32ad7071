package report

import (
	"math"
	"strconv"
	"strings"
)

// count formats a whole number with thousands separators: 1234567 → "1,234,567".
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String() // a true minus sign
	}
	return b.String()
}

// num formats a measure (weeks, bids) to one decimal place, dropping a trailing ".0":
// 12 → "12", 12.34 → "12.3".
func num(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// signed formats a change in a count: "+12", "−5" or "0".
func signed(n int) string {
	if n > 0 {
		return "+" + count(n)
	}
	return count(n)
}

// percent formats part of whole as a whole percentage, "" when whole is zero, and "<1%"
// for a share that is not nothing but would round to "0%" (3 of 835 households).
func percent(part, whole int) string {
	if whole == 0 {
		return ""
	}
	p := int(float64(part)*100/float64(whole) + 0.5)
	if p == 0 && part > 0 {
		return "<1%"
	}
	return strconv.Itoa(p) + "%"
}

// weeks formats a wait to exactly one decimal place, so a column of waits lines up.
func weeks(v float64) string {
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// compact formats a count for a chart label, where space is short: exact below 10,000, then
// thousands or millions to three significant figures ("12.6k", "106k", "1.34M"). The tables
// beside the charts carry the exact figures.
func compact(n int) string {
	v := float64(n)
	switch a := math.Abs(v); {
	case a < 10000:
		return count(n)
	case a < 999500:
		return sig3(v/1e3) + "k"
	default:
		return sig3(v/1e6) + "M"
	}
}

// sig3 formats v to three significant figures, without trailing zeros after the point.
func sig3(v float64) string {
	prec := 0
	switch a := math.Abs(v); {
	case a < 10:
		prec = 2
	case a < 100:
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, "-", "−", 1)
}
