package main

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLetter_FromTheRecord writes each letter the week's decisions give, through the
// command: a bid skipped at verification, an offer, a counted refusal and what another
// would do, an offer withdrawn, and the band letter; and refuses an unknown kind, listing
// the kinds.
func TestLetter_FromTheRecord(t *testing.T) {
	w := newWeek(t)
	sl := w.advert(true, 3)
	a, r := idArg(sl.Advert), sl.Ranked
	w.decide("offer", "verify", a, idArg(r[0].Application), "--skip", "arrears", "--note", "arrears of £400 found at verification")
	w.decide("offer", "verify", a, idArg(r[1].Application))
	w.decide("offer", "make", a, idArg(r[1].Application))

	letter := func(args ...string) string {
		t.Helper()
		code, out, errOut := w.cbl(append([]string{"letter"}, append(args, "--as-of", "2025-12-01")...)...)
		require.Equal(t, 0, code, "%v: %s", args, errOut)
		require.Contains(t, out, "1 December 2025\nHousing register application ")
		for _, re := range []*regexp.Regexp{regexp.MustCompile(`[a-z]+_[a-z]+`), regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}`), regexp.MustCompile(`\(s\)`)} {
			require.False(t, re.MatchString(out), "%v shows %q:\n%s", args, re.FindString(out), out)
		}
		return out
	}

	out := letter("skipped", idArg(r[0].Application), "--advert", a)
	require.Contains(t, out, fmt.Sprintf("(property reference %d). We could not consider your bid.", sl.Advert))
	require.Contains(t, out, "You owe rent arrears.")
	require.Contains(t, out, "by 22 December 2025", "the review right, 21 days from the letter")

	out = letter("offer", idArg(r[1].Application), "--reply-by", "2025-12-04")
	require.Contains(t, out, "Please tell us by 4 December 2025 whether you accept the offer.")
	require.Contains(t, out, "If two refusals count within 12 months, we close your application for 12 months.")

	w.decide("offer", "refuse", a, idArg(r[1].Application), "--counted")
	out = letter("refusal", idArg(r[1].Application))
	require.Contains(t, out, "So the refusal counts against your application.")
	require.Contains(t, out, "You now have 1 refusal that counts in the last 12 months.")
	require.Contains(t, out, "If you refuse another offer before ")

	w.decide("offer", "verify", a, idArg(r[2].Application))
	w.decide("offer", "make", a, idArg(r[2].Application))
	w.decide("offer", "withdraw", a, idArg(r[2].Application), "--code", "checks_reveal_issues")
	out = letter("offer-withdrawn", idArg(r[2].Application))
	require.Contains(t, out, "We withdrew that offer on ")
	require.Contains(t, out, "Our checks before making an offer found a problem with your application.")

	out = letter("band", idArg(r[2].Application))
	require.Contains(t, out, fmt.Sprintf("You are in Band %s.", r[2].Band))

	code, _, errOut := w.cbl("letter", "closure", idArg(r[2].Application))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "has no closed refusals in the decision record")

	code, _, errOut = w.cbl("letter", "eviction", "1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `"eviction" is not a letter kind; valid: band, skipped, offer, offer-withdrawn, refusal, closure, discharge, review`)
}
