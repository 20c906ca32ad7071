package report

import (
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

// percent formats part of whole as a whole percentage, "" when whole is zero.
func percent(part, whole int) string {
	if whole == 0 {
		return ""
	}
	return strconv.Itoa(int(float64(part)*100/float64(whole)+0.5)) + "%"
}

// weeks formats a wait to exactly one decimal place, so a column of waits lines up.
func weeks(v float64) string {
	return strconv.FormatFloat(v, 'f', 1, 64)
}
