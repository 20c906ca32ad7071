package bidding_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/bidding/bidtest"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// TestListing_EvaluateAgreesWithEligible: the fast check and the traced checks decide
// every bid the same way (the first failure Evaluate reports is what Eligible returns).
func TestListing_EvaluateAgreesWithEligible(t *testing.T) {
	for _, id := range []string{"nn-2021", "nn-2025-proposed"} {
		env := bidtest.New(t, id)
		rng := rand.New(rand.NewPCG(1, 2))
		types := env.Policy.Properties.Types
		access := []bidding.Accessibility{bidding.AccessGeneral, bidding.AccessLevel, bidding.AccessWheelchair}
		mob := []string{"none", "level-access", "wheelchair"}
		for range 20000 {
			yes := rng.IntN(2) == 0
			ad := env.Advert(1, func(a *bidding.Advert) {
				a.Type = types[rng.IntN(len(types))]
				a.Bedrooms = 1 + rng.IntN(4)
				a.Garden = rng.IntN(2) == 0
				a.Sheltered = rng.IntN(4) == 0
				a.Floor, a.Lift = rng.IntN(3), rng.IntN(2) == 0
				a.Access = access[rng.IntN(3)]
				a.MinAge = []int{0, 0, 25, 60}[rng.IntN(4)]
				a.MaxAge = []int{0, 0, 35}[rng.IntN(3)]
				if rng.IntN(3) == 0 {
					a.LegalAgreementArea = []string{"Stanion", "Brigstock"}[rng.IntN(2)]
				}
				if rng.IntN(4) == 0 {
					a.LocalLettings = []bidding.LocalLetting{{Label: "working", Fact: "working", Is: &yes}}
				}
			})
			l, err := env.Rules.List(&ad)
			require.NoError(t, err)
			f := policy.Facts{Age: 16 + rng.IntN(70), DependentChildren: rng.IntN(2) == 0, Homeowner: rng.IntN(5) == 0,
				ShelteredEligible: rng.IntN(5) == 0, Working: rng.IntN(2) == 0, Mobility: mob[rng.IntN(3)], Guarantor: rng.IntN(2) == 0}
			p := bidding.Profile{ID: 1, Band: register.Band(rng.IntN(6)), Age: uint8(f.Age), BedMin: uint8(1 + rng.IntN(3)), Facts: &f,
				Flags: bidding.Flags(rng.Uint32()) & (bidding.FlagActive | bidding.FlagNeedsGuarantor | bidding.FlagNeedsGroundFloor | bidding.FlagNeedsLevelAccess | bidding.FlagNeedsWheelchairHome)}
			p.BedMax = p.BedMin + uint8(rng.IntN(2))
			if f.ShelteredEligible {
				p.Flags |= bidding.FlagShelteredEligible
			}
			switch f.Mobility {
			case "level-access":
				p.Flags |= bidding.FlagMobilityLevel
			case "wheelchair":
				p.Flags |= bidding.FlagMobilityWheelchair
			}
			if rng.IntN(2) == 0 {
				p.LegalAgreementAreas = []string{"Stanion"}
			}
			env.Rules.Complete(&p)
			first := bidding.CheckNone
			for _, o := range l.Evaluate(&p) {
				if !o.Pass {
					first = o.Check
					break
				}
			}
			require.Equal(t, first, l.Eligible(&p), "advert %+v profile %+v", ad, p)
		}
	}
}
