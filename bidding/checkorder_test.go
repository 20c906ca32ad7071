package bidding_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// failing is one way to make exactly one eligibility check fail: an edit to the advert
// and one to the applicant's profile.
type failing struct {
	check   bidding.Check
	advert  func(*bidding.Advert)
	profile func(*bidding.Profile, *policy.Facts)
}

// failings makes each check of nn-2021 fail on its own. Property rule 0 is
// houses_for_children; the local lettings rule asks for a working household.
func failings() []failing {
	working := true
	return []failing{
		{bidding.CheckStatus, nil, func(p *bidding.Profile, _ *policy.Facts) { p.Flags &^= bidding.FlagActive }},
		{bidding.CheckGuarantor, nil, func(p *bidding.Profile, _ *policy.Facts) { p.Flags |= bidding.FlagNeedsGuarantor }},
		{bidding.CheckQualifies, nil, func(p *bidding.Profile, _ *policy.Facts) { p.Band = register.NoBand }},
		{bidding.CheckBedrooms, func(a *bidding.Advert) { a.Bedrooms = 3 }, nil},
		{bidding.CheckShelteredAge, func(a *bidding.Advert) { a.Sheltered = true }, nil},
		{bidding.CheckMinAge, func(a *bidding.Advert) { a.MinAge = 50 }, nil},
		{bidding.CheckMaxAge, func(a *bidding.Advert) { a.MaxAge = 30 }, nil},
		{bidding.CheckMobility, func(a *bidding.Advert) { a.Access = bidding.AccessWheelchair }, nil},
		{bidding.CheckGroundFloor, func(a *bidding.Advert) { a.Floor = 2 }, func(p *bidding.Profile, _ *policy.Facts) {
			p.Flags |= bidding.FlagNeedsGroundFloor
		}},
		{bidding.CheckLevelAccess, nil, func(p *bidding.Profile, _ *policy.Facts) { p.Flags |= bidding.FlagNeedsLevelAccess }},
		{bidding.CheckWheelchairHome, nil, func(p *bidding.Profile, _ *policy.Facts) { p.Flags |= bidding.FlagNeedsWheelchairHome }},
		{bidding.CheckRule0, func(a *bidding.Advert) { a.Type = "house" }, nil},
		{bidding.CheckLocal0, func(a *bidding.Advert) {
			a.LocalLettings = []bidding.LocalLetting{{Label: "working households", Fact: "working", Is: &working}}
		}, nil},
	}
}

// clash lists the pairs that cannot fail together: a wheelchair-standard home is
// level-access and wheelchair standard, so the matrix refusing it to a household without
// that need rules out the two medical-restriction failures.
var clash = map[[2]bidding.Check]bool{
	{bidding.CheckMobility, bidding.CheckLevelAccess}:    true,
	{bidding.CheckMobility, bidding.CheckWheelchairHome}: true,
}

// TestS5_9_FirstFailingCheckInCheckOrder walks every pair of failing checks: with both
// failing, the bid is refused or skipped for the one earlier in Check order, by the fast
// path (Eligible, as Screen uses it) and by the traced one (Evaluate).
func TestS5_9_FirstFailingCheckInCheckOrder(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	fs := failings()
	run := func(t *testing.T, with ...failing) bidding.Check {
		ad := env.Advert(1, func(a *bidding.Advert) { a.Bedrooms = 2 })
		f := policy.Facts{Age: 40, Mobility: "none", HouseholdType: "couple"}
		p := bidding.Profile{ID: 1, Band: register.BandB, Age: 40, BedMin: 2, BedMax: 2, Facts: &f, Flags: bidding.FlagActive}
		for _, w := range with {
			if w.advert != nil {
				w.advert(&ad)
			}
			if w.profile != nil {
				w.profile(&p, &f)
			}
		}
		env.Rules.Complete(&p)
		l, err := env.Rules.List(&ad)
		require.NoError(t, err)
		got := l.Eligible(&p)
		traced := bidding.CheckNone
		for _, o := range l.Evaluate(&p) {
			if !o.Pass {
				traced = o.Check
				break
			}
		}
		require.Equal(t, got, traced, "Eligible and Evaluate disagree")
		return got
	}
	require.Equal(t, bidding.CheckNone, run(t), "the base bid passes every check")
	for _, a := range fs {
		require.Equal(t, a.check, run(t, a), "%s alone", env.Rules.Info(a.check, nil).Name)
	}
	for i, a := range fs {
		for _, b := range fs[i+1:] {
			require.Less(t, a.check, b.check, "failings() must list checks in Check order")
			if clash[[2]bidding.Check{a.check, b.check}] {
				continue
			}
			name := fmt.Sprintf("%s_then_%s", env.Rules.Info(a.check, nil).Name, env.Rules.Info(b.check, nil).Name)
			t.Run(name, func(t *testing.T) {
				require.Equal(t, a.check, run(t, a, b), "%s and %s both fail", env.Rules.Info(a.check, nil).Name, env.Rules.Info(b.check, nil).Name)
				require.Equal(t, a.check, run(t, b, a), "the order edits are applied in does not matter")
			})
		}
	}
}

// TestS5_9_ShelteredHouseCoupleOf40 is the case that showed the order was wrong: a couple
// aged 40 bidding on a sheltered house is skipped for age, not for property type.
func TestS5_9_ShelteredHouseCoupleOf40(t *testing.T) {
	env := bidtest.New(t, "nn-2021")
	ad := env.Advert(1, func(a *bidding.Advert) { a.Type, a.Sheltered = "house", true })
	ix := env.Index(bidtest.App(1, register.BandC, "2024-01-01", "2024-01-01", func(a *register.Application) {
		a.Members = append(a.Members, register.Member{Born: register.NewDate(1985, 6, 1), Sex: register.Male, Relationship: register.RelPartner})
	}))
	l, err := env.Rules.List(&ad)
	require.NoError(t, err)
	chk := l.Eligible(bidtest.Profile(t, ix, 1))
	require.Equal(t, "age_restriction", env.Rules.Info(chk, &ad).Code)
}
