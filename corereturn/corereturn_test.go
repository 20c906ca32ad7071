package corereturn_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/corereturn"
	"github.com/cbl-lettings/cbl/register"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

const key = "a council-held secret of 32 bytes"

func TestPseudonymiser(t *testing.T) {
	_, err := corereturn.NewPseudonymiser([]byte("short"))
	require.True(t, errors.Is(err, corereturn.ErrKey))
	require.NotContains(t, err.Error(), "short")
	p, err := corereturn.NewPseudonymiser([]byte(key))
	require.NoError(t, err)
	require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", p, p, p, p), key)
	q, _ := corereturn.NewPseudonymiser([]byte(key + "!"))
	require.Equal(t, p.Code("application", 1001), p.Code("application", 1001))
	require.NotEqual(t, p.Code("application", 1001), p.Code("advert", 1001), "kinds do not collide")
	require.NotEqual(t, p.Code("application", 1001), q.Code("application", 1001), "another key, another code")
	require.Len(t, p.Code("application", 1001), 32)
}

func TestWrite_OneLet(t *testing.T) {
	p, err := corereturn.NewPseudonymiser([]byte(key))
	require.NoError(t, err)
	l := corereturn.Letting{
		Let: allocation.Let{Advert: 7001, Landlord: "nnc", Application: 1001, On: register.MustDate("2026-03-02"),
			Route: allocation.RouteShortlist, Band: register.BandB, Effective: register.MustDate("2024-01-10"),
			Position: 2, BidsReceived: 40, OffersBeforeAcceptance: 1},
		Advert: bidding.Advert{ID: 7001, Bedrooms: 2, Type: "=HYPERLINK(\"x\")", Locality: "Corby",
			WeeklyRent: decimal.RequireFromString("98.5"), Access: bidding.AccessGeneral},
		Landlord: bidding.Landlord{ID: "nnc", Council: true},
		Application: register.Application{ID: 1001, Registered: register.MustDate("2023-06-01"),
			Members: []register.Member{
				{Name: "Ada Bell", Born: register.MustDate("1990-04-02"), Sex: register.Female, Relationship: register.RelApplicant},
				{Name: "Ben Bell", Born: register.MustDate("2016-07-19"), Sex: register.Male, Relationship: register.RelChild},
			},
			Home:       register.CurrentHome{Tenure: register.TenureTemporary},
			Flags:      register.Flags{HomelessDuty: register.DutyMain, DomesticAbuse: true},
			Monitoring: register.Monitoring{EthnicGroup: register.EthnicBlackAfrican, Disability: register.DisabilityYes, EconomicStatus: register.EconPartTime},
		},
	}
	var buf bytes.Buffer
	require.NoError(t, corereturn.Write(&buf, []corereturn.Letting{l}, p))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	cells := strings.Split(lines[1], ",")
	get := func(name string) string {
		for i, c := range corereturn.Columns {
			if c == name {
				return cells[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	require.Equal(t, p.Code("application", 1001), get("tenancycode"))
	require.Equal(t, "2026-03-02", get("startdate"))
	require.Equal(t, "98.50", get("brent"))
	require.Equal(t, "1", get("offered"))
	require.Equal(t, "35", get("age1"))
	require.Equal(t, "9", get("age2"))
	require.Equal(t, "C", get("relat2"))
	require.Equal(t, "lone_parent", get("hhtype"))
	require.Equal(t, "black_african", get("ethnic"))
	require.Equal(t, "Black", get("ethnic_group"))
	require.Equal(t, "part_time", get("ecstat1"))
	require.Equal(t, "yes", get("illness"))
	require.Equal(t, "main_duty", get("homeless"))
	require.Equal(t, "temporary", get("prevten"))
	require.Equal(t, "yes", get("rp_homeless"))
	require.Equal(t, "2_to_3_years", get("waityear"))
	require.Equal(t, "domestic_abuse", get("reason"))
	require.Equal(t, "B", get("cbl_band"))
	require.True(t, strings.HasPrefix(get("unittype_gn"), `"'=`), "a formula is neutralised: %s", get("unittype_gn"))
	for _, secret := range []string{"Ada", "Bell", "1990-04-02", "2016-07-19", ",1001,", key} {
		require.NotContains(t, buf.String(), secret)
	}
}

// docs/core.md documents every column the return writes.
func TestColumns_Documented(t *testing.T) {
	doc, err := os.ReadFile("../docs/core.md")
	require.NoError(t, err)
	numbered := regexp.MustCompile(`^(age|sex|relat)[1-8]$`)
	for _, c := range corereturn.Columns {
		name := c
		if m := numbered.FindStringSubmatch(c); m != nil {
			name = m[1] + map[string]string{"age": "1", "sex": "1", "relat": "2"}[m[1]] + "..8"
		}
		require.Contains(t, string(doc), "`"+name+"`", "docs/core.md: column %s", c)
	}
}
