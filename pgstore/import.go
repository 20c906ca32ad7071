package pgstore

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
	// Note, if set, is told what was read but deliberately not loaded, and why: the
	// snapshot's register_base rows, into a database that records no decisions.
	Note func(msg string)
}

// Import loads s into an empty register. See ImportWith.
func Import(ctx context.Context, db *sqlx.DB, s *snapshot.Snapshot) error {
	return ImportWith(ctx, db, s, ImportOptions{})
}

// ImportWith validates s (snapshot.Validate) and writes it with COPY in one transaction,
// together with an events row (kind "import", the row counts in detail). s.Bases are
// loaded into register_base only if the database records decisions, and then each must
// name a recorded one (see bases.go). On any error it
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
	// the COPY loops check ctx instead and cancel the statement on the server. On a
	// connection of its own, so that the rows go as COPY text a batch at a time
	// (copyText) rather than one database/sql Exec each.
	w, end, err := beginWriter(ctx, db)
	if err != nil {
		return err
	}
	defer end()
	tx := w.tx
	w.progress = opts.Progress
	loadBases, err := checkBases(ctx, tx, s, opts.Note)
	if err != nil {
		return err
	}
	if opts.Replace {
		if err := asWriter(ctx, tx); err != nil {
			return err
		}
		// The allocation kept under a record of decisions goes with the register: until
		// cbl decisions --rebuild rewrites it from the record, decisions are refused.
		if _, err := tx.ExecContext(ctx, `TRUNCATE applications, landlords, cycles, adverts, bids, recorded_states CASCADE;
			UPDATE allocation_state SET stale = EXISTS (SELECT 1 FROM decisions)`); err != nil {
			return fmt.Errorf("import: clear register: %w", err)
		}
		if err := dropEntryPartitions(ctx, tx); err != nil {
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
	ts := tables(s)
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	fks, err := dropForeignKeys(ctx, tx, names)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for _, t := range ts {
		if err := w.copy(t.name, t.cols, t.n, func(i int) ([]any, error) { return t.row(i), nil }); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := addForeignKeys(ctx, tx, fks); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if loadBases {
		if err := w.copy(baseTable(s)); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	detail, err := json.Marshal(map[string]any{"rows": s.Counts(), "replace": opts.Replace, "register_base_loaded": loadBases})
	if err != nil {
		return err
	}
	if _, err := AppendEvent(ctx, tx, Event{Actor: opts.Actor, Kind: "import", Reason: "snapshot import", Detail: detail}); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	// Statistics now, rather than whenever autovacuum gets to it: the first close after
	// a national import read its tables with the planner's and the readers' size
	// estimates unset (pgstore.reserve), 1.5 s of sampling against seconds of close.
	if _, err := tx.ExecContext(ctx, `ANALYZE applications, members, medical_assessments, medical_conditions,
		band_history, overrides, refusals, landlords, cycles, adverts, advert_local_lettings, bids`); err != nil {
		return fmt.Errorf("import: analyze: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return tx.Commit()
}

// table is one table's rows for COPY, built on demand (row(i) for i < n) so an
// England-scale import does not hold every row as []any at once.
type table struct {
	name string
	cols []string
	n    int
	row  func(i int) []any
}

// child is the j-th child (member, assessment, …) of application a, or of assessment j
// of application a, condition k.
type child struct{ a, j, k int32 }

// children lists, for every application, its n(a) children in order.
func children(apps []register.Application, n func(a *register.Application) int) []child {
	var out []child
	for i := range apps {
		for j := range n(&apps[i]) {
			out = append(out, child{int32(i), int32(j), 0})
		}
	}
	return out
}

// tables lays s out as tables, parents before children.
func tables(s *snapshot.Snapshot) []table {
	apps := s.Applications
	app := table{name: "applications", cols: []string{"id", "registered", "status", "status_reason", "status_until",
		"area", "mobility", "home_bedrooms", "tenure", "homeowner", "sharing_facilities", "disrepair",
		"nn_connection", "right_to_move", "legal_agreement_areas", "immigration_ineligible", "homeless_duty",
		"armed_forces", "care_leaver", "care_leaver_nnc", "adult_social_care_move_on", "domestic_abuse",
		"sheltered_eligible", "connected", "guarantor", "unacceptable_behaviour", "exceptional_circumstances",
		"working", "debt_amount", "debt_last_owed", "ethnic_group", "disability", "economic_status"}, n: len(apps), row: func(i int) []any {
		a := &apps[i]
		f := a.Flags
		return []any{a.ID, dateArg(a.Registered), string(a.Status), a.StatusReason,
			dateArg(a.StatusUntil), a.Area, string(a.Mobility), a.Home.Bedrooms, string(a.Home.Tenure),
			a.Home.Homeowner, a.Home.SharingFacilities, a.Home.Disrepair, a.Connection.NN,
			a.Connection.RightToMove, pq.StringArray(nonNil(a.Connection.LegalAgreementAreas)),
			f.ImmigrationIneligible, string(f.HomelessDuty), f.ArmedForces, f.CareLeaver, f.CareLeaverNNC,
			f.AdultSocialCareMoveOn, f.DomesticAbuse, f.ShelteredEligible, f.Connected, f.Guarantor,
			f.UnacceptableBehaviour, f.ExceptionalCircumstances, f.Working, a.Debt.Amount, dateArg(a.Debt.LastOwed),
			string(a.Monitoring.EthnicGroup), string(a.Monitoring.Disability), string(a.Monitoring.EconomicStatus)}
	}}
	members := children(apps, func(a *register.Application) int { return len(a.Members) })
	mem := table{name: "members", cols: []string{"application", "seq", "name", "born", "sex", "relationship", "joint", "pregnancy_due"},
		n: len(members), row: func(i int) []any {
			c := members[i]
			a := &apps[c.a]
			m := &a.Members[c.j]
			return []any{a.ID, c.j + 1, m.Name, dateArg(m.Born), string(m.Sex), string(m.Relationship), m.Joint, dateArg(m.PregnancyDue)}
		}}
	assessments := children(apps, func(a *register.Application) int { return len(a.Medical) })
	ass := table{name: "medical_assessments", cols: []string{"id", "application", "seq", "requested", "assessed", "assessor",
		"ground_floor_or_lift", "level_access", "wheelchair", "extra_bedrooms"}, n: len(assessments), row: func(i int) []any {
		c := assessments[i]
		a := &apps[c.a]
		m := &a.Medical[c.j]
		r := m.Restrictions
		return []any{m.ID, a.ID, c.j + 1, dateArg(m.Requested), dateArg(m.Assessed), m.Assessor,
			r.GroundFloorOrLift, r.LevelAccess, r.Wheelchair, r.ExtraBedrooms}
	}}
	var conditions []child
	for _, c := range assessments {
		for k := range apps[c.a].Medical[c.j].Conditions {
			conditions = append(conditions, child{c.a, c.j, int32(k)})
		}
	}
	con := table{name: "medical_conditions", cols: []string{"assessment", "seq", "name", "severity", "impact"},
		n: len(conditions), row: func(i int) []any {
			c := conditions[i]
			m := &apps[c.a].Medical[c.j]
			d := &m.Conditions[c.k]
			return []any{m.ID, c.k + 1, d.Name, d.Severity, d.Impact}
		}}
	history := children(apps, func(a *register.Application) int { return len(a.History) })
	his := table{name: "band_history", cols: []string{"application", "seq", "band", "from_date", "to_date", "effective", "reason", "recorded_by"},
		n: len(history), row: func(i int) []any {
			c := history[i]
			a := &apps[c.a]
			h := &a.History[c.j]
			return []any{a.ID, c.j + 1, bandArg(h.Band), dateArg(h.From), dateArg(h.To), dateArg(h.Effective), h.Reason, h.By}
		}}
	overrides := children(apps, func(a *register.Application) int { return len(a.Overrides) })
	ovr := table{name: "overrides", cols: []string{"application", "seq", "kind", "band", "criterion", "effective", "reason",
		"recorded_by", "made_on", "removed_on"}, n: len(overrides), row: func(i int) []any {
		c := overrides[i]
		a := &apps[c.a]
		v := &a.Overrides[c.j]
		return []any{a.ID, c.j + 1, string(v.Kind), bandArg(v.Band), v.Criterion,
			dateArg(v.Effective), v.Reason, v.By, dateArg(v.On), dateArg(v.Removed)}
	}}
	refusals := children(apps, func(a *register.Application) int { return len(a.Refusals) })
	ref := table{name: "refusals", cols: []string{"application", "seq", "advert", "refused_on", "kind", "counted", "final", "recorded_by"},
		n: len(refusals), row: func(i int) []any {
			c := refusals[i]
			a := &apps[c.a]
			v := &a.Refusals[c.j]
			return []any{a.ID, c.j + 1, v.Advert, dateArg(v.On), string(v.Kind), v.Counted, v.Final, v.By}
		}}
	lan := table{name: "landlords", cols: []string{"id", "name", "council", "nomination_share"}, n: len(s.Landlords),
		row: func(i int) []any {
			l := &s.Landlords[i]
			return []any{l.ID, l.Name, l.Council, l.NominationShare}
		}}
	cyc := table{name: "cycles", cols: []string{"id", "opens", "closes", "policy"}, n: len(s.Cycles), row: func(i int) []any {
		c := &s.Cycles[i]
		return []any{c.ID, timeArg(c.Opens), timeArg(c.Closes), c.Policy}
	}}
	adv := table{name: "adverts", cols: []string{"id", "cycle", "landlord", "locality", "bedrooms", "bed_spaces", "type",
		"garden", "floor", "lift", "access", "sheltered", "min_age", "max_age", "legal_agreement_area", "ordering",
		"weekly_rent", "closes", "withdrawn"}, n: len(s.Adverts), row: func(i int) []any {
		a := &s.Adverts[i]
		return []any{a.ID, a.Cycle, a.Landlord, a.Locality, a.Bedrooms, a.BedSpaces, a.Type,
			a.Garden, a.Floor, a.Lift, string(a.Access), a.Sheltered, a.MinAge, a.MaxAge, a.LegalAgreementArea,
			string(a.Ordering), a.WeeklyRent, timeArg(a.Closes), a.Withdrawn}
	}}
	var lettings []child
	for i, a := range s.Adverts {
		for j := range a.LocalLettings {
			lettings = append(lettings, child{int32(i), int32(j), 0})
		}
	}
	let := table{name: "advert_local_lettings", cols: []string{"advert", "seq", "label", "fact", "is_value", "gte", "lte", "value"},
		n: len(lettings), row: func(i int) []any {
			c := lettings[i]
			a := &s.Adverts[c.a]
			l := &a.LocalLettings[c.j]
			return []any{a.ID, c.j + 1, l.Label, l.Fact, optArg(l.Is), optArg(l.Gte), optArg(l.Lte), l.Value}
		}}
	bid := table{name: "bids", cols: []string{"application", "advert", "placed", "autobid", "withdrawn", "placed_by"},
		n: len(s.Bids), row: func(i int) []any {
			b := &s.Bids[i]
			return []any{b.Application, b.Advert, timeArg(b.Placed), b.Autobid, timeArg(b.Withdrawn), b.By}
		}}
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

// dropEntryPartitions drops shortlist_entries' partitions (emptied with the register they
// belonged to), so the next close of a cycle with the same id makes its own.
func dropEntryPartitions(ctx context.Context, tx *sqlx.Tx) error {
	var names []string
	if err := tx.SelectContext(ctx, &names, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'shortlist_entries'::regclass ORDER BY c.relname`); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+pq.QuoteIdentifier(n)); err != nil {
			return err
		}
	}
	return nil
}
