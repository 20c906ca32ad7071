// Package snapshottest provides snapshots for tests of code that reads, writes or
// stores them.
package snapshottest

import (
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/shopspring/decimal"
)

func ptr[T any](v T) *T { return &v }

// Full returns a snapshot in which every field of every type holds a non-zero value, so a
// round trip through the files proves each field has a column.
func Full() *snapshot.Snapshot {
	d := register.MustDate
	tm := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return &snapshot.Snapshot{
		Applications: []register.Application{{
			ID: 7, Registered: d("2020-02-29"), Status: register.StatusClosed,
			StatusReason: `two counted refusals, "final"`, StatusUntil: d("2026-01-31"),
			Members: []register.Member{
				{Name: "Zoë O'Neil, Jr", Born: d("1980-01-01"), Sex: register.Female, Relationship: register.RelApplicant,
					Joint: true, PregnancyDue: d("2026-05-01")},
				{Name: "Ned", Born: d("2019-12-31"), Sex: register.Male, Relationship: register.RelChild,
					Joint: true, PregnancyDue: d("2030-01-01")},
			},
			Home: register.CurrentHome{Bedrooms: 2, Tenure: register.TenureTemporary, Homeowner: true,
				SharingFacilities: true, Disrepair: true},
			Connection: register.LocalConnection{NN: true, RightToMove: true,
				LegalAgreementAreas: []string{"Stanion", "Great Addington"}},
			Flags: register.Flags{ImmigrationIneligible: true, HomelessDuty: register.DutyRelief,
				ArmedForces: true, CareLeaver: true, CareLeaverNNC: true, AdultSocialCareMoveOn: true,
				DomesticAbuse: true, ShelteredEligible: true, Connected: true, Guarantor: true,
				UnacceptableBehaviour: true, ExceptionalCircumstances: true, Working: true},
			Debt:     register.HousingDebt{Amount: decimal.RequireFromString("1234.56"), LastOwed: d("2024-12-31")},
			Mobility: register.MobilityWheelchair,
			Area:     "corby",
			Monitoring: register.Monitoring{EthnicGroup: register.EthnicBlackAfrican, Disability: register.DisabilityYes,
				EconomicStatus: register.EconPartTime},
			Medical: []register.MedicalAssessment{{
				ID: 3, Requested: d("2025-01-01"), Assessed: d("2025-01-02"), Assessor: "Dr Who",
				Conditions: []register.Condition{{Name: "asthma\nsevere", Severity: 2, Impact: 3}},
				Restrictions: register.Restrictions{GroundFloorOrLift: true, LevelAccess: true,
					Wheelchair: true, ExtraBedrooms: 1},
			}},
			History: []register.BandSpell{{Band: register.BandB, From: d("2020-02-29"), To: d("2021-03-01"),
				Effective: d("2020-01-01"), Reason: "medical_high", By: "officer"}},
			Refusals: []register.Refusal{{Advert: 99, On: d("2025-06-01"), Kind: register.RefusedNoReply,
				Counted: true, Final: true, By: "kp"}},
			Overrides: []register.Override{{Kind: register.OverrideSetBand, Band: register.BandA,
				Criterion: "x", Effective: d("2020-03-01"), Reason: "panel", By: "kp",
				On: d("2020-03-02"), Removed: d("2020-04-01")}},
		}},
		Landlords: []bidding.Landlord{{ID: "ha", Name: "HA, Ltd", Council: true, NominationShare: 60}},
		Cycles: []bidding.Cycle{{ID: 5, Opens: tm("2025-11-06T00:00:00Z"),
			Closes: tm("2025-11-11T23:59:59.123456789Z"), Policy: "nn-2021@1"}},
		Adverts: []bidding.Advert{{
			ID: 11, Cycle: 5, Landlord: "ha", Locality: "Corby", Bedrooms: 2, BedSpaces: 3, Type: "house",
			Garden: true, Floor: 1, Lift: true, Access: bidding.AccessLevel, Sheltered: true, MinAge: 55,
			MaxAge: 90, LegalAgreementArea: "Stanion",
			LocalLettings: []bidding.LocalLetting{{Label: "workers", Fact: "working", Is: ptr(false),
				Gte: ptr(0), Lte: ptr(-1), Value: "v"}},
			Ordering: bidding.OrderFCFS, WeeklyRent: decimal.RequireFromString("99.90"),
			Closes: tm("2025-11-11T23:59:00+01:00"), Withdrawn: true,
		}},
		Bids: []bidding.Bid{{Application: 7, Advert: 11, Placed: tm("2025-11-07T10:00:00.5Z"),
			Autobid: true, Withdrawn: tm("2025-11-08T10:00:00Z"), By: "autobid"}},
		Bases: []snapshot.Base{{Application: 7, Decision: 3, Status: register.StatusSuspended,
			StatusReason: "review, pending", StatusUntil: d("2025-07-01"),
			History: []register.BandSpell{{Band: register.BandC, From: d("2020-02-29"), To: d("2020-06-01"),
				Effective: d("2020-02-29"), Reason: "registration", By: "import"}},
			Refusals: []register.Refusal{{Advert: 98, On: d("2025-05-01"), Kind: register.RefusedNoView,
				Counted: true, Final: true, By: "jb"}},
			Overrides: []register.Override{{Kind: register.OverrideWithdrawCriterion, Band: register.BandD,
				Criterion: "homeless_main", Effective: d("2020-03-05"), Reason: "duty ended", By: "jb",
				On: d("2020-03-06"), Removed: d("2020-05-01")}},
		}},
	}
}
