package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// The register is the bulk of every read (1.34 M applications at England scale), so it
// is scanned with plain rows.Scan into reused locals rather than sqlx struct mapping, and
// dates come out of PostgreSQL as register.Date day counts (0001-01-01 is day 1, NULL is
// 0) instead of timestamps for lib/pq to parse. Each child table's rows are read, ordered
// by application, into one slice of their own; attach then gives each application (the
// applications are ordered by id) its run of that slice, in one walk and without an
// allocation per application.

// dayOf is the SQL for a DATE column as a register.Date day count; NULL gives 0.
func dayOf(col string) string {
	return "COALESCE(" + col + " - DATE '0001-01-01' + 1, 0)"
}

// eachRow runs query with args and calls scan once per row, then reports any error of
// the rows.
func eachRow(ctx context.Context, tx *sqlx.Tx, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// appFilter limits a read of the register: to one application, to a set of them
// (ascending ids: someApps), or to none (the zero value, allApps: every application).
type appFilter struct {
	id  int64
	ids []int64
	// bits, when set, is ids as a bit string in hex (X…), bit i set for id i. PostgreSQL
	// tests a row against it far faster than against = ANY of the ids, whose array it
	// parses and hashes at every query: for a national close's 400k households, 0.15 s
	// against 0.63 s per read of the members' 3.1M rows, and a close reads eight tables.
	bits  string
	nbits int64
}

// allApps reads every application.
var allApps appFilter

// oneApp reads application id alone.
func oneApp(id int64) appFilter { return appFilter{id: id} }

// someApps reads the applications ids (ascending). When they are dense enough for the
// bit string to be smaller than the ids' own text, they are tested as bits.
func someApps(ids []int64) appFilter {
	f := appFilter{ids: ids}
	if ids == nil {
		f.ids = []int64{}
	}
	if len(ids) == 0 || ids[0] < 0 || ids[len(ids)-1] >= 1<<31 || ids[len(ids)-1] > 32*int64(len(ids)) {
		return f
	}
	f.nbits = (ids[len(ids)-1]/4 + 1) * 4
	digits := make([]byte, f.nbits/4)
	for _, id := range ids {
		digits[id/4] |= 8 >> (id % 4)
	}
	for i, d := range digits {
		digits[i] = "0123456789abcdef"[d]
	}
	f.bits = "X" + string(digits)
	return f
}

// all reports whether f reads every application.
func (f appFilter) all() bool { return f.id == 0 && f.ids == nil }

// where is the SQL condition limiting rows by their application column col ("" for
// every application); its parameters are args'.
func (f appFilter) where(col string) string {
	if f.all() {
		return ""
	}
	return " WHERE " + f.cond(col)
}

// cond is where's condition without the WHERE (f must not be allApps).
func (f appFilter) cond(col string) string {
	switch {
	case f.id != 0:
		return col + " = $1"
	case f.bits != "":
		// CASE, not AND: get_bit fails out of range, and AND does not fix an order.
		return "CASE WHEN " + col + " >= 0 AND " + col + " < $2 THEN get_bit($1::varbit, " + col + "::int) = 1 ELSE false END"
	}
	return col + " = ANY($1)"
}

// args are the query arguments where's condition takes.
func (f appFilter) args() []any {
	switch {
	case f.id != 0:
		return []any{f.id}
	case f.bits != "":
		return []any{f.bits, f.nbits}
	case f.ids != nil:
		return []any{pq.Array(f.ids)}
	}
	return nil
}

// appCursor finds applications for child rows ordered by application id.
type appCursor struct {
	apps []register.Application
	i    int
}

func (c *appCursor) at(table string, id int64) (*register.Application, error) {
	for c.i < len(c.apps) && c.apps[c.i].ID < id {
		c.i++
	}
	if c.i == len(c.apps) || c.apps[c.i].ID != id {
		return nil, fmt.Errorf("%s: row for application %d, not in the register or out of order", table, id)
	}
	return &c.apps[c.i], nil
}

// appFlagColumns are the applications' boolean columns, read as one integer (bit i is
// column i) since decoding twenty booleans a row was most of the scanning. appFlags lists
// the fields they fill, in the same order.
var appFlagColumns = []string{"homeowner", "sharing_facilities", "disrepair", "nn_connection", "right_to_move",
	"immigration_ineligible", "armed_forces", "care_leaver", "care_leaver_nnc", "adult_social_care_move_on",
	"domestic_abuse", "sheltered_eligible", "connected", "guarantor", "unacceptable_behaviour",
	"exceptional_circumstances", "working"}

func appFlags(a *register.Application) [17]*bool {
	h, c, f := &a.Home, &a.Connection, &a.Flags
	return [...]*bool{&h.Homeowner, &h.SharingFacilities, &h.Disrepair, &c.NN, &c.RightToMove,
		&f.ImmigrationIneligible, &f.ArmedForces, &f.CareLeaver, &f.CareLeaverNNC, &f.AdultSocialCareMoveOn,
		&f.DomesticAbuse, &f.ShelteredEligible, &f.Connected, &f.Guarantor, &f.UnacceptableBehaviour,
		&f.ExceptionalCircumstances, &f.Working}
}

// appFlagBits is the SQL for appFlagColumns as one integer.
var appFlagBits = func() string {
	terms := make([]string, len(appFlagColumns))
	for i, col := range appFlagColumns {
		terms[i] = fmt.Sprintf("(%s::int << %d)", col, i)
	}
	return strings.Join(terms, " | ")
}()

func exportApplications(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	apps, err := readApplications(ctx, tx, allApps)
	s.Applications = apps
	return err
}

// readApplications reads the applications f selects, in id order, with their members,
// medical assessments and conditions, band history, overrides and refusals. It returns
// nil when there are none.
func readApplications(ctx context.Context, tx *sqlx.Tx, f appFilter) ([]register.Application, error) {
	apps, err := readApplicationRows(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	var c appChildren
	for _, read := range []childReader{c.readMembers, c.readMedical, c.readConditions, c.readHistory,
		c.readOverrides, c.readRefusals} {
		if err := read(ctx, tx, f); err != nil {
			return nil, err
		}
	}
	if err := c.attach(apps); err != nil {
		return nil, err
	}
	return apps, nil
}

// readApplicationRows reads the applications table's rows f selects, in id order,
// without their child rows.
func readApplicationRows(ctx context.Context, tx *sqlx.Tx, f appFilter) ([]register.Application, error) {
	var apps []register.Application
	if f.ids != nil {
		apps = make([]register.Application, 0, len(f.ids))
	}
	if f.all() {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM applications`); err != nil {
			return nil, err
		}
		if n > 0 {
			apps = make([]register.Application, 0, n)
		}
	}
	zero := decimal.RequireFromString("0.00")
	var (
		id, registered, statusUntil, homeBedrooms, debtLastOwed, bits       int64
		status, statusReason, area, mobility, tenure, homelessDuty, debtAmt string
		ethnic, disability, econ                                            string
		areas                                                               pq.StringArray
	)
	err := eachRow(ctx, tx, `SELECT id, `+dayOf("registered")+`, status, status_reason, `+dayOf("status_until")+`,
		area, mobility, home_bedrooms, tenure, legal_agreement_areas, homeless_duty, `+appFlagBits+`,
		debt_amount, `+dayOf("debt_last_owed")+`, ethnic_group, disability, economic_status
		FROM applications`+f.where("id")+` ORDER BY id`, f.args(), func(rows *sql.Rows) error {
		apps = append(apps, register.Application{})
		a := &apps[len(apps)-1]
		h, c, f := &a.Home, &a.Connection, &a.Flags
		areas = nil
		if err := rows.Scan(&id, &registered, &status, &statusReason, &statusUntil,
			&area, &mobility, &homeBedrooms, &tenure, &areas, &homelessDuty, &bits, &debtAmt,
			&debtLastOwed, &ethnic, &disability, &econ); err != nil {
			return err
		}
		for i, p := range appFlags(a) {
			*p = bits&(1<<i) != 0
		}
		a.ID, a.Registered, a.Status = id, register.Date(registered), register.Status(status)
		a.StatusReason, a.StatusUntil = statusReason, register.Date(statusUntil)
		h.Bedrooms, h.Tenure = int(homeBedrooms), register.Tenure(tenure)
		if len(areas) > 0 {
			c.LegalAgreementAreas = areas
		}
		f.HomelessDuty = register.HomelessDuty(homelessDuty)
		// debt_amount is numeric(12, 2), so its text already has the two places Money gives.
		a.Debt.Amount, a.Debt.LastOwed = zero, register.Date(debtLastOwed)
		if debtAmt != "0.00" {
			d, err := decimal.NewFromString(debtAmt)
			if err != nil {
				return fmt.Errorf("applications: id %d: debt_amount %q: %w", id, debtAmt, err)
			}
			a.Debt.Amount = d
		}
		a.Mobility, a.Area = register.Mobility(mobility), area
		a.Monitoring = register.Monitoring{EthnicGroup: register.EthnicGroup(ethnic),
			Disability: register.Disability(disability), EconomicStatus: register.EconomicStatus(econ)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return apps, nil
}

// keyedRows are rows of a child table in their parent's order, each with its parent's
// id: row i belongs to the application (or, for conditions, the assessment) keys[i].
type keyedRows[T any] struct {
	keys []int64
	rows []T
}

// reserve makes room for the rows of table that a read by f will add, as the planner's
// statistics estimate them (for some applications, in proportion to their share of
// the applications): appending 3 million members to slices that grow as they go cost a
// national close 2.6 s of copying, and 945k members of its rankable households 230 MB
// of garbage.
func (r *keyedRows[T]) reserve(ctx context.Context, tx *sqlx.Tx, table string, f appFilter) error {
	if f.id != 0 {
		return nil
	}
	var est struct {
		Rows float64 `db:"rows"`
		Apps float64 `db:"apps"`
	}
	if err := tx.GetContext(ctx, &est, `SELECT
		(SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)) AS rows,
		(SELECT reltuples FROM pg_class WHERE oid = 'applications'::regclass) AS apps`, table); err != nil {
		return err
	}
	n := est.Rows
	if !f.all() {
		if est.Apps <= 0 {
			return nil
		}
		n *= float64(len(f.ids)) / est.Apps
	}
	if n > 0 {
		r.keys = make([]int64, 0, int(n*1.02)+16)
		r.rows = make([]T, 0, int(n*1.02)+16)
	}
	return nil
}

func (r *keyedRows[T]) add(key int64, row T) {
	r.keys = append(r.keys, key)
	r.rows = append(r.rows, row)
}

// eachRun calls fn once per run of equal keys, with the key and the run's bounds.
func (r *keyedRows[T]) eachRun(fn func(key int64, i, j int) error) error {
	for i := 0; i < len(r.keys); {
		j := i + 1
		for j < len(r.keys) && r.keys[j] == r.keys[i] {
			j++
		}
		if err := fn(r.keys[i], i, j); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// run is the rows i..j as a parent's own slice: capped, so that appending to one
// parent's rows copies them rather than overwriting the next parent's.
func (r *keyedRows[T]) run(i, j int) []T {
	return r.rows[i:j:j]
}

// appChildren are the rows of the applications' child tables. Each table has its own
// reader, which fills only its own field, so that the tables can be read on different
// connections at once (loadForCycle) and then attached to the applications in one step.
type appChildren struct {
	members    keyedRows[register.Member]
	medical    keyedRows[register.MedicalAssessment]
	conditions keyedRows[register.Condition] // keyed by assessment, in the assessments' order
	history    keyedRows[register.BandSpell]
	overrides  keyedRows[register.Override]
	refusals   keyedRows[register.Refusal]
}

// A childReader reads one child table's rows f selects into its appChildren field.
type childReader func(context.Context, *sqlx.Tx, appFilter) error

// attach gives each of apps (in id order) its child rows. An application with none keeps
// a nil slice, as the snapshot's reader gives.
func (c *appChildren) attach(apps []register.Application) error {
	// Conditions first, into the assessments' rows, which the applications then share.
	m := 0
	err := c.conditions.eachRun(func(assessment int64, i, j int) error {
		for m < len(c.medical.rows) && c.medical.rows[m].ID != assessment {
			m++
		}
		if m == len(c.medical.rows) {
			return fmt.Errorf("medical_conditions: rows for assessment %d, not among the assessments read or out of order", assessment)
		}
		c.medical.rows[m].Conditions = c.conditions.run(i, j)
		return nil
	})
	if err != nil {
		return err
	}
	if err := attachRows("members", apps, &c.members, func(a *register.Application) *[]register.Member { return &a.Members }); err != nil {
		return err
	}
	if err := attachRows("medical_assessments", apps, &c.medical, func(a *register.Application) *[]register.MedicalAssessment { return &a.Medical }); err != nil {
		return err
	}
	if err := attachRows("band_history", apps, &c.history, func(a *register.Application) *[]register.BandSpell { return &a.History }); err != nil {
		return err
	}
	if err := attachRows("overrides", apps, &c.overrides, func(a *register.Application) *[]register.Override { return &a.Overrides }); err != nil {
		return err
	}
	return attachRows("refusals", apps, &c.refusals, func(a *register.Application) *[]register.Refusal { return &a.Refusals })
}

// attachRows sets field of each application in apps (in id order) to its rows of r, read
// from table.
func attachRows[T any](table string, apps []register.Application, r *keyedRows[T], field func(*register.Application) *[]T) error {
	cur := appCursor{apps: apps}
	return r.eachRun(func(app int64, i, j int) error {
		a, err := cur.at(table, app)
		if err != nil {
			return err
		}
		*field(a) = r.run(i, j)
		return nil
	})
}

func (c *appChildren) readMembers(ctx context.Context, tx *sqlx.Tx, f appFilter) error {
	var (
		app, born, due          int64
		name, sex, relationship string
		joint                   bool
	)
	if err := c.members.reserve(ctx, tx, "members", f); err != nil {
		return err
	}
	return eachRow(ctx, tx, `SELECT application, name, `+dayOf("born")+`, sex, relationship, joint, `+
		dayOf("pregnancy_due")+` FROM members`+f.where("application")+` ORDER BY application, seq`, f.args(), func(rows *sql.Rows) error {
		if err := rows.Scan(&app, &name, &born, &sex, &relationship, &joint, &due); err != nil {
			return err
		}
		c.members.add(app, register.Member{Name: name, Born: register.Date(born), Sex: register.Sex(sex),
			Relationship: register.Relationship(relationship), Joint: joint, PregnancyDue: register.Date(due)})
		return nil
	})
}

func (c *appChildren) readMedical(ctx context.Context, tx *sqlx.Tx, f appFilter) error {
	var (
		id, app, requested, assessed, extra int64
		assessor                            string
		ground, level, wheelchair           bool
	)
	return eachRow(ctx, tx, `SELECT id, application, `+dayOf("requested")+`, `+dayOf("assessed")+`, assessor,
		ground_floor_or_lift, level_access, wheelchair, extra_bedrooms
		FROM medical_assessments`+f.where("application")+` ORDER BY application, seq`, f.args(), func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &app, &requested, &assessed, &assessor, &ground, &level, &wheelchair,
			&extra); err != nil {
			return err
		}
		c.medical.add(app, register.MedicalAssessment{ID: id, Requested: register.Date(requested),
			Assessed: register.Date(assessed), Assessor: assessor,
			Restrictions: register.Restrictions{GroundFloorOrLift: ground, LevelAccess: level,
				Wheelchair: wheelchair, ExtraBedrooms: int(extra)}})
		return nil
	})
}

// readConditions reads medical conditions in the order readMedical reads their
// assessments, so that attach places them in one walk.
func (c *appChildren) readConditions(ctx context.Context, tx *sqlx.Tx, f appFilter) error {
	var (
		assessment, severity, impact int64
		name                         string
	)
	query := `SELECT c.assessment, c.name, c.severity, c.impact
		FROM medical_conditions c JOIN medical_assessments ma ON ma.id = c.assessment
		ORDER BY ma.application, ma.seq, c.seq`
	switch {
	case f.id != 0:
		// One application's: its assessments' ids first, so the conditions are read by
		// their key. Joined by application, the planner may scan every condition (an
		// England register holds 350k) when its estimates are off, as after an import.
		query = `SELECT c.assessment, c.name, c.severity, c.impact
		FROM medical_conditions c JOIN medical_assessments ma ON ma.id = c.assessment
		WHERE c.assessment = ANY(ARRAY(SELECT id FROM medical_assessments WHERE application = $1))
		ORDER BY ma.seq, c.seq`
	case f.ids != nil:
		query = `SELECT c.assessment, c.name, c.severity, c.impact
		FROM medical_conditions c JOIN medical_assessments ma ON ma.id = c.assessment
		WHERE ` + f.cond("ma.application") + `
		ORDER BY ma.application, ma.seq, c.seq`
	}
	return eachRow(ctx, tx, query, f.args(), func(rows *sql.Rows) error {
		if err := rows.Scan(&assessment, &name, &severity, &impact); err != nil {
			return err
		}
		c.conditions.add(assessment, register.Condition{Name: name, Severity: int(severity), Impact: int(impact)})
		return nil
	})
}

func (c *appChildren) readHistory(ctx context.Context, tx *sqlx.Tx, f appFilter) error {
	var (
		app, from, to, effective int64
		b, reason, by            string
	)
	if err := c.history.reserve(ctx, tx, "band_history", f); err != nil {
		return err
	}
	return eachRow(ctx, tx, `SELECT application, COALESCE(band, ''), `+dayOf("from_date")+`, `+dayOf("to_date")+`,
		`+dayOf("effective")+`, reason, recorded_by FROM band_history`+f.where("application")+` ORDER BY application, seq`,
		f.args(), func(rows *sql.Rows) error {
			if err := rows.Scan(&app, &b, &from, &to, &effective, &reason, &by); err != nil {
				return err
			}
			c.history.add(app, register.BandSpell{Band: bandOf(b), From: register.Date(from),
				To: register.Date(to), Effective: register.Date(effective), Reason: reason, By: by})
			return nil
		})
}

func (c *appChildren) readOverrides(ctx context.Context, tx *sqlx.Tx, f appFilter) error {
	var (
		app, effective, on, removed    int64
		kind, b, criterion, reason, by string
	)
	return eachRow(ctx, tx, `SELECT application, kind, COALESCE(band, ''), criterion, `+dayOf("effective")+`,
		reason, recorded_by, `+dayOf("made_on")+`, `+dayOf("removed_on")+` FROM overrides`+f.where("application")+`
		ORDER BY application, seq`,
		f.args(), func(rows *sql.Rows) error {
			if err := rows.Scan(&app, &kind, &b, &criterion, &effective, &reason, &by, &on, &removed); err != nil {
				return err
			}
			c.overrides.add(app, register.Override{Kind: register.OverrideKind(kind), Band: bandOf(b),
				Criterion: criterion, Effective: register.Date(effective), Reason: reason, By: by,
				On: register.Date(on), Removed: register.Date(removed)})
			return nil
		})
}

func (c *appChildren) readRefusals(ctx context.Context, tx *sqlx.Tx, f appFilter) error {
	var (
		app, advert, on int64
		kind, by        string
		counted, final  bool
	)
	return eachRow(ctx, tx, `SELECT application, advert, `+dayOf("refused_on")+`, kind, counted, final,
		recorded_by FROM refusals`+f.where("application")+` ORDER BY application, seq`, f.args(), func(rows *sql.Rows) error {
		if err := rows.Scan(&app, &advert, &on, &kind, &counted, &final, &by); err != nil {
			return err
		}
		c.refusals.add(app, register.Refusal{Advert: advert, On: register.Date(on),
			Kind: register.RefusalKind(kind), Counted: counted, Final: final, By: by})
		return nil
	})
}

// microsOf is the SQL for a timestamptz column as microseconds since 1970 (PostgreSQL's
// own resolution), so lib/pq need not parse timestamp text.
func microsOf(col string) string {
	return "(EXTRACT(EPOCH FROM " + col + ") * 1000000)::int8"
}

// exportBids reads every bid, autobids included (bids_all).
func exportBids(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot) error {
	return readBids(ctx, tx, s, 0)
}

// readBids reads every bid (cycle 0), or the bids on cycle's adverts: all a close
// ranks (bidding.NewClosing ignores the rest), and one week's rather than every week's.
// A cycle's own bids are in bids until its close, which keeps its autobids as entries.
func readBids(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot, cycle int64) error {
	if cycle != 0 {
		return readBidsFrom(ctx, tx, s, `bids WHERE advert IN (SELECT id FROM adverts WHERE cycle = $1)`, cycle)
	}
	return readBidsFrom(ctx, tx, s, `bids_all`)
}

// readBidsFrom reads the bids of from (a table or view and its WHERE, whose parameters
// are args) into s, by advert and application.
func readBidsFrom(ctx context.Context, tx *sqlx.Tx, s *snapshot.Snapshot, from string, args ...any) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM `+from, args...); err != nil {
		return err
	}
	if n > 0 {
		s.Bids = make([]bidding.Bid, 0, n)
	}
	var (
		app, advert, placed int64
		withdrawn           sql.NullInt64
		autobid             bool
		by                  string
	)
	return eachRow(ctx, tx, `SELECT application, advert, `+microsOf("placed")+`, autobid, `+microsOf("withdrawn")+`,
		placed_by FROM `+from+` ORDER BY advert, application`, args, func(rows *sql.Rows) error {
		if err := rows.Scan(&app, &advert, &placed, &autobid, &withdrawn, &by); err != nil {
			return err
		}
		b := bidding.Bid{Application: app, Advert: advert, Placed: time.UnixMicro(placed).UTC(), Autobid: autobid, By: by}
		if withdrawn.Valid {
			b.Withdrawn = time.UnixMicro(withdrawn.Int64).UTC()
		}
		s.Bids = append(s.Bids, b)
		return nil
	})
}

// bandOf converts a band column read as text (” for NULL).
func bandOf(s string) register.Band {
	b, _ := register.ParseBand(s) // the column's CHECK allows only A..E
	return b
}
