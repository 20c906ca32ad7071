package allocation_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/stretchr/testify/require"
)

func scenarioNames(t *testing.T) []string {
	dirs, err := os.ReadDir(scenarios)
	require.NoError(t, err)
	var names []string
	for _, d := range dirs {
		if d.IsDir() {
			names = append(names, d.Name())
		}
	}
	return names
}

func encode(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

// The same inputs give byte-identical outputs, whatever order the register, adverts
// and shortlists are listed in.
func TestRun_Deterministic(t *testing.T) {
	for _, name := range scenarioNames(t) {
		t.Run(name, func(t *testing.T) {
			in, ds, _ := loadScenario(t, name)
			first, err := allocation.Run(in, ds)
			require.NoError(t, err)
			want := encode(t, first)
			rng := rand.New(rand.NewPCG(1, 2))
			for range 5 {
				in2 := *in
				in2.Applications = slices.Clone(in.Applications)
				in2.Adverts = slices.Clone(in.Adverts)
				in2.Shortlists = slices.Clone(in.Shortlists)
				rng.Shuffle(len(in2.Applications), func(i, j int) {
					in2.Applications[i], in2.Applications[j] = in2.Applications[j], in2.Applications[i]
				})
				rng.Shuffle(len(in2.Adverts), func(i, j int) { in2.Adverts[i], in2.Adverts[j] = in2.Adverts[j], in2.Adverts[i] })
				rng.Shuffle(len(in2.Shortlists), func(i, j int) {
					in2.Shortlists[i], in2.Shortlists[j] = in2.Shortlists[j], in2.Shortlists[i]
				})
				res, err := allocation.Run(&in2, ds)
				require.NoError(t, err)
				require.True(t, bytes.Equal(want, encode(t, res)), "output changed with input order")
			}
		})
	}
}

// A walk paused after any decision and resumed later (a fresh Walk fed the recorded
// decisions) ends exactly where an uninterrupted run does; Run never changes its input.
func TestRun_ResumeFromRecordedDecisions(t *testing.T) {
	for _, name := range scenarioNames(t) {
		t.Run(name, func(t *testing.T) {
			in, ds, _ := loadScenario(t, name)
			before := encode(t, in)
			full, err := allocation.Run(in, ds)
			require.NoError(t, err)
			want := encode(t, full)
			for k := range ds {
				paused, err := allocation.Run(in, ds[:k])
				require.NoError(t, err)
				w, err := allocation.Start(in)
				require.NoError(t, err)
				for _, d := range ds[:k] {
					_, err = w.Apply(d)
					require.NoError(t, err)
				}
				require.Equal(t, string(encode(t, paused)), string(encode(t, w.Result())), "walk paused after %d", k)
				for _, d := range ds[k:] {
					_, err = w.Apply(d)
					require.NoError(t, err)
				}
				require.Equal(t, string(want), string(encode(t, w.Result())), "walk resumed after %d", k)
			}
			require.Equal(t, string(before), string(encode(t, in)), "Run modified its input")
		})
	}
}

func TestRun_RejectsDecisionsThatDoNotFit(t *testing.T) {
	in, ds, _ := loadScenario(t, "cascade_verification_skip")
	base := ds[:0:0]
	for _, tc := range []struct {
		name  string
		d     allocation.Decision
		field string
		msg   string
	}{
		{"not the next candidate", allocation.Decision{Kind: allocation.VerifyPass, On: d("2025-06-05"), Actor: "o", Advert: 10, Application: 2},
			"application", "2 is not the next candidate to verify on advert 10 (next: 1)"},
		{"unknown code", allocation.Decision{Kind: allocation.VerifySkip, On: d("2025-06-05"), Actor: "o", Advert: 10, Application: 1, Code: "rude"},
			"code", `"rude" is not a skip reason code (S7.5); valid: ` + strings.Join(shortlist.Codes, ", ")},
		{"discretion without a note", allocation.Decision{Kind: allocation.VerifySkip, On: d("2025-06-05"), Actor: "o", Advert: 10, Application: 1, Code: "officer_discretion"},
			"reason", "officer_discretion needs a note"},
		{"offer before verification", allocation.Decision{Kind: allocation.MakeOffer, On: d("2025-06-05"), Actor: "o", Advert: 10, Application: 1},
			"application", "1 has not passed verification on advert 10"},
		{"accept without an offer", allocation.Decision{Kind: allocation.Accept, On: d("2025-06-05"), Actor: "o", Advert: 10, Application: 1},
			"application", "1 has no open offer on advert 10"},
		{"unknown advert", allocation.Decision{Kind: allocation.VerifyPass, On: d("2025-06-05"), Actor: "o", Advert: 99, Application: 1},
			"advert", "99: not among the cycle's adverts"},
		{"no actor", allocation.Decision{Kind: allocation.VerifyPass, On: d("2025-06-05"), Advert: 10, Application: 1},
			"actor", "missing"},
		{"unknown kind", allocation.Decision{Kind: "bribe", On: d("2025-06-05"), Actor: "o"},
			"kind", `unknown kind "bribe"`},
		{"nominate on a council advert", allocation.Decision{Kind: allocation.Nominate, On: d("2025-06-05"), Actor: "o", Advert: 10},
			"advert", "10 is the council's own: nothing to nominate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := allocation.Run(in, append(base, tc.d))
			var de *allocation.DecisionError
			require.ErrorAs(t, err, &de)
			require.ErrorIs(t, err, allocation.ErrDecision)
			require.Equal(t, 0, de.Index)
			require.Equal(t, tc.field, de.Field)
			require.Equal(t, tc.msg, de.Msg)
		})
	}
	t.Run("back in time on the same advert", func(t *testing.T) {
		late := ds[1]
		late.On = d("2025-06-04")
		_, err := allocation.Run(in, []allocation.Decision{ds[0], late})
		require.EqualError(t, err, "decision 1 (verify_skip on 2025-06-04, advert 10, application 2): on: 2025-06-04 is before the last decision on advert 10 (2025-06-05)")
	})
	t.Run("before the advert closed", func(t *testing.T) {
		early := ds[0]
		early.On = d("2025-06-01")
		_, err := allocation.Run(in, []allocation.Decision{early})
		require.EqualError(t, err, "decision 0 (verify_skip on 2025-06-01, advert 10, application 1): on: 2025-06-01 is before advert 10 closed (2025-06-03)")
	})
}
