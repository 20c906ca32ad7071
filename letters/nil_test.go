package letters_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/letters"
	"github.com/cbl-lettings/cbl/register"
)

// TestLetters_NoPolicyNoHome: a frame without a policy, and facts without a home,
// still give a letter (the policy's review window falls back to 21 days), never a panic.
func TestLetters_NoPolicyNoHome(t *testing.T) {
	f := letters.Frame{Date: register.MustDate("2026-12-02"), Application: 1002}
	for name, write := range map[string]func() string{
		"band":      func() string { return letters.Band(f, banding.Explanation{}, register.BandSpell{}, nil) },
		"offer":     func() string { return letters.Offer(f, letters.OfferFacts{}) },
		"withdrawn": func() string { return letters.OfferWithdrawn(f, letters.WithdrawnFacts{}) },
		"refusal":   func() string { return letters.RefusalCounted(f, letters.RefusalFacts{}) },
		"closure":   func() string { return letters.Closure(f, letters.ClosureFacts{}) },
		"discharge": func() string { return letters.DutyDischarge(f, letters.DischargeFacts{}) },
		"review":    func() string { return letters.ReviewOutcome(f, letters.ReviewFacts{}) },
		"skipped":   func() string { return letters.Skipped(f, letters.SkipFacts{Code: "bedroom_mismatch"}) },
	} {
		t.Run(name, func(t *testing.T) {
			var text string
			require.NotPanics(t, func() { text = write() })
			require.Contains(t, text, "2 December 2026")
		})
	}
	require.Equal(t, "the home we offered you", letters.HomeName(nil))
}
