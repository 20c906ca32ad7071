package letters_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/letters"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

var update = flag.Bool("update", false, "rewrite the golden letters under testdata/letters")

var day = register.MustDate("2026-12-02")

func nn2021(t *testing.T) *policy.Policy {
	t.Helper()
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	return p
}

func frame(t *testing.T) letters.Frame {
	return letters.Frame{Date: day, Application: 1002, Policy: nn2021(t)}
}

func home(id int64, typ string, beds int) *bidding.Advert {
	return &bidding.Advert{ID: id, Type: typ, Bedrooms: beds, Locality: "Kettering", WeeklyRent: decimal.RequireFromString("98.50")}
}

// bandB is a household in Band B for high medical need, also sharing with family (a
// Band D "no housing need" criterion the letter must not list), with a carer's bedroom
// and the armed-forces additional preference.
func bandB(t *testing.T) banding.Explanation {
	app := register.Application{ID: 1002, Registered: register.MustDate("2022-01-10"), Status: register.StatusActive,
		Members: []register.Member{
			{Relationship: register.RelApplicant, Sex: register.Male, Born: register.MustDate("1970-05-01")},
			{Relationship: register.RelPartner, Sex: register.Female, Born: register.MustDate("1972-03-14")}},
		Home:       register.CurrentHome{Bedrooms: 1, Tenure: register.TenureFamily},
		Connection: register.LocalConnection{NN: true},
		Flags:      register.Flags{ArmedForces: true},
		Medical: []register.MedicalAssessment{{ID: 3, Requested: register.MustDate("2025-01-01"), Assessed: register.MustDate("2025-02-01"),
			Conditions:   []register.Condition{{Name: "copd", Severity: 2, Impact: 2}},
			Restrictions: register.Restrictions{ExtraBedrooms: 1}}},
	}
	as, err := banding.Assess(&app, nn2021(t), day)
	require.NoError(t, err)
	require.Equal(t, register.BandB, as.Band)
	return banding.Explain(as, nn2021(t))
}

// golden compares text with testdata/letters/name.golden (rewritten with -update) and
// checks the rules every letter follows.
func golden(t *testing.T, name, text string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "letters", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./letters -update to write it")
	require.Equal(t, string(want), text)
	plainEnglish(t, text)
}

// internal patterns a letter must never show: reason codes and field names
// (snake_case), rule ids, policy names, ISO dates, "(s)" plurals, draft notes.
var internal = []*regexp.Regexp{
	regexp.MustCompile(`[a-z]+_[a-z]+`),
	regexp.MustCompile(`\bS[0-9]+\.[0-9]+\b`),
	regexp.MustCompile(`nn-20[0-9]{2}`),
	regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}`),
	regexp.MustCompile(`\(s\)`),
	regexp.MustCompile(`(?i)labelled example`),
	regexp.MustCompile(`§`),
	regexp.MustCompile(`\b1 (bedrooms|days|months|points|refusals|bids)\b`),
}

func plainEnglish(t *testing.T, text string) {
	t.Helper()
	for _, re := range internal {
		require.False(t, re.MatchString(text), "letter shows %q (%s):\n%s", re.FindString(text), re, text)
	}
}

func TestLetters_Band(t *testing.T) {
	e := bandB(t)
	spell := register.BandSpell{Band: register.BandB, Effective: register.MustDate("2025-02-01")}
	pos := &letters.Position{Advert: 7001, Home: home(7001, "flat", 2), Position: 4, Of: 40,
		Ahead: map[register.Band]int{register.BandA: 1, register.BandB: 2}}
	text := letters.Band(frame(t), e, spell, pos)
	golden(t, "band", text)
	require.NotContains(t, text, "no housing need", "a lower band's criterion is not listed beside the band held")
	require.Contains(t, text, "Your household needs 2 bedrooms, including 1 extra bedroom for medical reasons.")
	require.Contains(t, text, "you were 4th of 40 bids")
}

func TestLetters_BandNotQualifying(t *testing.T) {
	app := register.Application{ID: 1002, Registered: register.MustDate("2026-11-20"), Status: register.StatusPending,
		Members: []register.Member{{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1990-01-01")}},
		Home:    register.CurrentHome{Bedrooms: 2, Tenure: register.TenurePrivate, SharingFacilities: true}}
	as, err := banding.Assess(&app, nn2021(t), day)
	require.NoError(t, err)
	golden(t, "band_not_qualifying", letters.Band(frame(t), banding.Explain(as, nn2021(t)), register.BandSpell{}, nil))
}

func TestLetters_Skipped(t *testing.T) {
	text := letters.Skipped(frame(t), letters.SkipFacts{Code: "bedroom_mismatch", Check: "bedrooms",
		Home: home(7003, "house", 3), AllowedMin: 2, AllowedMax: 2})
	golden(t, "skipped", text)
	require.Contains(t, text, "This is a 3-bedroom home. Your household can bid for homes with 2 bedrooms.")
}

// TestLetters_EverySkipCodeHasPlainWords: each skip reason code (S7.5) has its own
// sentence, free of internal labels.
func TestLetters_EverySkipCodeHasPlainWords(t *testing.T) {
	seen := map[string]string{}
	for _, code := range shortlist.Codes {
		s := letters.SkipReason(letters.SkipFacts{Code: code, Home: home(7001, "flat", 1), Note: "the household has moved away"})
		require.NotEqual(t, "Your bid did not meet the rules for this home.", s, code)
		plainEnglish(t, s)
		require.Empty(t, seen[s], "%s and %s say the same", code, seen[s])
		seen[s] = code
	}
	sheltered := letters.SkipReason(letters.SkipFacts{Code: "age_restriction", Check: "sheltered_age", Age: 40, MinAge: 55,
		Home: &bidding.Advert{ID: 7002, Type: "house", Sheltered: true, Bedrooms: 2}})
	require.Equal(t, "This is sheltered housing for people aged 55 or over. You are 40, and we have no record that you need sheltered housing.", sheltered)
}

func TestLetters_Offer(t *testing.T) {
	text := letters.Offer(frame(t), letters.OfferFacts{Home: home(7001, "flat", 2), Made: day, ReplyBy: day.AddDays(3),
		Counted: []register.Date{register.MustDate("2026-05-11")}})
	golden(t, "offer", text)
	require.Contains(t, text, "One more would close your application for 12 months.")
}

func TestLetters_OfferWithdrawn(t *testing.T) {
	golden(t, "offer_withdrawn", letters.OfferWithdrawn(frame(t), letters.WithdrawnFacts{Home: home(7001, "flat", 2),
		Made: register.MustDate("2026-11-26"), On: day, Code: "property_withdrawn"}))
}

func TestLetters_RefusalCounted(t *testing.T) {
	text := letters.RefusalCounted(frame(t), letters.RefusalFacts{Home: home(7001, "flat", 2), On: register.MustDate("2026-11-30"),
		Kind: register.RefusedOffer, Counted: []register.Date{register.MustDate("2026-11-30")}})
	golden(t, "refusal_counted", text)
	require.Contains(t, text, "If you refuse another offer before 30 November 2027, and we decide that home was suitable too, we will close your application for 12 months.")
}

func TestLetters_Closure(t *testing.T) {
	golden(t, "closure", letters.Closure(frame(t), letters.ClosureFacts{On: day, Until: day.AddMonths(12),
		Refused: []letters.RefusedHome{{Home: home(6990, "flat", 2), On: register.MustDate("2026-05-11")},
			{Home: home(7001, "flat", 2), On: day}}}))
}

func TestLetters_DutyDischarge(t *testing.T) {
	golden(t, "duty_discharge", letters.DutyDischarge(frame(t), letters.DischargeFacts{Home: home(7001, "flat", 2), On: day,
		Withdrawn: []string{"Owed the main homelessness duty, or living in temporary accommodation"},
		Before:    register.BandA, After: register.BandC}))
}

func TestLetters_ReviewOutcome(t *testing.T) {
	golden(t, "review_outcome", letters.ReviewOutcome(frame(t), letters.ReviewFacts{Subject: "band",
		Of: register.MustDate("2026-11-02"), Requested: register.MustDate("2026-11-16"), Decided: day, Outcome: "changed",
		Reason: "the medical evidence sent with the request shows a high medical need", Band: register.BandB}))
}

func TestLongDate(t *testing.T) {
	require.Equal(t, "2 December 2026", letters.LongDate(day))
	require.Equal(t, "29 February 2028", letters.LongDate(register.MustDate("2028-02-29")))
}

// TestLetters_DocsShowEachGolden: docs/letters.md shows every golden letter as it is,
// each in the fenced block after its "<!-- testdata/letters/NAME.golden -->" marker;
// -update rewrites those blocks.
func TestLetters_DocsShowEachGolden(t *testing.T) {
	path := filepath.Join("..", "docs", "letters.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	goldens, err := filepath.Glob(filepath.Join("..", "testdata", "letters", "*.golden"))
	require.NoError(t, err)
	require.Len(t, goldens, 9)
	text := string(doc)
	for _, g := range goldens {
		want, err := os.ReadFile(g)
		require.NoError(t, err)
		marker := "<!-- testdata/letters/" + filepath.Base(g) + " -->\n```text\n"
		start := strings.Index(text, marker)
		require.True(t, start >= 0, "docs/letters.md has no %q", marker)
		body := start + len(marker)
		end := strings.Index(text[body:], "```")
		require.True(t, end >= 0)
		if *update {
			text = text[:body] + string(want) + text[body+end:]
			continue
		}
		require.Equal(t, string(want), text[body:body+end], "%s as docs/letters.md shows it (go test ./letters -update)", g)
	}
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
}
