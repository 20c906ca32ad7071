package bidding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/register"
)

func TestRules_ListRejectsBadAdverts(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	two := 2
	yes := true
	cases := []struct {
		name string
		ad   func(*bidding.Advert)
		want string
	}{
		{"unknown property type", func(a *bidding.Advert) { a.Type = "castle" }, `advert 1: type "castle": not a property type of policy nn-2021@1`},
		{"unknown ordering", func(a *bidding.Advert) { a.Ordering = "lottery" }, `advert 1: ordering "lottery": want band or fcfs`},
		{"unknown accessibility", func(a *bidding.Advert) { a.Access = "stairs" }, `advert 1: access "stairs": want general, level-access or wheelchair`},
		{"unknown local lettings fact", func(a *bidding.Advert) {
			a.LocalLettings = []bidding.LocalLetting{{Label: "x", Fact: "shoe_size", Gte: &two}}
		}, `advert 1: local_lettings[0]: fact "shoe_size": not a policy fact, "children" or "parish"`},
		{"two forms in one local lettings rule", func(a *bidding.Advert) {
			a.LocalLettings = []bidding.LocalLetting{{Label: "x", Fact: "working", Is: &yes, Gte: &two}}
		}, `advert 1: local_lettings[0]: fact "working": use exactly one of is, gte/lte or value`},
		{"parish without an area", func(a *bidding.Advert) {
			a.LocalLettings = []bidding.LocalLetting{{Label: "x", Fact: "parish"}}
		}, `advert 1: local_lettings[0]: fact "parish" needs value (the area) and nothing else`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ad := env.Advert(1, tc.ad)
			_, err := env.Rules.List(&ad)
			require.EqualError(t, err, tc.want)
			_, err = bidding.NewBook(env.Rules, env.Cycle, []bidding.Advert{ad})
			require.EqualError(t, err, tc.want, "a book refuses the advert too")
		})
	}
}

func TestS5_4_Proposed2025SinglesOneBedroomOnly(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   bidding.Check
	}{{"nn-2021", bidding.CheckNone}, {"nn-2025-proposed", bidding.CheckBedrooms}} {
		env := bidtest.New(t, tc.policy)
		ix := env.Index(bidtest.App(1, register.BandB, "2024-01-01", "2024-01-01", func(a *register.Application) {
			a.Flags.DomesticAbuse = true // qualifies under both policies
		}))
		ad := env.Advert(1, func(a *bidding.Advert) { a.Bedrooms = 2 })
		l, err := env.Rules.List(&ad)
		require.NoError(t, err)
		require.Equal(t, tc.want, l.Eligible(bidtest.Profile(t, ix, 1)), tc.policy)
	}
}

func TestCompile_TooManyPropertyRules(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	p := *env.Policy
	for len(p.Properties.Rules) <= bidding.MaxPropertyRules {
		p.Properties.Rules = append(p.Properties.Rules, p.Properties.Rules[0])
	}
	_, err := bidding.Compile(&p)
	require.ErrorContains(t, err, "properties.rules: 17 rules, at most 16 are supported")
}
