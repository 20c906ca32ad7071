package banding_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

var bedroomDay = register.MustDate("2026-06-01")

// bornAged returns a birth date that makes someone age years old on day d (their
// birthday falls a month before d, so no boundary effects).
func bornAged(d register.Date, age int) register.Date {
	y, m, day := d.YMD()
	return register.NewDate(y-age, m-1, day)
}

// parseHousehold reads "applicant:F30 partner:M31 child:M7 pregnant:20".
func parseHousehold(t *testing.T, fields []string, d register.Date) []register.Member {
	var ms []register.Member
	for _, f := range fields {
		rel, spec, ok := strings.Cut(f, ":")
		require.True(t, ok, "member %q", f)
		if rel == "pregnant" {
			weeks, err := strconv.Atoi(spec)
			require.NoError(t, err)
			ms[0].PregnancyDue = d.AddDays(7 * weeks)
			continue
		}
		age, err := strconv.Atoi(spec[1:])
		require.NoError(t, err, "member %q", f)
		ms = append(ms, register.Member{Relationship: register.Relationship(rel), Sex: register.Sex(spec[:1]), Born: bornAged(d, age)})
	}
	return ms
}

func TestS5_1_BedroomNeed(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	f, err := os.Open("../testdata/banding/bedrooms.txt")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		lhs, want, ok := strings.Cut(text, "->")
		require.True(t, ok, "line %d: no ->", line)
		fields := strings.Fields(lhs)
		// The name runs up to the first member field.
		i := 0
		for i < len(fields) && !strings.Contains(fields[i], ":") {
			i++
		}
		name := strings.Join(fields[:i], " ")
		wantN, err := strconv.Atoi(strings.TrimSpace(want))
		require.NoError(t, err, "line %d", line)
		t.Run(name, func(t *testing.T) {
			ms := parseHousehold(t, fields[i:], bedroomDay)
			got := banding.BedroomNeed(ms, &p.Bedrooms, bedroomDay)
			if got.Need != wantN {
				t.Errorf("testdata line %d: need %d, want %d; rooms %+v", line, got.Need, wantN, got.Rooms)
			}
			// Every member (and the unborn child) is in exactly one room.
			seen := map[int]int{}
			for _, r := range got.Rooms {
				for _, m := range r.Members {
					seen[m]++
				}
			}
			for idx := range ms {
				require.Equal(t, 1, seen[idx], "member %d placed %d times", idx, seen[idx])
			}
		})
		n++
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, n, 9, "all the worked cases of S5.1 must be in the file")
}

func TestS5_4_HouseholdType(t *testing.T) {
	p, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	cases := map[string]string{
		"applicant:F30":                       "single",
		"applicant:F30 partner:M30":           "couple",
		"applicant:F30 child:M4":              "family",
		"applicant:F30 pregnant:10":           "family",
		"applicant:F60 other:F58":             "other",
		"applicant:F50 partner:M50 child:M19": "other",
	}
	for spec, want := range cases {
		ms := parseHousehold(t, strings.Fields(spec), bedroomDay)
		got := banding.BedroomNeed(ms, &p.Bedrooms, bedroomDay)
		require.Equal(t, want, got.HouseholdType, spec)
	}
}

func ExampleBedroomNeed() {
	p, _ := policy.Builtin("nn-2021")
	day := register.MustDate("2026-06-01")
	household := []register.Member{
		{Relationship: register.RelApplicant, Sex: register.Female, Born: register.MustDate("1990-01-15")},
		{Relationship: register.RelPartner, Sex: register.Male, Born: register.MustDate("1989-03-02")},
		{Relationship: register.RelChild, Sex: register.Male, Born: register.MustDate("2014-02-10")},   // 12
		{Relationship: register.RelChild, Sex: register.Female, Born: register.MustDate("2018-01-05")}, // 8
	}
	b := banding.BedroomNeed(household, &p.Bedrooms, day)
	fmt.Println("need:", b.Need)
	for _, r := range b.Rooms {
		fmt.Println(r.Members, r.Why)
	}
	// Output:
	// need: 3
	// [0 1] applicant and partner
	// [2] child: no one to share with under the rule
	// [3] child: no one to share with under the rule
}

var _ = time.Now
