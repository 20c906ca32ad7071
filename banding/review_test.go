package banding_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

type reviewWant struct {
	Band          register.Band `json:"band"`
	Criteria      []string      `json:"criteria"`
	NotQualifying []string      `json:"not_qualifying"`
	Need          int           `json:"need"`
	Allowed       []int         `json:"allowed"`
	AutobidArea   string        `json:"autobid_area"`
}

// TestS2_7_ReviewChanges assesses each case's application under nn-2021 and
// nn-2025-proposed and checks both outcomes: together the cases show all eight changes
// of the October 2025 review (S2.7).
func TestS2_7_ReviewChanges(t *testing.T) {
	data, err := os.ReadFile("../testdata/banding/review.json")
	require.NoError(t, err)
	var file struct {
		AsOf  register.Date              `json:"as_of"`
		Base  map[string]json.RawMessage `json:"base"`
		Cases []struct {
			Name        string                     `json:"name"`
			Application map[string]json.RawMessage `json:"application"`
			Old         reviewWant                 `json:"nn-2021"`
			New         reviewWant                 `json:"nn-2025-proposed"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	old, err := policy.Builtin("nn-2021")
	require.NoError(t, err)
	proposed, err := policy.Builtin("nn-2025-proposed")
	require.NoError(t, err)

	changes := map[string]bool{}
	for _, c := range file.Cases {
		t.Run(c.Name, func(t *testing.T) {
			merged := map[string]json.RawMessage{}
			for k, v := range file.Base {
				merged[k] = v
			}
			for k, v := range c.Application {
				merged[k] = v
			}
			raw, err := json.Marshal(merged)
			require.NoError(t, err)
			var app register.Application
			require.NoError(t, json.Unmarshal(raw, &app))

			for _, run := range []struct {
				p    *policy.Policy
				want reviewWant
			}{{old, c.Old}, {proposed, c.New}} {
				got, err := banding.Assess(&app, run.p, file.AsOf)
				require.NoError(t, err)
				var codes, ids []string
				for _, r := range got.NotQualifying {
					codes = append(codes, r.Code)
				}
				for _, m := range got.Criteria {
					ids = append(ids, m.ID)
				}
				require.Equal(t, run.want.NotQualifying, codes, "%s: not-qualifying codes", run.p.Name())
				require.Equal(t, run.want.Band, got.Band, "%s: band", run.p.Name())
				require.Equal(t, run.want.Criteria, ids, "%s: criteria met", run.p.Name())
				if run.want.Need > 0 {
					require.Equal(t, run.want.Need, got.Bedrooms.Need, "%s: bedroom need", run.p.Name())
				}
				if run.want.Allowed != nil {
					require.Equal(t, run.want.Allowed, []int{got.Bedrooms.AllowedMin, got.Bedrooms.AllowedMax}, "%s: sizes allowed", run.p.Name())
				}
				if run.want.AutobidArea != "" {
					require.Equal(t, run.want.AutobidArea, got.AutobidArea, "%s: autobid area", run.p.Name())
				}
			}
		})
		changes[c.Name[:len("change 1")]] = true
	}
	require.Len(t, changes, 8, "every one of the review's eight changes needs a case")
}

// TestS2_6_DomesticAbuseWithoutConnection: under nn-2025-proposed a household fleeing
// domestic abuse without a local connection is Band D; a homelessness duty adds its own
// criterion, so a prevention or relief duty gives Band B and only the main duty Band A,
// as the criterion's label says.
func TestS2_6_DomesticAbuseWithoutConnection(t *testing.T) {
	p, err := policy.Builtin("nn-2025-proposed")
	require.NoError(t, err)
	for duty, want := range map[register.HomelessDuty]register.Band{
		register.DutyNone: register.BandD, register.DutyPrevention: register.BandB,
		register.DutyRelief: register.BandB, register.DutyMain: register.BandA,
	} {
		a := single(30)
		a.Connection.NN = false
		a.Flags.DomesticAbuse = true
		a.Flags.HomelessDuty = duty
		got, err := banding.Assess(&a, p, day)
		require.NoError(t, err)
		require.Equal(t, want, got.Band, "duty %q", duty)
		var label string
		for _, m := range got.Criteria {
			if m.ID == "domestic_abuse_no_connection" {
				label = m.Label
			}
		}
		require.Contains(t, label, "Band B with a homelessness prevention or relief duty, Band A with the main duty")
	}
}
