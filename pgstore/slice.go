package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// loadSlice reads what decision d reads (allocation.Ledger.Slice says what: the same is
// read here from the tables): d's advert, the open-walk adverts d's application is ranked
// on and those of its open reviews, with their latest shortlists and walks and open
// nominations; d's application whole and every candidate on those adverts by status,
// with their open offers; the application's open reviews and household clock. Upkeep
// reads everything (loadStored).
func loadSlice(ctx context.Context, tx *sqlx.Tx, loc *time.Location, d allocation.Decision) (*allocation.Input, error) {
	if d.Kind == allocation.Upkeep {
		return loadStored(ctx, tx, loc)
	}
	in := &allocation.Input{}
	if err := tx.SelectContext(ctx, &in.Landlords, `SELECT id AS "id", name AS "name", council AS "council",
		nomination_share AS "nominationshare" FROM landlords ORDER BY id`); err != nil {
		return nil, fmt.Errorf("read landlords: %w", err)
	}
	var ids []int64
	if d.Advert != 0 {
		ids = append(ids, d.Advert)
	}
	var reviewed []int64
	if d.Application != 0 {
		var more []struct {
			Advert int64 `db:"advert"`
			Review bool  `db:"review"`
		}
		if err := tx.SelectContext(ctx, &more, `SELECT b.advert, false AS review FROM bids_all b
			LEFT JOIN walks w ON w.advert = b.advert
			WHERE b.application = $1 AND (w.status IS NULL OR w.status = 'open')
			UNION SELECT advert, true FROM reviews WHERE application = $1 AND outcome = '' AND advert <> 0`,
			d.Application); err != nil {
			return nil, fmt.Errorf("read the adverts of application %d: %w", d.Application, err)
		}
		for _, m := range more {
			ids = append(ids, m.Advert)
			if m.Review {
				reviewed = append(reviewed, m.Advert)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ads, err := readAdverts(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	whole := append([]int64{d.Advert}, reviewed...)
	sls, standing, err := readShortlistsWith(ctx, tx, ids, whole)
	if err != nil {
		return nil, err
	}
	// Keep d's advert and those d's application is ranked on (a bid skipped at close, or
	// placed on an advert not yet closed, is not on its walk).
	apps := map[int64]bool{}
	if d.Application != 0 {
		apps[d.Application] = true
	}
	keep := map[int64]bool{}
	for _, ad := range ads {
		keep[ad.ID] = ad.ID == d.Advert || slices.Contains(reviewed, ad.ID)
	}
	for _, sl := range sls {
		if !keep[sl.Advert] && !slices.ContainsFunc(sl.Ranked, func(e shortlist.Entry) bool { return e.Application == d.Application }) {
			continue
		}
		keep[sl.Advert] = true
		in.Shortlists = append(in.Shortlists, sl)
		for _, en := range sl.Ranked {
			apps[en.Application] = true
		}
	}
	var kept []int64
	for _, ad := range ads {
		if keep[ad.ID] {
			in.Adverts = append(in.Adverts, ad)
			kept = append(kept, ad.ID)
		}
	}
	if in.Walks, err = readWalks(ctx, tx, kept); err != nil {
		return nil, err
	}
	if in.Nominations, err = readNominations(ctx, tx, loc, `WHERE outcome = 'pending' AND advert = ANY($1)`, pq.Array(kept)); err != nil {
		return nil, err
	}
	if _, ok := apps[d.Application]; ok && d.Application != 0 {
		whole, err := readApplications(ctx, tx, oneApp(d.Application))
		if err != nil {
			return nil, fmt.Errorf("read application %d: %w", d.Application, err)
		}
		in.Applications = append(in.Applications, whole...)
	}
	others := make([]int64, 0, len(apps))
	for id := range apps {
		if id == d.Application {
			continue
		}
		others = append(others, id)
		st := standing[id]
		in.Applications = append(in.Applications, register.Application{ID: id, Status: st.status, StatusReason: st.reason})
	}
	slices.SortFunc(in.Applications, func(a, b register.Application) int { return int(a.ID - b.ID) })
	all := append(others, d.Application)
	if in.Offers, err = readOffers(ctx, tx, loc, `WHERE outcome = 'pending' AND application = ANY($1)`, pq.Array(all)); err != nil {
		return nil, err
	}
	if in.Reviews, err = readReviews(ctx, tx, `WHERE outcome = '' AND application = $1`, d.Application); err != nil {
		return nil, err
	}
	if in.Households, err = readHouseholds(ctx, tx, `WHERE application = $1`, d.Application); err != nil {
		return nil, err
	}
	return in, nil
}

// loadStored reads the whole register as it stands and everything kept of the
// allocation: the Input every stored walk continues from (for upkeep, the queue, and
// what an officer's screen shows).
func loadStored(ctx context.Context, tx *sqlx.Tx, loc *time.Location) (*allocation.Input, error) {
	in := &allocation.Input{}
	var err error
	if in.Applications, err = readApplications(ctx, tx, allApps); err != nil {
		return nil, fmt.Errorf("read the register: %w", err)
	}
	if err := tx.SelectContext(ctx, &in.Landlords, `SELECT id AS "id", name AS "name", council AS "council",
		nomination_share AS "nominationshare" FROM landlords ORDER BY id`); err != nil {
		return nil, fmt.Errorf("read landlords: %w", err)
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT DISTINCT advert FROM shortlists ORDER BY advert`); err != nil {
		return nil, fmt.Errorf("read shortlists: %w", err)
	}
	if in.Adverts, err = readAdverts(ctx, tx, ids); err != nil {
		return nil, err
	}
	if in.Shortlists, err = readShortlists(ctx, tx, ids); err != nil {
		return nil, err
	}
	if in.Walks, err = readWalks(ctx, tx, ids); err != nil {
		return nil, err
	}
	var last []struct {
		Application int64     `db:"application"`
		Placed      time.Time `db:"placed"`
	}
	if err := tx.SelectContext(ctx, &last, `SELECT application, max(placed) AS placed FROM bids_all GROUP BY application`); err != nil {
		return nil, fmt.Errorf("read bids: %w", err)
	}
	for _, b := range last {
		in.Bids = append(in.Bids, bidding.Bid{Application: b.Application, Placed: b.Placed.UTC()})
	}
	if in.Offers, err = readOffers(ctx, tx, loc, ``); err != nil {
		return nil, err
	}
	if in.Nominations, err = readNominations(ctx, tx, loc, `WHERE outcome = 'pending'`); err != nil {
		return nil, err
	}
	if in.Reviews, err = readReviews(ctx, tx, ``); err != nil {
		return nil, err
	}
	if in.Renewals, err = readRenewals(ctx, tx); err != nil {
		return nil, err
	}
	if in.Households, err = readHouseholds(ctx, tx, ``); err != nil {
		return nil, err
	}
	if err := tx.SelectContext(ctx, &in.Flagged, `SELECT application FROM no_bid_flags ORDER BY application`); err != nil {
		return nil, fmt.Errorf("read no-bid flags: %w", err)
	}
	return in, nil
}

// readAdverts reads the adverts ids names (what the walk reads of them, and what
// feedback prints).
func readAdverts(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]bidding.Advert, error) {
	var rows []advertRow
	if err := tx.SelectContext(ctx, &rows, `SELECT id, cycle, landlord, locality, bedrooms, bed_spaces, type,
		garden, floor, lift, access, sheltered, min_age, max_age, legal_agreement_area, ordering, weekly_rent,
		closes, withdrawn FROM adverts WHERE id = ANY($1) ORDER BY id`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read adverts: %w", err)
	}
	out := make([]bidding.Advert, len(rows))
	for i, r := range rows {
		out[i] = r.advert()
	}
	return out, nil
}

// standing is what a walk reads of a candidate: its status.
type standing struct {
	status register.Status
	reason string
}

// readShortlists reads the latest stored shortlist of each of the adverts ids names.
func readShortlists(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]shortlist.Shortlist, error) {
	sls, _, err := readShortlistsWith(ctx, tx, ids, ids)
	return sls, err
}

// readShortlistsWith is readShortlists that also reads each entry's application's status
// as the register holds it now, in the same query. Of the adverts not in whole it reads
// only the ranked entries' applications and positions: all a walk moved by a decision
// elsewhere reads (its skipped bids, bands and dates matter only to a decision on it).
func readShortlistsWith(ctx context.Context, tx *sqlx.Tx, ids, whole []int64) ([]shortlist.Shortlist, map[int64]standing, error) {
	var heads []struct {
		ID     int64  `db:"id"`
		Advert int64  `db:"advert"`
		Cycle  int64  `db:"cycle"`
		Policy string `db:"policy"`
	}
	if err := tx.SelectContext(ctx, &heads, `SELECT DISTINCT ON (advert) id, advert, cycle, policy
		FROM shortlists WHERE advert = ANY($1) ORDER BY advert, id DESC`, pq.Array(ids)); err != nil {
		return nil, nil, fmt.Errorf("read shortlists: %w", err)
	}
	out := make([]shortlist.Shortlist, len(heads))
	byID := make(map[int64]*shortlist.Shortlist, len(heads))
	var sids, cycles, light, lightCycles []int64
	for i, h := range heads {
		out[i] = shortlist.Shortlist{Advert: h.Advert, Policy: h.Policy, Ranked: []shortlist.Entry{}, Skipped: []shortlist.Entry{}}
		byID[h.ID] = &out[i]
		if slices.Contains(whole, h.Advert) {
			sids, cycles = append(sids, h.ID), append(cycles, h.Cycle)
		} else {
			light, lightCycles = append(light, h.ID), append(lightCycles, h.Cycle)
		}
	}
	var rows []struct {
		shortlistEntryRow
		Status       string `db:"status"`
		StatusReason string `db:"status_reason"`
	}
	// The cycles let PostgreSQL read only those cycles' partitions.
	if err := tx.SelectContext(ctx, &rows, `SELECT e.shortlist, e.application, e.position, e.skip, e.check_name,
		e.clause, e.note, e.skipped_by, e.skipped_at, e.band, e.effective, e.registered, e.autobid, e.placed,
		a.status, a.status_reason
		FROM shortlist_entries e JOIN applications a ON a.id = e.application
		WHERE e.shortlist = ANY($1) AND e.cycle = ANY($2) ORDER BY e.shortlist, e.position NULLS LAST, e.application`,
		pq.Array(sids), pq.Array(cycles)); err != nil {
		return nil, nil, fmt.Errorf("read shortlist entries: %w", err)
	}
	st := make(map[int64]standing, len(rows))
	for i := range rows {
		st[rows[i].Application] = standing{status: register.Status(rows[i].Status), reason: rows[i].StatusReason}
		sl := byID[rows[i].Shortlist]
		e := rows[i].shortlistEntryRow.entry(sl.Advert)
		if rows[i].Position.Valid {
			sl.Ranked = append(sl.Ranked, e)
		} else {
			sl.Skipped = append(sl.Skipped, e)
		}
	}
	if len(light) == 0 {
		return out, st, nil
	}
	var ranked []struct {
		Shortlist    int64  `db:"shortlist"`
		Application  int64  `db:"application"`
		Position     int    `db:"position"`
		Status       string `db:"status"`
		StatusReason string `db:"status_reason"`
	}
	if err := tx.SelectContext(ctx, &ranked, `SELECT e.shortlist, e.application, e.position, a.status, a.status_reason
		FROM shortlist_entries e JOIN applications a ON a.id = e.application
		WHERE e.shortlist = ANY($1) AND e.cycle = ANY($2) AND e.position IS NOT NULL ORDER BY e.shortlist, e.position`,
		pq.Array(light), pq.Array(lightCycles)); err != nil {
		return nil, nil, fmt.Errorf("read shortlist entries: %w", err)
	}
	for _, r := range ranked {
		st[r.Application] = standing{status: register.Status(r.Status), reason: r.StatusReason}
		sl := byID[r.Shortlist]
		sl.Ranked = append(sl.Ranked, shortlist.Entry{Application: r.Application, Advert: sl.Advert, Position: r.Position})
	}
	return out, st, nil
}

func readWalks(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]allocation.AdvertWalk, error) {
	var rows []struct {
		Advert    int64         `db:"advert"`
		Status    string        `db:"status"`
		Round     int           `db:"round"`
		Verifying bool          `db:"verifying"`
		Offers    int           `db:"offers"`
		Tenant    sql.NullInt64 `db:"tenant"`
		Since     time.Time     `db:"since"`
		Last      sql.NullTime  `db:"last"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT advert, status, round, verifying, offers, tenant, since, last
		FROM walks WHERE advert = ANY($1) ORDER BY advert`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read walks: %w", err)
	}
	out := make([]allocation.AdvertWalk, len(rows))
	at := make(map[int64]*allocation.AdvertWalk, len(rows))
	for i, r := range rows {
		out[i] = allocation.AdvertWalk{Advert: r.Advert, Status: r.Status, Round: r.Round, Verifying: r.Verifying,
			Offers: r.Offers, Tenant: r.Tenant.Int64, Since: register.DateOf(r.Since), Last: date(r.Last),
			Entries: []allocation.WalkEntry{}}
		at[r.Advert] = &out[i]
	}
	var entries []struct {
		Advert      int64  `db:"advert"`
		Application int64  `db:"application"`
		State       string `db:"state"`
		Code        string `db:"code"`
	}
	if err := tx.SelectContext(ctx, &entries, `SELECT advert, application, state, code FROM walk_entries
		WHERE advert = ANY($1) ORDER BY advert, application`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read walk entries: %w", err)
	}
	for _, e := range entries {
		w := at[e.Advert]
		w.Entries = append(w.Entries, allocation.WalkEntry{Application: e.Application, State: e.State, Code: e.Code})
	}
	return out, nil
}

type offerRow struct {
	Advert      int64          `db:"advert"`
	Application int64          `db:"application"`
	Position    int            `db:"position"`
	Made        time.Time      `db:"made"`
	Resolved    sql.NullTime   `db:"resolved"`
	Outcome     string         `db:"outcome"`
	Kind        sql.NullString `db:"refusal_kind"`
	Counted     bool           `db:"counted"`
	Landlord    bool           `db:"landlord"`
}

// readOffers reads the offers where selects (a WHERE clause on offers, args its
// parameters), in (advert, application) order. Dates are in the scheme's time zone: made
// and resolved are stored as moments, the engine keeps days.
func readOffers(ctx context.Context, tx *sqlx.Tx, loc *time.Location, where string, args ...any) ([]allocation.Offer, error) {
	var rows []offerRow
	if err := tx.SelectContext(ctx, &rows, `SELECT advert, application, position, made_at AS made,
		resolved_at AS resolved, outcome, refusal_kind, counted, landlord
		FROM offers `+where+` ORDER BY advert, application`, args...); err != nil {
		return nil, fmt.Errorf("read offers: %w", err)
	}
	out := make([]allocation.Offer, len(rows))
	for i, r := range rows {
		o := allocation.Offer{Advert: r.Advert, Application: r.Application, Position: r.Position,
			Made: dayIn(r.Made, loc), Resolved: nullDayIn(r.Resolved, loc), Counted: r.Counted, Landlord: r.Landlord}
		switch r.Outcome {
		case "pending":
		case "refused":
			o.Outcome = r.Kind.String
		default:
			o.Outcome = r.Outcome
		}
		out[i] = o
	}
	return out, nil
}

// dayIn is the day of moment t in loc (the scheme's time zone).
func dayIn(t time.Time, loc *time.Location) register.Date { return register.DateOf(t.In(loc)) }

func nullDayIn(t sql.NullTime, loc *time.Location) register.Date {
	if !t.Valid {
		return 0
	}
	return dayIn(t.Time, loc)
}

func readNominations(ctx context.Context, tx *sqlx.Tx, loc *time.Location, where string, args ...any) ([]allocation.Nomination, error) {
	var rows []struct {
		Advert      int64        `db:"advert"`
		Application int64        `db:"application"`
		Landlord    string       `db:"landlord"`
		Batch       int          `db:"batch"`
		Position    int          `db:"position"`
		Sent        time.Time    `db:"sent"`
		Decided     sql.NullTime `db:"decided"`
		Outcome     string       `db:"outcome"`
		Reason      string       `db:"reason"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT advert, application, landlord, batch, position,
		sent_at AS sent, decided_at AS decided, outcome, reason
		FROM nominations `+where+` ORDER BY advert, application`, args...); err != nil {
		return nil, fmt.Errorf("read nominations: %w", err)
	}
	out := make([]allocation.Nomination, len(rows))
	for i, r := range rows {
		n := allocation.Nomination{Advert: r.Advert, Landlord: r.Landlord, Round: r.Batch, Application: r.Application,
			Position: r.Position, Sent: dayIn(r.Sent, loc), Decided: nullDayIn(r.Decided, loc)}
		switch r.Outcome {
		case "pending":
		case "rejected":
			n.Outcome, n.Code = "rejected", r.Reason
		case "closed":
			n.Outcome = r.Reason
		default:
			n.Outcome = r.Outcome
		}
		out[i] = n
	}
	return out, nil
}

func readReviews(ctx context.Context, tx *sqlx.Tx, where string, args ...any) ([]allocation.Review, error) {
	var rows []struct {
		Application int64        `db:"application"`
		Subject     string       `db:"subject"`
		Of          time.Time    `db:"of_date"`
		Advert      int64        `db:"advert"`
		Requested   time.Time    `db:"requested"`
		Decided     sql.NullTime `db:"decided"`
		Outcome     string       `db:"outcome"`
		By          string       `db:"decided_by"`
		Reason      string       `db:"reason"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT application, subject, of_date, advert, requested, decided, outcome,
		decided_by, reason FROM reviews `+where+` ORDER BY requested, application, subject, of_date, advert`, args...); err != nil {
		return nil, fmt.Errorf("read reviews: %w", err)
	}
	out := make([]allocation.Review, len(rows))
	for i, r := range rows {
		out[i] = allocation.Review{Application: r.Application, Subject: r.Subject, Of: register.DateOf(r.Of),
			Advert: r.Advert, Requested: register.DateOf(r.Requested), Decided: date(r.Decided), Outcome: r.Outcome,
			By: r.By, Reason: r.Reason}
	}
	return out, nil
}

func readHouseholds(ctx context.Context, tx *sqlx.Tx, where string, args ...any) ([]allocation.Household, error) {
	var rows []struct {
		Application int64     `db:"application"`
		Last        time.Time `db:"last"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT application, last FROM household_clocks `+where+` ORDER BY application`, args...); err != nil {
		return nil, fmt.Errorf("read household clocks: %w", err)
	}
	out := make([]allocation.Household, len(rows))
	for i, r := range rows {
		out[i] = allocation.Household{Application: r.Application, Last: register.DateOf(r.Last)}
	}
	return out, nil
}

// ErrStale means the stored allocation does not hold what the record implies (decisions
// recorded before it was kept, or a register replaced under the record): run Rebuild.
var ErrStale = errors.New("the stored allocation state is behind the record of decisions: run cbl decisions --rebuild (docs/cli.md)")

func checkFresh(ctx context.Context, tx *sqlx.Tx) error {
	var stale bool
	if err := tx.GetContext(ctx, &stale, `SELECT stale FROM allocation_state`); err != nil {
		return fmt.Errorf("read allocation_state: %w", err)
	}
	if stale {
		return ErrStale
	}
	return nil
}
