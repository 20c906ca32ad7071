// Package synth generates seeded, reproducible synthetic registers and supply for the
// demo, the benchmarks and the policy simulator: applications calibrated to
// shared/reference/evidence.md §3, landlords, weekly cycles, adverts and the bids of each
// cycle.
//
// Every parameter is data in Config with a documented default (Defaults); docs/synthetic.md
// gives each distribution's source. The same Config (Seed included) always gives
// byte-identical output, whatever the number of CPUs: work is split into fixed-size chunks,
// each with its own random stream derived from the seed.
package synth

import (
	"fmt"
	"math"

	"github.com/cbl-lettings/cbl/register"
)

// Share is one weighted choice of a categorical distribution. Weights need not sum to 1.
type Share struct {
	Key    string  `json:"key"`
	Weight float64 `json:"weight"`
}

// AgeRange is a weighted range of ages in whole years, inclusive.
type AgeRange struct {
	Min    int     `json:"min"`
	Max    int     `json:"max"`
	Weight float64 `json:"weight"`
}

// Config is every parameter of a synthetic register. It is plain data and round-trips
// through JSON.
type Config struct {
	// Seed fixes every random choice.
	Seed uint64 `json:"seed"`
	// Policy is the built-in policy the register is assessed under.
	Policy string `json:"policy"`
	// AsOf is the snapshot date: registrations fall before it, the first cycle opens on
	// the first opening weekday on or after it.
	AsOf      register.Date `json:"as_of"`
	Register  RegisterMix   `json:"register"`
	Supply    SupplyMix     `json:"supply"`
	Behaviour Behaviour     `json:"behaviour"`
}

// RegisterMix shapes the applications (evidence.md §3.1, §3.2).
type RegisterMix struct {
	Applications    int `json:"applications"`
	JoinersPerMonth int `json:"joiners_per_month"`
	// HistoryYears bounds how long ago anyone on the register joined.
	HistoryYears int `json:"history_years"`
	// PendingDays: applications registered this recently are still pending a decision.
	PendingDays int `json:"pending_days"`
	// SuspendedShare of the rest are suspended (e.g. renewal overdue).
	SuspendedShare float64 `json:"suspended_share"`
	// Bands is the target band mix of qualifying applications, keys "A".."E". Each
	// application is given the facts of one criterion of its target band.
	Bands []Share `json:"bands"`
	// JoinerBands is the target band mix of new joiners (Joiners), keys "A".."E": the
	// flow onto the register, not its stock. Urgent bands are housed fast, so they are a
	// larger share of the flow than of the stock; drawing joiners with Bands drains
	// Band A. Empty: joiners use Bands.
	JoinerBands []Share `json:"joiner_bands,omitempty"`
	// Criteria lists, per band, how often each of the band's criteria (nn-2021
	// criterion ids) is the one the application meets. Households are drawn until one
	// can meet the criterion (overcrowding needs a family, sharing without dependants
	// needs none), so households and needs go together.
	Criteria map[string][]Share `json:"criteria"`
	// NonQualifyingShare of applications fail a qualification rule on purpose;
	// NonQualifying weights which (nn-2021 qualification rule codes).
	NonQualifyingShare float64 `json:"non_qualifying_share"`
	NonQualifying      []Share `json:"non_qualifying"`
	// OldDebtShare of qualifying applications had housing debt more than 5 years ago.
	OldDebtShare float64 `json:"old_debt_share"`
	// Households is the household mix: single, couple, single_parent, couple_family,
	// pregnant (no children yet), adults (applicant and adult relatives).
	Households []Share `json:"households"`
	// Children is the weight of 1, 2, 3, 4 and 5 children in a family.
	Children []float64 `json:"children"`
	// FamilyPregnancyShare of families also have a confirmed pregnancy.
	FamilyPregnancyShare float64 `json:"family_pregnancy_share"`
	// ApplicantAges is the main applicant's age mix for households without children.
	ApplicantAges []AgeRange `json:"applicant_ages"`
	// ParentAges is the main applicant's age mix for families.
	ParentAges []AgeRange `json:"parent_ages"`
	// FemaleShare of main applicants (single parents: SingleParentFemaleShare).
	FemaleShare             float64 `json:"female_share"`
	SingleParentFemaleShare float64 `json:"single_parent_female_share"`
	// Areas weights the policy's autobid areas by id; unnamed areas get the mean weight.
	Areas []Share `json:"areas"`
	// MainLocalityShare of an area's applications and adverts are in its first locality.
	MainLocalityShare float64 `json:"main_locality_share"`
	// LegalAgreementAreas are the S106 / village exception areas, keyed by name with the
	// locality they are in.
	LegalAgreementAreas []LegalAgreementArea `json:"legal_agreement_areas"`
	// LegalAgreementShare of applications not in Band E for it still have a connection.
	LegalAgreementShare float64 `json:"legal_agreement_share"`
	// ExemptNoConnectionShare of qualifying applications lack a local connection but are
	// exempt (armed forces, domestic abuse, care leaver, Right to Move).
	ExemptNoConnectionShare float64 `json:"exempt_no_connection_share"`
	// Flag rates among all applications.
	ArmedForcesShare float64 `json:"armed_forces_share"`
	WorkingShare     float64 `json:"working_share"`
	ConnectedShare   float64 `json:"connected_share"`
	// ShelteredOver: applicants this old or older are sheltered-eligible with
	// ShelteredOverShare probability.
	ShelteredOver      int     `json:"sheltered_over"`
	ShelteredOverShare float64 `json:"sheltered_over_share"`
	// UnderOccupyShare of households with no overcrowding have a bedroom more than need.
	UnderOccupyShare float64 `json:"under_occupy_share"`
	// ExtraMedicalShare of applications below their band's medical level also have a
	// lower-level medical assessment (a second criterion, not a higher band).
	ExtraMedicalShare float64 `json:"extra_medical_share"`
	// PendingMedicalShare of applications have a medical assessment still pending.
	PendingMedicalShare float64 `json:"pending_medical_share"`
	// Mobility needs: shares of level-access and wheelchair.
	LevelAccessShare float64 `json:"level_access_share"`
	WheelchairShare  float64 `json:"wheelchair_share"`
	// CarerBedroomShare of high and urgent medical assessments award an extra bedroom.
	CarerBedroomShare float64 `json:"carer_bedroom_share"`
	// LateMedicalShare of medical assessments were decided after registration (a band
	// move up in the history).
	LateMedicalShare float64 `json:"late_medical_share"`
	// Monitoring is the equality monitoring mix (register.Monitoring); no rule reads it.
	Monitoring MonitoringMix `json:"monitoring"`
}

// LegalAgreementArea is an S106 / village exception area and the locality it is in.
type LegalAgreementArea struct {
	Name     string `json:"name"`
	Locality string `json:"locality"`
}

// SupplyMix shapes landlords and adverts (evidence.md §3.1, §3.3, §3.7).
type SupplyMix struct {
	Landlords      []LandlordSpec `json:"landlords"`
	Cycles         int            `json:"cycles"`
	AdvertsPerWeek int            `json:"adverts_per_week"`
	// Sizes is the advert mix by size: bedsit, 1, 2, 3, 4, 5 (bedrooms).
	Sizes []Share `json:"sizes"`
	// Types, per size key, is the property type mix.
	Types map[string][]Share `json:"types"`
	// ShelteredShare of 1- and 2-bedroom flats and bungalows are sheltered;
	// ShelteredMin60Share of those carry a minimum age of 60 (the rest the policy default).
	ShelteredShare      float64 `json:"sheltered_share"`
	ShelteredMin60Share float64 `json:"sheltered_min60_share"`
	LevelAccessShare    float64 `json:"level_access_share"`
	WheelchairShare     float64 `json:"wheelchair_share"`
	// GardenFlatShare of ground-floor flats and maisonettes have a garden.
	GardenFlatShare     float64 `json:"garden_flat_share"`
	LegalAgreementShare float64 `json:"legal_agreement_share"`
	LocalLettingsShare  float64 `json:"local_lettings_share"`
	FCFSShare           float64 `json:"fcfs_share"`
	WithdrawnShare      float64 `json:"withdrawn_share"`
	// HousingAssociationUplift raises housing associations' rents by this fraction.
	HousingAssociationUplift float64 `json:"housing_association_rent_uplift"`
	// Rents, per size key, is the weekly rent range in pounds.
	Rents map[string][2]float64 `json:"rents"`
}

// LandlordSpec is one landlord and its share of adverts.
type LandlordSpec struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	Council         bool    `json:"council,omitempty"`
	NominationShare int     `json:"nomination_share"`
	AdvertShare     float64 `json:"advert_share"`
}

// Behaviour is who bids on what, and the rates the simulator uses for offers and changes.
type Behaviour struct {
	// BidShare, per band key, is the chance an active application bids in a cycle. Band A
	// has no manual bids: autobid bids for it.
	BidShare []Share `json:"bid_share"`
	// NeedActivity multiplies BidShare by bedroom need: 1, 2, 3 and 4 or more.
	NeedActivity []float64 `json:"need_activity"`
	// LargerSizeShare of bids by households allowed a size above their need go on it;
	// the rest go on homes of exactly their need.
	LargerSizeShare float64 `json:"larger_size_share"`
	// BidsPerBidder weights 1, 2 and 3 bids (the policy's cap still applies).
	BidsPerBidder []float64 `json:"bids_per_bidder"`
	// PopularitySigma is the spread of each advert's log-normal appeal: the heavy tail.
	PopularitySigma float64 `json:"popularity_sigma"`
	// TypeAppeal multiplies appeal by property type; UpperFloorAppeal per floor above 1.
	TypeAppeal       []Share `json:"type_appeal"`
	UpperFloorAppeal float64 `json:"upper_floor_appeal"`
	// OtherAreaShare of bids go outside the household's own area.
	OtherAreaShare float64 `json:"other_area_share"`
	// WrongSizeShare, WrongTypeShare and UnderAgeShare of bids go on adverts the
	// shortlist will skip (bedroom_mismatch, property_type, age_restriction).
	WrongSizeShare float64 `json:"wrong_size_share"`
	WrongTypeShare float64 `json:"wrong_type_share"`
	UnderAgeShare  float64 `json:"under_age_share"`
	// ShelteredPreference: chance an eligible household bids on sheltered homes.
	ShelteredPreference float64 `json:"sheltered_preference"`
	// InactiveBidShare: chance a suspended application still bids (skipped not_active).
	InactiveBidShare float64 `json:"inactive_bid_share"`
	AssistedShare    float64 `json:"assisted_share"`
	WithdrawShare    float64 `json:"withdraw_share"`
	// FrontLoad > 1 puts more bids early in the cycle (placed = opens + window × u^FrontLoad).
	FrontLoad float64 `json:"front_load"`

	// For the multi-cycle simulator: the chance an offer is refused or gets no reply.
	RefusalProbability float64 `json:"refusal_probability"`
	NoReplyProbability float64 `json:"no_reply_probability"`
	// ChangesPerMonth is the chance an application's circumstances change in a month
	// (ChangeCircumstances); ChangeKinds weights the kinds (Change* constants).
	ChangesPerMonth float64 `json:"changes_per_month"`
	ChangeKinds     []Share `json:"change_kinds"`
	// LeaversPerMonthPercent of applications leave the register each month for reasons
	// of their own (Leavers).
	LeaversPerMonthPercent float64 `json:"leavers_per_month_percent"`
}

// Validate reports the first parameter that cannot generate a register.
func (c *Config) Validate() error {
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("synth config: %s = %v: %s", field, v, why)
	}
	r, s := &c.Register, &c.Supply
	switch {
	case c.Policy == "":
		return bad("policy", `""`, "name a built-in policy")
	case c.AsOf.IsZero():
		return bad("as_of", `""`, "set the snapshot date")
	case r.Applications < 0:
		return bad("register.applications", r.Applications, "must not be negative")
	case r.Applications > 0 && r.JoinersPerMonth <= 0:
		return bad("register.joiners_per_month", r.JoinersPerMonth, "must be positive")
	case r.HistoryYears < 1:
		return bad("register.history_years", r.HistoryYears, "must be at least 1")
	case len(r.Children) == 0:
		return bad("register.children", r.Children, "give at least one weight")
	case s.Cycles < 0:
		return bad("supply.cycles", s.Cycles, "must not be negative")
	case s.AdvertsPerWeek < 0:
		return bad("supply.adverts_per_week", s.AdvertsPerWeek, "must not be negative")
	case s.AdvertsPerWeek > 0 && len(s.Landlords) == 0:
		return bad("supply.landlords", "[]", "adverts need at least one landlord")
	case len(c.Behaviour.BidsPerBidder) == 0:
		return bad("behaviour.bids_per_bidder", "[]", "give at least one weight")
	}
	if l := c.Behaviour.LeaversPerMonthPercent; l < 0 || l > 100 || math.IsNaN(l) {
		return bad("behaviour.leavers_per_month_percent", l, "must be a percentage from 0 to 100")
	}
	for _, l := range []struct {
		field string
		xs    []Share
	}{{"register.bands", r.Bands}, {"register.households", r.Households}, {"supply.sizes", s.Sizes}} {
		if err := checkShares(l.field, l.xs); err != nil {
			return err
		}
	}
	if err := r.Monitoring.validate(); err != nil {
		return err
	}
	if len(r.JoinerBands) > 0 {
		if err := checkShares("register.joiner_bands", r.JoinerBands); err != nil {
			return err
		}
		for i, x := range r.JoinerBands {
			if b, err := register.ParseBand(x.Key); err != nil || b == register.NoBand {
				return fmt.Errorf("synth config: register.joiner_bands[%d] = %q: want A, B, C, D or E", i, x.Key)
			}
		}
	}
	for _, v := range []struct {
		field string
		p     float64
	}{
		{"register.suspended_share", r.SuspendedShare}, {"register.non_qualifying_share", r.NonQualifyingShare},
		{"register.old_debt_share", r.OldDebtShare}, {"register.family_pregnancy_share", r.FamilyPregnancyShare},
		{"register.female_share", r.FemaleShare}, {"register.main_locality_share", r.MainLocalityShare},
		{"register.legal_agreement_share", r.LegalAgreementShare}, {"register.level_access_share", r.LevelAccessShare},
		{"register.wheelchair_share", r.WheelchairShare}, {"supply.sheltered_share", s.ShelteredShare},
		{"supply.fcfs_share", s.FCFSShare}, {"behaviour.other_area_share", c.Behaviour.OtherAreaShare},
		{"behaviour.wrong_size_share", c.Behaviour.WrongSizeShare}, {"behaviour.refusal_probability", c.Behaviour.RefusalProbability},
		{"behaviour.larger_size_share", c.Behaviour.LargerSizeShare}, {"behaviour.wrong_type_share", c.Behaviour.WrongTypeShare},
		{"behaviour.under_age_share", c.Behaviour.UnderAgeShare}, {"behaviour.no_reply_probability", c.Behaviour.NoReplyProbability},
		{"supply.level_access_share", s.LevelAccessShare}, {"supply.wheelchair_share", s.WheelchairShare},
		{"supply.legal_agreement_share", s.LegalAgreementShare}, {"supply.local_lettings_share", s.LocalLettingsShare},
		{"supply.withdrawn_share", s.WithdrawnShare}, {"register.pending_medical_share", r.PendingMedicalShare},
		{"behaviour.changes_per_month", c.Behaviour.ChangesPerMonth},
	} {
		if v.p < 0 || v.p > 1 || math.IsNaN(v.p) {
			return bad(v.field, v.p, "must be a probability from 0 to 1")
		}
	}
	return nil
}

func checkShares(field string, xs []Share) error {
	total := 0.0
	for i, x := range xs {
		if x.Weight < 0 || math.IsNaN(x.Weight) {
			return fmt.Errorf("synth config: %s[%d] (%s) = %v: weight must not be negative", field, i, x.Key, x.Weight)
		}
		total += x.Weight
	}
	if total <= 0 {
		return fmt.Errorf("synth config: %s: weights must sum to more than 0", field)
	}
	return nil
}
