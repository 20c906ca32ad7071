package synth

import (
	"fmt"

	"github.com/cbl-lettings/cbl/register"
)

// Defaults returns the Keyways-scale configuration: about 7,000 applications, 500 joiners
// a month and 30 adverts a week under nn-2021, seed 1. docs/synthetic.md gives the source
// of every value.
func Defaults() Config {
	return Config{
		Seed:   1,
		Policy: "nn-2021",
		AsOf:   register.NewDate(2025, 4, 1),
		Register: RegisterMix{
			Applications:    7000,
			JoinersPerMonth: 500,
			HistoryYears:    6,
			PendingDays:     14,
			SuspendedShare:  0.01,
			Bands: []Share{
				{"A", 0.04}, {"B", 0.125}, {"C", 0.30}, {"D", 0.405}, {"E", 0.13},
			},
			JoinerBands: []Share{
				{"A", 0.18}, {"B", 0.11}, {"C", 0.25}, {"D", 0.34}, {"E", 0.12},
			},
			Criteria: map[string][]Share{
				"A": {{"homeless_main_duty", 0.70}, {"medical_urgent", 0.18}, {"severe_disrepair", 0.12}},
				"B": {{"homeless_prevention_relief", 0.35}, {"domestic_abuse", 0.15}, {"medical_high", 0.20},
					{"overcrowded_two", 0.15}, {"care_leaver_nnc", 0.08}, {"adult_social_care_move_on", 0.07}},
				"C": {{"overcrowded_one", 0.45}, {"medical_medium", 0.30}, {"sharing_with_dependants", 0.25}},
				"D": {{"sharing_no_dependants", 0.70}, {"medical_low", 0.30}},
				"E": {{"sheltered_no_need", 0.70}, {"legal_agreement_no_need", 0.30}},
			},
			NonQualifyingShare: 0.02,
			NonQualifying: []Share{
				{"housing_debt", 0.50}, {"no_local_connection", 0.20}, {"homeowner", 0.15},
				{"unacceptable_behaviour", 0.10}, {"immigration_ineligible", 0.05},
			},
			OldDebtShare: 0.01,
			Households: []Share{
				{"single", 0.35}, {"couple", 0.07}, {"single_parent", 0.27}, {"couple_family", 0.22},
				{"pregnant", 0.03}, {"adults", 0.055},
			},
			Children:                []float64{0.25, 0.34, 0.23, 0.12, 0.06},
			FamilyPregnancyShare:    0.05,
			ApplicantAges:           []AgeRange{{17, 17, 0.005}, {18, 24, 0.18}, {25, 44, 0.38}, {45, 64, 0.27}, {65, 90, 0.165}},
			ParentAges:              []AgeRange{{18, 24, 0.15}, {25, 34, 0.40}, {35, 44, 0.32}, {45, 55, 0.13}},
			FemaleShare:             0.55,
			SingleParentFemaleShare: 0.88,
			Areas: []Share{
				{"corby", 0.23}, {"kettering", 0.29}, {"wellingborough", 0.23}, {"east-northamptonshire", 0.25},
			},
			MainLocalityShare: 0.55,
			LegalAgreementAreas: []LegalAgreementArea{
				{"Gretton village exception site", "Gretton"},
				{"Broughton S106", "Broughton"},
				{"Wollaston village exception site", "Wollaston"},
				{"Raunds S106", "Raunds"},
			},
			LegalAgreementShare:     0.02,
			ExemptNoConnectionShare: 0.02,
			ArmedForcesShare:        0.02,
			WorkingShare:            0.35,
			ConnectedShare:          0.005,
			ShelteredOver:           60,
			ShelteredOverShare:      0.5,
			UnderOccupyShare:        0.15,
			ExtraMedicalShare:       0.08,
			PendingMedicalShare:     0.03,
			LevelAccessShare:        0.05,
			WheelchairShare:         0.015,
			CarerBedroomShare:       0.05,
			LateMedicalShare:        0.4,
			Monitoring:              defaultMonitoring(),
		},
		Supply: SupplyMix{
			Landlords: []LandlordSpec{
				{ID: "nnc", Name: "North Northamptonshire Council", Council: true, NominationShare: 100, AdvertShare: 0.40},
				{ID: "ha-nene", Name: "Nene Valley Homes (synthetic)", NominationShare: 100, AdvertShare: 0.25},
				{ID: "ha-ise", Name: "Ise Housing Trust (synthetic)", NominationShare: 75, AdvertShare: 0.15},
				{ID: "ha-welland", Name: "Welland Living (synthetic)", NominationShare: 50, AdvertShare: 0.12},
				{ID: "ha-rockingham", Name: "Rockingham Forest HA (synthetic)", NominationShare: 100, AdvertShare: 0.08},
			},
			Cycles:         1,
			AdvertsPerWeek: 30,
			Sizes: []Share{
				{"bedsit", 0.059}, {"1", 0.511}, {"2", 0.274}, {"3", 0.137}, {"4", 0.013}, {"5", 0.006},
			},
			Types: map[string][]Share{
				"bedsit": {{"bedsit", 1}},
				"1":      {{"flat", 0.72}, {"maisonette", 0.04}, {"bungalow", 0.22}, {"house", 0.02}},
				"2":      {{"flat", 0.38}, {"maisonette", 0.10}, {"house", 0.42}, {"bungalow", 0.10}},
				"3":      {{"house", 0.90}, {"maisonette", 0.05}, {"flat", 0.05}},
				"4":      {{"house", 1}},
				"5":      {{"house", 1}},
			},
			ShelteredShare:           0.22,
			ShelteredMin60Share:      0.3,
			LevelAccessShare:         0.08,
			WheelchairShare:          0.02,
			GardenFlatShare:          0.3,
			LegalAgreementShare:      0.03,
			LocalLettingsShare:       0.03,
			FCFSShare:                0.02,
			WithdrawnShare:           0.01,
			HousingAssociationUplift: 0.05,
			Rents: map[string][2]float64{
				"bedsit": {82, 92}, "1": {85, 105}, "2": {98, 120}, "3": {110, 135}, "4": {125, 145}, "5": {135, 150},
			},
		},
		Behaviour: Behaviour{
			BidShare:         []Share{{"A", 0}, {"B", 0.30}, {"C", 0.22}, {"D", 0.14}, {"E", 0.10}},
			NeedActivity:     []float64{1.6, 0.65, 0.8, 0.8},
			LargerSizeShare:  0.10,
			BidsPerBidder:    []float64{0.30, 0.30, 0.40},
			PopularitySigma:  0.9,
			TypeAppeal:       []Share{{"bedsit", 0.5}, {"flat", 1}, {"maisonette", 0.8}, {"house", 1.6}, {"bungalow", 1.4}},
			UpperFloorAppeal: 0.75,
			OtherAreaShare:   0.15,
			WrongSizeShare:   0.04,
			WrongTypeShare:   0.03,
			UnderAgeShare:    0.01,

			ShelteredPreference: 0.6,
			InactiveBidShare:    0.1,
			AssistedShare:       0.05,
			WithdrawShare:       0.03,
			FrontLoad:           2,

			RefusalProbability: 0.15,
			NoReplyProbability: 0.03,
			ChangesPerMonth:    0.02,
			ChangeKinds: []Share{
				{ChangeMedical, 0.35}, {ChangeBirth, 0.10}, {ChangeHomeless, 0.15},
				{ChangeResolved, 0.25}, {ChangeDebt, 0.03}, {ChangeArea, 0.12},
			},
			LeaversPerMonthPercent: 4.0,
		},
	}
}

// Keyways is the North Northamptonshire scale (evidence.md §3.1): the defaults.
func Keyways() Config { return Defaults() }

// Birmingham is a large single-council scale: 24,000 applications and 50 adverts a week.
func Birmingham() Config {
	c := Defaults()
	c.Register.Applications = 24000
	c.Register.JoinersPerMonth = 1700
	c.Supply.AdvertsPerWeek = 50
	// Fewer homes per household than Keyways (50 a week for 24,000, not 30 for 7,000):
	// Band A is let fewer homes a year, so fewer of the joiners may be in it for the band
	// to hold steady (docs/synthetic.md, "Joiners: the flow, not the stock").
	c.Register.JoinerBands = []Share{{"A", 0.10}, {"B", 0.12}, {"C", 0.28}, {"D", 0.37}, {"E", 0.13}}
	return c
}

// England is the national scale (evidence.md §3.7): 1.34 million households on registers
// and 5,000 adverts a week, drawing about half a million bids a cycle. It runs under the
// synthetic policy england-synthetic (nn-2021 with one autobid area per housing
// authority, 300 of them, equally weighted), so a Band A household is autobid within its
// own authority as it would be under its own council's scheme, not across a quarter of
// the country; one authority in ten has a legal-agreement area in its third locality.
func England() Config {
	c := Defaults()
	c.Policy = "england-synthetic"
	c.Register.Applications = 1340000
	c.Register.JoinersPerMonth = 95000
	c.Register.Areas = nil
	c.Register.LegalAgreementAreas = nil
	for i := 1; i <= 300; i += 10 {
		c.Register.LegalAgreementAreas = append(c.Register.LegalAgreementAreas, LegalAgreementArea{
			Name: fmt.Sprintf("Authority %03d village exception site", i), Locality: fmt.Sprintf("Authority %03d East", i)})
	}
	c.Supply.AdvertsPerWeek = 5000
	return c
}
