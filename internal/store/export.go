package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// Export reads the whole register in one read-only, repeatable-read transaction (a
// consistent view while others write). The result is in canonical form
// (snapshot.Canonical), so exporting what Import wrote returns s.Canonical().
func Export(ctx context.Context, db *sqlx.DB) (*snapshot.Snapshot, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s := &snapshot.Snapshot{}
	steps := []func(context.Context, *sqlx.Tx, *snapshot.Snapshot) error{
		exportApplications, exportLandlords, exportCycles, exportAdverts, exportBids,
	}
	for _, step := range steps {
		if err := step(ctx, tx, s); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	return s, tx.Commit()
}

type applicationRow struct {
	ID                       int64           `db:"id"`
	Registered               sql.NullTime    `db:"registered"`
	Status                   string          `db:"status"`
	StatusReason             string          `db:"status_reason"`
	StatusUntil              sql.NullTime    `db:"status_until"`
	Area                     string          `db:"area"`
	Mobility                 string          `db:"mobility"`
	HomeBedrooms             int             `db:"home_bedrooms"`
	Tenure                   string          `db:"tenure"`
	Homeowner                bool            `db:"homeowner"`
	SharingFacilities        bool            `db:"sharing_facilities"`
	Disrepair                bool            `db:"disrepair"`
	NNConnection             bool            `db:"nn_connection"`
	RightToMove              bool            `db:"right_to_move"`
	LegalAgreementAreas      pq.StringArray  `db:"legal_agreement_areas"`
	ImmigrationIneligible    bool            `db:"immigration_ineligible"`
	HomelessDuty             string          `db:"homeless_duty"`
	ArmedForces              bool            `db:"armed_forces"`
	CareLeaver               bool            `db:"care_leaver"`
	CareLeaverNNC            bool            `db:"care_leaver_nnc"`
	AdultSocialCareMoveOn    bool            `db:"adult_social_care_move_on"`
	DomesticAbuse            bool            `db:"domestic_abuse"`
	ShelteredEligible        bool            `db:"sheltered_eligible"`
	Connected                bool            `db:"connected"`
	Guarantor                bool            `db:"guarantor"`
	UnacceptableBehaviour    bool            `db:"unacceptable_behaviour"`
	ExceptionalCircumstances bool            `db:"exceptional_circumstances"`
	Working                  bool            `db:"working"`
	DebtAmount               decimal.Decimal `db:"debt_amount"`
	DebtLastOwed             sql.NullTime    `db:"debt_last_owed"`
}

type memberRow struct {
	Application  int64        `db:"application"`
	Name         string       `db:"name"`
	Born         sql.NullTime `db:"born"`
	Sex          string       `db:"sex"`
	Relationship string       `db:"relationship"`
	Joint        bool         `db:"joint"`
	PregnancyDue sql.NullTime `db:"pregnancy_due"`
}

type assessmentRow struct {
	ID                int64        `db:"id"`
	Application       int64        `db:"application"`
	Requested         sql.NullTime `db:"requested"`
	Assessed          sql.NullTime `db:"assessed"`
	Assessor          string       `db:"assessor"`
	GroundFloorOrLift bool         `db:"ground_floor_or_lift"`
	LevelAccess       bool         `db:"level_access"`
	Wheelchair        bool         `db:"wheelchair"`
	ExtraBedrooms     int          `db:"extra_bedrooms"`
}

type conditionRow struct {
	Assessment int64  `db:"assessment"`
	Name       string `db:"name"`
	Severity   int    `db:"severity"`
	Impact     int    `db:"impact"`
}

type spellRow struct {
	Application int64          `db:"application"`
	Band        sql.NullString `db:"band"`
	From        sql.NullTime   `db:"from_date"`
	To          sql.NullTime   `db:"to_date"`
	Effective   sql.NullTime   `db:"effective"`
	Reason      string         `db:"reason"`
	By          string         `db:"recorded_by"`
}

type overrideRow struct {
	Application int64          `db:"application"`
	Kind        string         `db:"kind"`
	Band        sql.NullString `db:"band"`
	Criterion   string         `db:"criterion"`
	Effective   sql.NullTime   `db:"effective"`
	Reason      string         `db:"reason"`
	By          string         `db:"recorded_by"`
	On          sql.NullTime   `db:"made_on"`
	Removed     sql.NullTime   `db:"removed_on"`
}

type refusalRow struct {
	Application int64        `db:"application"`
	Advert      int64        `db:"advert"`
	On          sql.NullTime `db:"refused_on"`
	Kind        string       `db:"kind"`
	Counted     bool         `db:"counted"`
	Final       bool         `db:"final"`
	By          string       `db:"recorded_by"`
}

func exportApplications(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	var apps []applicationRow
	if err := tx.SelectContext(ctx, &apps, `SELECT id, registered, status, status_reason, status_until, area,
		mobility, home_bedrooms, tenure, homeowner, sharing_facilities, disrepair, nn_connection, right_to_move,
		legal_agreement_areas, immigration_ineligible, homeless_duty, armed_forces, care_leaver, care_leaver_nnc,
		adult_social_care_move_on, domestic_abuse, sheltered_eligible, connected, guarantor,
		unacceptable_behaviour, exceptional_circumstances, working, debt_amount, debt_last_owed
		FROM applications ORDER BY id`); err != nil {
		return err
	}
	byID := make(map[int64]*register.Application, len(apps))
	if len(apps) > 0 {
		s.Applications = make([]register.Application, len(apps))
	}
	for i, r := range apps {
		var areas []string
		if len(r.LegalAgreementAreas) > 0 {
			areas = r.LegalAgreementAreas
		}
		s.Applications[i] = register.Application{
			ID: r.ID, Registered: date(r.Registered), Status: register.Status(r.Status),
			StatusReason: r.StatusReason, StatusUntil: date(r.StatusUntil),
			Home: register.CurrentHome{Bedrooms: r.HomeBedrooms, Tenure: register.Tenure(r.Tenure),
				Homeowner: r.Homeowner, SharingFacilities: r.SharingFacilities, Disrepair: r.Disrepair},
			Connection: register.LocalConnection{NN: r.NNConnection, RightToMove: r.RightToMove,
				LegalAgreementAreas: areas},
			Flags: register.Flags{ImmigrationIneligible: r.ImmigrationIneligible,
				HomelessDuty: register.HomelessDuty(r.HomelessDuty), ArmedForces: r.ArmedForces,
				CareLeaver: r.CareLeaver, CareLeaverNNC: r.CareLeaverNNC,
				AdultSocialCareMoveOn: r.AdultSocialCareMoveOn, DomesticAbuse: r.DomesticAbuse,
				ShelteredEligible: r.ShelteredEligible, Connected: r.Connected, Guarantor: r.Guarantor,
				UnacceptableBehaviour: r.UnacceptableBehaviour, ExceptionalCircumstances: r.ExceptionalCircumstances,
				Working: r.Working},
			Debt:     register.HousingDebt{Amount: snapshot.Money(r.DebtAmount), LastOwed: date(r.DebtLastOwed)},
			Mobility: register.Mobility(r.Mobility),
			Area:     r.Area,
		}
		byID[r.ID] = &s.Applications[i]
	}

	var members []memberRow
	if err := tx.SelectContext(ctx, &members, `SELECT application, name, born, sex, relationship, joint,
		pregnancy_due FROM members ORDER BY application, seq`); err != nil {
		return err
	}
	for _, r := range members {
		a := byID[r.Application]
		a.Members = append(a.Members, register.Member{Name: r.Name, Born: date(r.Born), Sex: register.Sex(r.Sex),
			Relationship: register.Relationship(r.Relationship), Joint: r.Joint, PregnancyDue: date(r.PregnancyDue)})
	}

	var assessments []assessmentRow
	if err := tx.SelectContext(ctx, &assessments, `SELECT id, application, requested, assessed, assessor,
		ground_floor_or_lift, level_access, wheelchair, extra_bedrooms
		FROM medical_assessments ORDER BY application, seq`); err != nil {
		return err
	}
	type place struct {
		app *register.Application
		n   int
	}
	byAssessment := make(map[int64]place, len(assessments))
	for _, r := range assessments {
		a := byID[r.Application]
		byAssessment[r.ID] = place{a, len(a.Medical)}
		a.Medical = append(a.Medical, register.MedicalAssessment{ID: r.ID, Requested: date(r.Requested),
			Assessed: date(r.Assessed), Assessor: r.Assessor,
			Restrictions: register.Restrictions{GroundFloorOrLift: r.GroundFloorOrLift, LevelAccess: r.LevelAccess,
				Wheelchair: r.Wheelchair, ExtraBedrooms: r.ExtraBedrooms}})
	}
	var conditions []conditionRow
	if err := tx.SelectContext(ctx, &conditions, `SELECT assessment, name, severity, impact
		FROM medical_conditions ORDER BY assessment, seq`); err != nil {
		return err
	}
	for _, r := range conditions {
		p := byAssessment[r.Assessment]
		m := &p.app.Medical[p.n]
		m.Conditions = append(m.Conditions, register.Condition{Name: r.Name, Severity: r.Severity, Impact: r.Impact})
	}

	var spells []spellRow
	if err := tx.SelectContext(ctx, &spells, `SELECT application, band, from_date, to_date, effective, reason,
		recorded_by FROM band_history ORDER BY application, seq`); err != nil {
		return err
	}
	for _, r := range spells {
		a := byID[r.Application]
		a.History = append(a.History, register.BandSpell{Band: band(r.Band), From: date(r.From), To: date(r.To),
			Effective: date(r.Effective), Reason: r.Reason, By: r.By})
	}

	var overrides []overrideRow
	if err := tx.SelectContext(ctx, &overrides, `SELECT application, kind, band, criterion, effective, reason,
		recorded_by, made_on, removed_on FROM overrides ORDER BY application, seq`); err != nil {
		return err
	}
	for _, r := range overrides {
		a := byID[r.Application]
		a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideKind(r.Kind), Band: band(r.Band),
			Criterion: r.Criterion, Effective: date(r.Effective), Reason: r.Reason, By: r.By, On: date(r.On),
			Removed: date(r.Removed)})
	}

	var refusals []refusalRow
	if err := tx.SelectContext(ctx, &refusals, `SELECT application, advert, refused_on, kind, counted, final,
		recorded_by FROM refusals ORDER BY application, seq`); err != nil {
		return err
	}
	for _, r := range refusals {
		a := byID[r.Application]
		a.Refusals = append(a.Refusals, register.Refusal{Advert: r.Advert, On: date(r.On),
			Kind: register.RefusalKind(r.Kind), Counted: r.Counted, Final: r.Final, By: r.By})
	}
	return nil
}

func exportLandlords(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	return tx.SelectContext(ctx, &s.Landlords, `SELECT id AS "id", name AS "name", council AS "council",
		nomination_share AS "nominationshare" FROM landlords ORDER BY id`)
}

func exportCycles(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	if err := tx.SelectContext(ctx, &s.Cycles, `SELECT id AS "id", opens AS "opens", closes AS "closes",
		policy AS "policy" FROM cycles ORDER BY id`); err != nil {
		return err
	}
	for i := range s.Cycles {
		s.Cycles[i].Opens = s.Cycles[i].Opens.UTC()
		s.Cycles[i].Closes = s.Cycles[i].Closes.UTC()
	}
	return nil
}

type advertRow struct {
	ID                 int64           `db:"id"`
	Cycle              int64           `db:"cycle"`
	Landlord           string          `db:"landlord"`
	Locality           string          `db:"locality"`
	Bedrooms           int             `db:"bedrooms"`
	BedSpaces          int             `db:"bed_spaces"`
	Type               string          `db:"type"`
	Garden             bool            `db:"garden"`
	Floor              int             `db:"floor"`
	Lift               bool            `db:"lift"`
	Access             string          `db:"access"`
	Sheltered          bool            `db:"sheltered"`
	MinAge             int             `db:"min_age"`
	MaxAge             int             `db:"max_age"`
	LegalAgreementArea string          `db:"legal_agreement_area"`
	Ordering           string          `db:"ordering"`
	WeeklyRent         decimal.Decimal `db:"weekly_rent"`
	Closes             time.Time       `db:"closes"`
	Withdrawn          bool            `db:"withdrawn"`
}

type lettingRow struct {
	Advert int64         `db:"advert"`
	Label  string        `db:"label"`
	Fact   string        `db:"fact"`
	Is     sql.NullBool  `db:"is_value"`
	Gte    sql.NullInt64 `db:"gte"`
	Lte    sql.NullInt64 `db:"lte"`
	Value  string        `db:"value"`
}

func exportAdverts(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	var adverts []advertRow
	if err := tx.SelectContext(ctx, &adverts, `SELECT id, cycle, landlord, locality, bedrooms, bed_spaces, type,
		garden, floor, lift, access, sheltered, min_age, max_age, legal_agreement_area, ordering, weekly_rent,
		closes, withdrawn FROM adverts ORDER BY id`); err != nil {
		return err
	}
	if len(adverts) > 0 {
		s.Adverts = make([]bidding.Advert, len(adverts))
	}
	byID := make(map[int64]*bidding.Advert, len(adverts))
	for i, r := range adverts {
		s.Adverts[i] = bidding.Advert{ID: r.ID, Cycle: r.Cycle, Landlord: r.Landlord, Locality: r.Locality,
			Bedrooms: r.Bedrooms, BedSpaces: r.BedSpaces, Type: r.Type, Garden: r.Garden, Floor: r.Floor,
			Lift: r.Lift, Access: bidding.Accessibility(r.Access), Sheltered: r.Sheltered, MinAge: r.MinAge,
			MaxAge: r.MaxAge, LegalAgreementArea: r.LegalAgreementArea, Ordering: bidding.Ordering(r.Ordering),
			WeeklyRent: snapshot.Money(r.WeeklyRent), Closes: r.Closes.UTC(), Withdrawn: r.Withdrawn}
		byID[r.ID] = &s.Adverts[i]
	}
	var lettings []lettingRow
	if err := tx.SelectContext(ctx, &lettings, `SELECT advert, label, fact, is_value, gte, lte, value
		FROM advert_local_lettings ORDER BY advert, seq`); err != nil {
		return err
	}
	for _, r := range lettings {
		l := bidding.LocalLetting{Label: r.Label, Fact: r.Fact, Value: r.Value}
		if r.Is.Valid {
			l.Is = &r.Is.Bool
		}
		if r.Gte.Valid {
			v := int(r.Gte.Int64)
			l.Gte = &v
		}
		if r.Lte.Valid {
			v := int(r.Lte.Int64)
			l.Lte = &v
		}
		a := byID[r.Advert]
		a.LocalLettings = append(a.LocalLettings, l)
	}
	return nil
}

type bidRow struct {
	Application int64        `db:"application"`
	Advert      int64        `db:"advert"`
	Placed      time.Time    `db:"placed"`
	Autobid     bool         `db:"autobid"`
	Withdrawn   sql.NullTime `db:"withdrawn"`
	By          string       `db:"placed_by"`
}

func exportBids(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	var bids []bidRow
	if err := tx.SelectContext(ctx, &bids, `SELECT application, advert, placed, autobid, withdrawn, placed_by
		FROM bids ORDER BY advert, application`); err != nil {
		return err
	}
	if len(bids) > 0 {
		s.Bids = make([]bidding.Bid, len(bids))
	}
	for i, r := range bids {
		s.Bids[i] = bidding.Bid{Application: r.Application, Advert: r.Advert, Placed: r.Placed.UTC(),
			Autobid: r.Autobid, By: r.By}
		if r.Withdrawn.Valid {
			s.Bids[i].Withdrawn = r.Withdrawn.Time.UTC()
		}
	}
	return nil
}

// date converts a DATE column; NULL is the zero Date.
func date(t sql.NullTime) register.Date {
	if !t.Valid {
		return 0
	}
	return register.DateOf(t.Time)
}

func band(s sql.NullString) register.Band {
	b, _ := register.ParseBand(s.String) // the column's CHECK allows only A..E
	return b
}
