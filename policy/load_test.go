package policy_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

func shipped(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("policies/nn-2021.json")
	require.NoError(t, err)
	return data
}

func TestBuiltins(t *testing.T) {
	s := policy.Builtins()
	require.Equal(t, []string{"england-synthetic", "nn-2021", "nn-2025-proposed"}, s.IDs())
	p, err := s.At("nn-2021", register.MustDate("2024-10-04"))
	require.NoError(t, err)
	require.Equal(t, "nn-2021@1", p.Name())
	_, err = s.At("nn-2021", register.MustDate("1970-01-02"))
	require.ErrorContains(t, err, "no version of policy \"nn-2021\" is in force on 1970-01-02")
	_, err = s.At("nope", 20000)
	require.ErrorContains(t, err, `no policy "nope"`)
}

func TestParse_Rejects(t *testing.T) {
	base := string(shipped(t))
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"syntax error names the line", `"version": 1,`, `"version": 1,,`, []string{"test.json:3:", "invalid character"}},
		{"unknown field", `"title":`, `"colour": "red", "title":`, []string{`unknown field "colour"`}},
		{"wrong type names the line and field", `"version": 1,`, `"version": "one",`, []string{"test.json:3: version:", "want int"}},
		{"unknown fact", `{"fact": "disrepair"}`, `{"fact": "damp"}`, []string{`criteria[2].when.fact: unknown fact "damp"`}},
		{"bad choice value", `"in": ["urgent"]`, `"in": ["critical"]`, []string{`criteria[1].when.in[0]: "critical" is not a value of medical_level`}},
		{"comparison on a yes/no fact", `{"fact": "disrepair"}`, `{"fact": "disrepair", "gte": 1}`, []string{`criteria[2].when: fact "disrepair" is yes/no`}},
		{"two forms in one condition", `{"fact": "disrepair"}`, `{"fact": "disrepair", "all": [{"fact": "working"}]}`, []string{"criteria[2].when: a condition needs exactly one of"}},
		{"band left without criteria", `"band": "C"`, `"band": "D"`, []string{"criteria: band C has no criteria but band D has"}},
		{"bad effective-date rule", `"down": "previous_in_band"`, `"down": "whenever"`, []string{`effective_date.down: "whenever" is not one of`}},
		{"thresholds out of order", `{"level": "high", "min_points": 40}`, `{"level": "high", "min_points": 80}`, []string{"medical.levels[1].min_points: levels must be listed most severe first"}},
		{"bad time zone", `"Europe/London"`, `"Europe/Northampton"`, []string{`cycle.time_zone: unknown time zone "Europe/Northampton"`}},
		{"bad weekday", `"weekday": "tuesday"`, `"weekday": "tuesdy"`, []string{`cycle.closes.weekday: "tuesdy" is not a weekday`}},
		{"locality in two areas", `"Weldon",`, `"Weldon", "Kettering",`, []string{`locality "Kettering" is already in area "corby"`}},
		{"bad band", `"band": "A"`, `"band": "Z"`, []string{`band "Z": want A, B, C, D or E`}},
		{"several problems at once", `"max_live_bids": 3`, `"max_live_bids": 0`, []string{"bidding.max_live_bids: must be 1 or more"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, base, c.from, "test edit must apply")
			n := 1
			if strings.HasPrefix(c.name, "band left") {
				n = -1 // every Band C criterion moves to D
			}
			data := strings.Replace(base, c.from, c.to, n)
			_, err := policy.Parse("test.json", []byte(data))
			require.Error(t, err)
			var le *policy.LoadError
			require.ErrorAs(t, err, &le)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParse_ReportsEveryProblem(t *testing.T) {
	data := strings.Replace(string(shipped(t)), `"max_live_bids": 3`, `"max_live_bids": 0`, 1)
	data = strings.Replace(data, `{"fact": "disrepair"}`, `{"fact": "damp"}`, 1)
	_, err := policy.Parse("two.json", []byte(data))
	var le *policy.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Problems, 2)
}

func TestSet_RejectsOverlappingVersions(t *testing.T) {
	v1 := shipped(t)
	v2 := bytes.Replace(v1, []byte(`"version": 1`), []byte(`"version": 2`), 1)
	v2 = bytes.Replace(v2, []byte(`"effective_from": "2021-04-01"`), []byte(`"effective_from": "2024-04-01"`), 1)
	fsys := fstest.MapFS{"p/a.json": {Data: v1}, "p/b.json": {Data: v2}}
	_, err := policy.LoadDir(fsys, "p")
	require.ErrorContains(t, err, "p/a.json and p/b.json: nn-2021 versions 1 and 2 overlap from 2024-04-01")

	v1closed := bytes.Replace(v1, []byte(`"effective_from": "2021-04-01",`), []byte(`"effective_from": "2021-04-01", "effective_to": "2024-04-01",`), 1)
	fsys["p/a.json"] = &fstest.MapFile{Data: v1closed}
	s, err := policy.LoadDir(fsys, "p")
	require.NoError(t, err)
	p, err := s.At("nn-2021", register.MustDate("2024-03-18"))
	require.NoError(t, err)
	require.Equal(t, 1, p.Version)
	p, err = s.At("nn-2021", register.MustDate("2024-06-26"))
	require.NoError(t, err)
	require.Equal(t, 2, p.Version)
}

func TestPredicate_String(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	require.Equal(t, "homeowner and not (sheltered_eligible or exceptional_circumstances)", p.Qualification.Rules[2].When.String())
	require.Equal(t, []string{"exceptional_circumstances", "homeowner", "sheltered_eligible"}, p.Qualification.Rules[2].When.Facts())
}

// TestS7_3_RankAtCloseOnly: shortlists rank on the band as it stood at cycle close;
// "offer" is no longer part of the format and the loader says so, naming the field and
// the valid value.
func TestS7_3_RankAtCloseOnly(t *testing.T) {
	base := string(shipped(t))
	for to, want := range map[string]string{
		`"rank_at": "offer"`: `shortlist.rank_at: "offer" (re-rank at offer time) is not supported: shortlists rank on the band as it stood at cycle close (S7.3); valid: "close"`,
		`"rank_at": "bid"`:   `shortlist.rank_at: "bid" is not a ranking time; valid: "close"`,
	} {
		_, err := policy.Parse("test.json", []byte(strings.Replace(base, `"rank_at": "close"`, to, 1)))
		var le *policy.LoadError
		require.ErrorAs(t, err, &le)
		require.Contains(t, err.Error(), want)
	}
}

// TestS7_4_AdditionalPreferenceFormat: the effect must be one of the three, and the
// error lists them; a file without additional_preference gets the statutory default.
func TestS7_4_AdditionalPreferenceFormat(t *testing.T) {
	base := string(shipped(t))
	_, err := policy.Parse("test.json", []byte(strings.Replace(base, `"effect": "top_of_band"`, `"effect": "first"`, 1)))
	require.ErrorContains(t, err, `additional_preference[0].effect: "first" is not an additional-preference effect (S7.4); valid: none, top_of_band, one_band_up`)

	start := strings.Index(base, `  "additional_preference": [`)
	end := strings.Index(base, `  "refusals":`)
	require.True(t, start > 0 && end > start)
	p, err := policy.Parse("test.json", []byte(base[:start]+base[end:]))
	require.NoError(t, err)
	require.Len(t, p.AdditionalPreference, 1)
	ap := p.AdditionalPreference[0]
	require.Equal(t, "armed_forces", ap.ID)
	require.Equal(t, policy.PreferenceTopOfBand, ap.Effect)
	require.True(t, ap.When.Eval(&policy.Facts{ArmedForces: true}))
	require.False(t, ap.AppliesTo(register.BandE))
}

// TestS7_5_CodesAreSkipCodes: a property rule's code and the codes refused at placing
// must be skip reason codes; the error lists the valid ones.
func TestS7_5_CodesAreSkipCodes(t *testing.T) {
	base := string(shipped(t))
	for _, c := range []struct{ from, to, at string }{
		{`"code": "property_type"`, `"code": "too_big"`, `properties.rules[0].code: "too_big" is not a skip reason code (S7.5); valid: unsuitable_property, bedroom_mismatch,`},
		{`"reject_at_placing": ["bedroom_mismatch"`, `"reject_at_placing": ["size"`, `bidding.reject_at_placing[0]: "size" is not a skip reason code (S7.5); valid: unsuitable_property,`},
	} {
		require.Contains(t, base, c.from)
		_, err := policy.Parse("test.json", []byte(strings.Replace(base, c.from, c.to, 1)))
		require.ErrorContains(t, err, c.at)
		require.ErrorContains(t, err, "officer_discretion")
	}
}
