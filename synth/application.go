package synth

import (
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/shopspring/decimal"
)

// realisable maps each nn-2021 criterion the generator can give a household to the
// medical level it implies ("" when it is not a medical criterion).
var realisable = map[string]string{
	"homeless_main_duty": "", "medical_urgent": "urgent", "severe_disrepair": "",
	"care_leaver_nnc": "", "adult_social_care_move_on": "", "medical_high": "high",
	"overcrowded_two": "", "domestic_abuse": "", "homeless_prevention_relief": "",
	"medical_medium": "medium", "overcrowded_one": "", "sharing_with_dependants": "",
	"medical_low": "low", "sharing_no_dependants": "",
	"sheltered_no_need": "", "legal_agreement_no_need": "",
}

func realisableNames() string {
	names := make([]string, 0, len(realisable))
	for n := range realisable {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// nonQualifyingCodes are the nn-2021 qualification rules the generator can break on purpose.
var nonQualifyingCodes = map[string]bool{
	"housing_debt": true, "no_local_connection": true, "homeowner": true,
	"unacceptable_behaviour": true, "immigration_ineligible": true,
}

// application fills in *a as application id, deterministic in r, and returns its
// assessment on the snapshot date when it has a band history (ok false otherwise).
func (g *gen) application(r *rand.Rand, id int64, a *register.Application) (last banding.Assessment, ok bool) {
	mix := &g.cfg.Register
	asOf := g.asOf
	*a = register.Application{ID: id, Status: register.StatusActive, Mobility: register.MobilityNone}
	a.Connection.NN = true

	nonQual := ""
	if chance(r, mix.NonQualifyingShare) {
		nonQual = g.nonQualifying.draw(r)
	}
	target := register.BandD
	if b, err := register.ParseBand(g.bands.draw(r)); err == nil && b != register.NoBand {
		target = b
	}
	// The criterion comes first and the household is drawn until it can meet it, so
	// households and needs go together as they do on a register: overcrowding and
	// sharing with children are families' needs, sharing without dependants and
	// sheltered-only need are single people's and couples'.
	crit := g.criteria[target].draw(r)
	if crit == "" {
		crit = g.fallback[target]
	}
	var kind string
	var need int
	var children bool
	for try := 0; ; try++ {
		kind = g.households.draw(r)
		if !kindCan(crit, kind) && try < maxHouseholdTries {
			continue
		}
		a.Members = g.members(r, kind)
		bd := banding.BedroomNeed(a.Members, &g.p.Bedrooms, asOf)
		children, need = bd.DependentChildren, bd.Need
		if feasible(crit, kind, need, children) {
			break
		}
		if try == maxHouseholdTries {
			crit = g.fallback[target]
			break
		}
	}
	level := realisable[crit]

	// Older applicants in E for sheltered housing, young ones for care leavers' move-on.
	switch crit {
	case "sheltered_no_need":
		age := 55 + r.IntN(31)
		a.Members[0].Born = bornAged(r, asOf, age)
		for i := 1; i < len(a.Members); i++ {
			if a.Members[i].Relationship == register.RelPartner {
				a.Members[i].Born = bornAged(r, asOf, max(55, age+r.IntN(9)-4))
			}
		}
	case "care_leaver_nnc":
		a.Members[0].Born = bornAged(r, asOf, 18+r.IntN(4))
	}
	age := asOf.YearsSince(a.Members[0].Born)

	// Registration date: an exponential stay, no earlier than the applicant's 16th birthday.
	if g.joinFrom.IsZero() {
		a.Registered = asOf.AddDays(-g.registrationAgeDays(r.Float64()))
	} else {
		a.Registered = g.joinFrom.AddDays(r.IntN(int(asOf - g.joinFrom)))
	}
	if sixteen := a.Members[0].Born.AddMonths(16 * 12); a.Registered < sixteen {
		a.Registered = sixteen
	}

	// Medical assessments: the criterion's level, or a lower one as a second criterion.
	if level == "" && chance(r, mix.ExtraMedicalShare) {
		level = lowerLevel(r, target)
	}
	if level != "" {
		ma := g.medicalAssessment(r, medicalID(id, 1), level, a.Registered)
		if (level == "high" || level == "urgent") && chance(r, mix.CarerBedroomShare) && crit != "sheltered_no_need" {
			ma.Restrictions.ExtraBedrooms = 1
			need++
		}
		a.Medical = append(a.Medical, ma)
	}
	if chance(r, mix.PendingMedicalShare) {
		req := asOf.AddDays(-r.IntN(40))
		if req < a.Registered {
			req = a.Registered
		}
		a.Medical = append(a.Medical, register.MedicalAssessment{ID: medicalID(id, len(a.Medical)+1), Requested: req})
	}
	if chance(r, mix.WheelchairShare) {
		a.Mobility = register.MobilityWheelchair
	} else if chance(r, mix.LevelAccessShare) {
		a.Mobility = register.MobilityLevelAccess
	}
	if len(a.Medical) > 0 && !a.Medical[0].Pending() {
		switch a.Mobility {
		case register.MobilityWheelchair:
			a.Medical[0].Restrictions.Wheelchair = true
		case register.MobilityLevelAccess:
			a.Medical[0].Restrictions.LevelAccess = true
		}
	}

	// Home: enough bedrooms unless the criterion is overcrowding.
	a.Home.Bedrooms = need
	if chance(r, mix.UnderOccupyShare) {
		a.Home.Bedrooms++
	}
	a.Home.Tenure = pickTenure(r, register.TenureSocial, 0.45, register.TenurePrivate, 0.45, register.TenureFamily, 0.10)
	if children && a.Home.Tenure == register.TenureFamily {
		a.Home.Tenure = register.TenurePrivate // with family and children is no recognised need
	}
	switch crit {
	case "homeless_main_duty":
		a.Flags.HomelessDuty = register.DutyMain
		if chance(r, 0.85) {
			a.Home.Tenure = register.TenureTemporary
			a.Home.Bedrooms = max(1, need-r.IntN(2))
		} else {
			a.Home.Tenure = register.TenureFamily
		}
	case "severe_disrepair":
		a.Home.Disrepair = true
		a.Home.Tenure = pickTenure(r, register.TenurePrivate, 0.7, register.TenureSocial, 0.3, "", 0)
	case "homeless_prevention_relief":
		a.Flags.HomelessDuty = register.DutyPrevention
		if chance(r, 0.5) {
			a.Flags.HomelessDuty = register.DutyRelief
		}
		a.Home.Tenure = pickTenure(r, register.TenurePrivate, 0.6, register.TenureFamily, 0.3, register.TenureNone, 0.1)
	case "domestic_abuse":
		a.Flags.DomesticAbuse = true
	case "care_leaver_nnc":
		a.Flags.CareLeaverNNC = true
		a.Home.Tenure = register.TenurePrivate
	case "adult_social_care_move_on":
		a.Flags.AdultSocialCareMoveOn = true
		a.Home.Tenure = register.TenureFamily
	case "overcrowded_two":
		a.Home.Bedrooms = need - 2
		a.Home.Tenure = pickTenure(r, register.TenureSocial, 0.5, register.TenurePrivate, 0.5, "", 0)
	case "overcrowded_one":
		a.Home.Bedrooms = need - 1
		a.Home.Tenure = pickTenure(r, register.TenureSocial, 0.5, register.TenurePrivate, 0.5, "", 0)
	case "sharing_with_dependants":
		a.Home.SharingFacilities = true
		a.Home.Tenure = pickTenure(r, register.TenurePrivate, 0.5, register.TenureFamily, 0.5, "", 0)
	case "sharing_no_dependants":
		if chance(r, 0.5) {
			a.Home.SharingFacilities = true
			a.Home.Tenure = register.TenurePrivate
		} else {
			a.Home.Tenure = register.TenureFamily
		}
	case "sheltered_no_need":
		a.Flags.ShelteredEligible = true
		a.Home.Tenure = pickTenure(r, register.TenureSocial, 0.5, register.TenurePrivate, 0.35, register.TenureOwner, 0.15)
		a.Home.Homeowner = a.Home.Tenure == register.TenureOwner
	case "legal_agreement_no_need":
		a.Home.Tenure = pickTenure(r, register.TenureSocial, 0.5, register.TenurePrivate, 0.5, "", 0)
	}

	// Area, and a Legal Agreement Area connection for some.
	a.Area = g.areas.draw(r)
	if laas := g.laaByArea[a.Area]; len(laas) > 0 && (crit == "legal_agreement_no_need" || chance(r, mix.LegalAgreementShare)) {
		a.Connection.LegalAgreementAreas = []string{laas[r.IntN(len(laas))].Name}
	} else if crit == "legal_agreement_no_need" {
		a.Connection.LegalAgreementAreas = []string{g.anyLAA(r, a)}
	}

	// Flags that do not change the band under nn-2021.
	if age >= mix.ShelteredOver && chance(r, mix.ShelteredOverShare) {
		a.Flags.ShelteredEligible = true
	}
	a.Flags.ArmedForces = chance(r, mix.ArmedForcesShare)
	a.Flags.Working = age < 67 && chance(r, mix.WorkingShare)
	a.Flags.Connected = chance(r, mix.ConnectedShare)
	a.Flags.Guarantor = age < g.p.Qualification.GuarantorBelowAge && chance(r, 0.8)
	if chance(r, mix.ExemptNoConnectionShare) {
		a.Connection.NN = false
		if !a.Flags.DomesticAbuse && !a.Flags.CareLeaverNNC && !a.Flags.ArmedForces {
			if a.Home.Tenure == register.TenureSocial && chance(r, 0.5) {
				a.Connection.RightToMove = true
			} else {
				a.Flags.ArmedForces = true
			}
		}
	}
	if chance(r, mix.OldDebtShare) {
		a.Debt = register.HousingDebt{
			Amount:   decimal.Zero,
			LastOwed: a.Registered.AddMonths(-61).AddDays(-r.IntN(4 * 365)), // over 5 years before joining
		}
	}

	debtOn := register.Date(0)
	switch nonQual {
	case "housing_debt":
		debtOn = a.Registered.AddDays(r.IntN(int(asOf-a.Registered) + 1))
		a.Debt = register.HousingDebt{Amount: decimal.New(int64(200+r.IntN(2800))*100+int64(r.IntN(100)), -2), LastOwed: debtOn}
	case "no_local_connection":
		a.Connection.NN, a.Connection.RightToMove = false, false
		a.Flags.ArmedForces, a.Flags.DomesticAbuse, a.Flags.CareLeaver, a.Flags.CareLeaverNNC = false, false, false, false
	case "homeowner":
		a.Home.Homeowner = true
		a.Flags.ShelteredEligible, a.Flags.ExceptionalCircumstances = false, false
	case "unacceptable_behaviour":
		a.Flags.UnacceptableBehaviour = true
	case "immigration_ineligible":
		a.Flags.ImmigrationIneligible = true
	}

	switch {
	case asOf-a.Registered < register.Date(mix.PendingDays):
		a.Status = register.StatusPending
	case nonQual != "" && nonQual != "housing_debt":
		a.Status = register.StatusClosed
		a.StatusReason = nonQual
	case chance(r, mix.SuspendedShare):
		a.Status = register.StatusSuspended
		a.StatusReason = "renewal overdue"
	}
	if a.Status != register.StatusPending && (nonQual == "" || nonQual == "housing_debt") {
		a.History, last, ok = g.history(a, debtOn)
	}
	return last, ok
}

// maxHouseholdTries bounds the households drawn for a criterion before falling back to
// the band's medical criterion, which any household can meet.
const maxHouseholdTries = 24

// kindCan is a cheap first check of feasible on the household kind alone.
func kindCan(crit, kind string) bool {
	family := kind == kindSingleParent || kind == kindCoupleFamily || kind == kindPregnant
	switch crit {
	case "overcrowded_one", "overcrowded_two":
		return kind != kindSingle && kind != kindCouple
	case "sharing_with_dependants":
		return family
	case "sharing_no_dependants", "sheltered_no_need":
		return !family
	case "care_leaver_nnc", "adult_social_care_move_on":
		return kind == kindSingle
	}
	return true
}

func feasible(crit, kind string, need int, children bool) bool {
	switch crit {
	case "overcrowded_one":
		return need >= 2
	case "overcrowded_two":
		return need >= 3
	case "sharing_with_dependants":
		return children
	case "sharing_no_dependants", "sheltered_no_need":
		return !children
	case "care_leaver_nnc", "adult_social_care_move_on":
		return kind == kindSingle
	}
	return true
}

func pickTenure(r *rand.Rand, a register.Tenure, pa float64, b register.Tenure, pb float64, c register.Tenure, pc float64) register.Tenure {
	u := r.Float64() * (pa + pb + pc)
	switch {
	case u < pa:
		return a
	case u < pa+pb || c == "":
		return b
	}
	return c
}

// anyLAA is a Legal Agreement Area for a household whose own area has none: the
// household is moved to the first area that has one.
func (g *gen) anyLAA(r *rand.Rand, a *register.Application) string {
	for _, area := range g.areas.keys {
		if laas := g.laaByArea[area]; len(laas) > 0 {
			a.Area = area
			return laas[r.IntN(len(laas))].Name
		}
	}
	return "legal agreement area"
}
