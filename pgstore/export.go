package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Export reads the whole register in one read-only, repeatable-read transaction (a
// consistent view while others write), with the pre-decision state of the applications
// decisions changed (register_base, as Snapshot.Bases; see bases.go). The result is in
// canonical form (snapshot.Canonical), so exporting what Import wrote returns
// s.Canonical() (without the bases if the database records no decisions).
func Export(ctx context.Context, db *sqlx.DB) (*snapshot.Snapshot, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s := &snapshot.Snapshot{}
	steps := []func(context.Context, *sqlx.Tx, *snapshot.Snapshot) error{
		exportApplications, exportLandlords, exportCycles, exportAdverts, exportBids, exportBases,
	}
	for _, step := range steps {
		if err := step(ctx, tx, s); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	return s, tx.Commit()
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

// advert is the advert r holds, without its local lettings.
func (r *advertRow) advert() bidding.Advert {
	return bidding.Advert{ID: r.ID, Cycle: r.Cycle, Landlord: r.Landlord, Locality: r.Locality,
		Bedrooms: r.Bedrooms, BedSpaces: r.BedSpaces, Type: r.Type, Garden: r.Garden, Floor: r.Floor,
		Lift: r.Lift, Access: bidding.Accessibility(r.Access), Sheltered: r.Sheltered, MinAge: r.MinAge,
		MaxAge: r.MaxAge, LegalAgreementArea: r.LegalAgreementArea, Ordering: bidding.Ordering(r.Ordering),
		WeeklyRent: snapshot.Money(r.WeeklyRent), Closes: r.Closes.UTC(), Withdrawn: r.Withdrawn}
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
	return readCycleAdverts(ctx, tx, s, 0)
}

// readCycleAdverts reads every advert (cycle 0), or cycle's, with their local lettings,
// in id order into s: a close or a bid needs its own cycle's, where a register a year
// old holds 52 weeks' (at national scale 260k).
func readCycleAdverts(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot, cycle int64) error {
	where, args := "", []any(nil)
	if cycle != 0 {
		where, args = " WHERE cycle = $1", []any{cycle}
	}
	var adverts []advertRow
	if err := tx.SelectContext(ctx, &adverts, `SELECT id, cycle, landlord, locality, bedrooms, bed_spaces, type,
		garden, floor, lift, access, sheltered, min_age, max_age, legal_agreement_area, ordering, weekly_rent,
		closes, withdrawn FROM adverts`+where+` ORDER BY id`, args...); err != nil {
		return err
	}
	if len(adverts) > 0 {
		s.Adverts = make([]bidding.Advert, len(adverts))
	}
	byID := make(map[int64]*bidding.Advert, len(adverts))
	for i, r := range adverts {
		s.Adverts[i] = r.advert()
		byID[r.ID] = &s.Adverts[i]
	}
	var lettings []lettingRow
	if cycle != 0 {
		where = " WHERE advert IN (SELECT id FROM adverts WHERE cycle = $1)"
	}
	if err := tx.SelectContext(ctx, &lettings, `SELECT advert, label, fact, is_value, gte, lte, value
		FROM advert_local_lettings`+where+` ORDER BY advert, seq`, args...); err != nil {
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
