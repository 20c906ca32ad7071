package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrNotEmpty is returned by Import when the database already holds a register and
// ImportOptions.Replace is not set.
var ErrNotEmpty = errors.New("the database already holds a register (import with replace to overwrite it)")

// ImportOptions adjust Import.
type ImportOptions struct {
	// Actor is recorded in the import's events row; "import" when empty.
	Actor string
	// Replace deletes the register held (and the shortlists, offers, nominations and
	// lets that refer to it) before importing. The events log is kept.
	Replace bool
	// Progress, if set, is called after every batch of rows written, with the count so
	// far (tests cancel the context from it to kill an import part way).
	Progress func(rows int)
}

// Import loads s into an empty register. See ImportWith.
func Import(ctx context.Context, db *sqlx.DB, s *snapshot.Snapshot) error {
	return ImportWith(ctx, db, s, ImportOptions{})
}

// ImportWith validates s (snapshot.Validate) and writes it with COPY in one transaction,
// together with an events row (kind "import", the row counts in detail). On any error it
// writes nothing: a bad snapshot returns its *snapshot.ValidationError, a database that
// already holds a register returns ErrNotEmpty unless opts.Replace is set, and the
// schema must be migrated (ErrNotMigrated). If ctx ends part way, the COPY under way is
// cancelled on the server and nothing is written (an error wrapping ctx.Err()).
func ImportWith(ctx context.Context, db *sqlx.DB, s *snapshot.Snapshot, opts ImportOptions) error {
	err := importWith(ctx, db, s, opts)
	if err != nil && ctx.Err() != nil {
		// However lib/pq or a COPY loop noticed, say why it stopped.
		return fmt.Errorf("import interrupted; nothing written: %w", ctx.Err())
	}
	return err
}

func importWith(ctx context.Context, db *sqlx.DB, s *snapshot.Snapshot, opts ImportOptions) error {
	if err := snapshot.Validate(s); err != nil {
		return err
	}
	if err := CheckVersion(ctx, db); err != nil {
		return err
	}
	if opts.Actor == "" {
		opts.Actor = "import"
	}
	// Not ended by ctx (see begin): database/sql rolling back mid-COPY hangs lib/pq, so
	// the COPY loops check ctx instead and cancel the statement on the server.
	tx, err := begin(ctx, db)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w, err := newWriter(ctx, db, tx)
	if err != nil {
		return err
	}
	w.progress = opts.Progress
	if opts.Replace {
		if _, err := tx.ExecContext(ctx, `TRUNCATE applications, landlords, cycles, adverts, bids CASCADE`); err != nil {
			return fmt.Errorf("import: clear register: %w", err)
		}
	} else {
		var held bool
		if err := tx.GetContext(ctx, &held, `SELECT EXISTS (SELECT 1 FROM applications)
			OR EXISTS (SELECT 1 FROM landlords) OR EXISTS (SELECT 1 FROM cycles)`); err != nil {
			return err
		}
		if held {
			return ErrNotEmpty
		}
	}
	for _, t := range tables(s) {
		if err := w.copy(t.name, t.cols, len(t.rows), func(i int) ([]any, error) { return t.rows[i], nil }); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	detail, err := json.Marshal(map[string]any{"rows": s.Counts(), "replace": opts.Replace})
	if err != nil {
		return err
	}
	if _, err := AppendEvent(ctx, tx, Event{Actor: opts.Actor, Kind: "import", Reason: "snapshot import", Detail: detail}); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return tx.Commit()
}

// table is the rows of one table, ready for COPY.
type table struct {
	name string
	cols []string
	rows [][]any
}

// tables lays s out as table rows, parents before children.
func tables(s *snapshot.Snapshot) []table {
	app := table{name: "applications", cols: []string{"id", "registered", "status", "status_reason", "status_until",
		"area", "mobility", "home_bedrooms", "tenure", "homeowner", "sharing_facilities", "disrepair",
		"nn_connection", "right_to_move", "legal_agreement_areas", "immigration_ineligible", "homeless_duty",
		"armed_forces", "care_leaver", "care_leaver_nnc", "adult_social_care_move_on", "domestic_abuse",
		"sheltered_eligible", "connected", "guarantor", "unacceptable_behaviour", "exceptional_circumstances",
		"working", "debt_amount", "debt_last_owed"}}
	mem := table{name: "members", cols: []string{"application", "seq", "name", "born", "sex", "relationship", "joint", "pregnancy_due"}}
	ass := table{name: "medical_assessments", cols: []string{"id", "application", "seq", "requested", "assessed", "assessor",
		"ground_floor_or_lift", "level_access", "wheelchair", "extra_bedrooms"}}
	con := table{name: "medical_conditions", cols: []string{"assessment", "seq", "name", "severity", "impact"}}
	his := table{name: "band_history", cols: []string{"application", "seq", "band", "from_date", "to_date", "effective", "reason", "recorded_by"}}
	ovr := table{name: "overrides", cols: []string{"application", "seq", "kind", "band", "criterion", "effective", "reason",
		"recorded_by", "made_on", "removed_on"}}
	ref := table{name: "refusals", cols: []string{"application", "seq", "advert", "refused_on", "kind", "counted", "final", "recorded_by"}}
	for _, a := range s.Applications {
		f := a.Flags
		app.rows = append(app.rows, []any{a.ID, dateArg(a.Registered), string(a.Status), a.StatusReason,
			dateArg(a.StatusUntil), a.Area, string(a.Mobility), a.Home.Bedrooms, string(a.Home.Tenure),
			a.Home.Homeowner, a.Home.SharingFacilities, a.Home.Disrepair, a.Connection.NN,
			a.Connection.RightToMove, pq.StringArray(nonNil(a.Connection.LegalAgreementAreas)),
			f.ImmigrationIneligible, string(f.HomelessDuty), f.ArmedForces, f.CareLeaver, f.CareLeaverNNC,
			f.AdultSocialCareMoveOn, f.DomesticAbuse, f.ShelteredEligible, f.Connected, f.Guarantor,
			f.UnacceptableBehaviour, f.ExceptionalCircumstances, f.Working, a.Debt.Amount, dateArg(a.Debt.LastOwed)})
		for j, m := range a.Members {
			mem.rows = append(mem.rows, []any{a.ID, j + 1, m.Name, dateArg(m.Born), string(m.Sex),
				string(m.Relationship), m.Joint, dateArg(m.PregnancyDue)})
		}
		for j, m := range a.Medical {
			r := m.Restrictions
			ass.rows = append(ass.rows, []any{m.ID, a.ID, j + 1, dateArg(m.Requested), dateArg(m.Assessed), m.Assessor,
				r.GroundFloorOrLift, r.LevelAccess, r.Wheelchair, r.ExtraBedrooms})
			for k, c := range m.Conditions {
				con.rows = append(con.rows, []any{m.ID, k + 1, c.Name, c.Severity, c.Impact})
			}
		}
		for j, h := range a.History {
			his.rows = append(his.rows, []any{a.ID, j + 1, bandArg(h.Band), dateArg(h.From), dateArg(h.To),
				dateArg(h.Effective), h.Reason, h.By})
		}
		for j, v := range a.Overrides {
			ovr.rows = append(ovr.rows, []any{a.ID, j + 1, string(v.Kind), bandArg(v.Band), v.Criterion,
				dateArg(v.Effective), v.Reason, v.By, dateArg(v.On), dateArg(v.Removed)})
		}
		for j, v := range a.Refusals {
			ref.rows = append(ref.rows, []any{a.ID, j + 1, v.Advert, dateArg(v.On), string(v.Kind), v.Counted, v.Final, v.By})
		}
	}
	lan := table{name: "landlords", cols: []string{"id", "name", "council", "nomination_share"}}
	for _, l := range s.Landlords {
		lan.rows = append(lan.rows, []any{l.ID, l.Name, l.Council, l.NominationShare})
	}
	cyc := table{name: "cycles", cols: []string{"id", "opens", "closes", "policy"}}
	for _, c := range s.Cycles {
		cyc.rows = append(cyc.rows, []any{c.ID, timeArg(c.Opens), timeArg(c.Closes), c.Policy})
	}
	adv := table{name: "adverts", cols: []string{"id", "cycle", "landlord", "locality", "bedrooms", "bed_spaces", "type",
		"garden", "floor", "lift", "access", "sheltered", "min_age", "max_age", "legal_agreement_area", "ordering",
		"weekly_rent", "closes", "withdrawn"}}
	let := table{name: "advert_local_lettings", cols: []string{"advert", "seq", "label", "fact", "is_value", "gte", "lte", "value"}}
	for _, a := range s.Adverts {
		adv.rows = append(adv.rows, []any{a.ID, a.Cycle, a.Landlord, a.Locality, a.Bedrooms, a.BedSpaces, a.Type,
			a.Garden, a.Floor, a.Lift, string(a.Access), a.Sheltered, a.MinAge, a.MaxAge, a.LegalAgreementArea,
			string(a.Ordering), a.WeeklyRent, timeArg(a.Closes), a.Withdrawn})
		for j, l := range a.LocalLettings {
			let.rows = append(let.rows, []any{a.ID, j + 1, l.Label, l.Fact, optArg(l.Is), optArg(l.Gte), optArg(l.Lte), l.Value})
		}
	}
	bid := table{name: "bids", cols: []string{"application", "advert", "placed", "autobid", "withdrawn", "placed_by"}}
	for _, b := range s.Bids {
		bid.rows = append(bid.rows, []any{b.Application, b.Advert, timeArg(b.Placed), b.Autobid, timeArg(b.Withdrawn), b.By})
	}
	return []table{app, mem, ass, con, his, ovr, ref, lan, cyc, adv, let, bid}
}

// dateArg is a Date as a query argument: NULL for the zero Date.
func dateArg(d register.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// timeArg is a time as a query argument: NULL for the zero time, else UTC truncated to
// the microsecond (PostgreSQL would round; snapshot.Canonical truncates).
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

func bandArg(b register.Band) any {
	if b == register.NoBand {
		return nil
	}
	return b.String()
}

func optArg[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
