package pgstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The audit: the record of decisions is the authority, and what Decide keeps of each
// step must equal what replaying the whole record gives. Verify proves it (naming the
// first difference); Rebuild rewrites the kept state from the record. Both replay from
// the register as it stood before decisions changed it (register_base, writeback.go).

// record is the replay's input: the register before the decisions, every stored
// shortlist, the record, and the register as the tables hold it for each application
// the record changed.
type record struct {
	in        *allocation.Input
	cycles    []bidding.Cycle
	decisions []Recorded
	held      map[int64]regState
}

func loadRecord(ctx context.Context, tx *sqlx.Tx) (*record, error) {
	s := &snapshot.Snapshot{}
	for _, step := range []func(context.Context, *sqlx.Tx, *snapshot.Snapshot) error{
		exportApplications, exportLandlords, exportCycles, exportAdverts, exportBids,
	} {
		if err := step(ctx, tx, s); err != nil {
			return nil, fmt.Errorf("load the register: %w", err)
		}
	}
	held, err := loadBases(ctx, tx, s.Applications)
	if err != nil {
		return nil, err
	}
	r := &record{cycles: s.Cycles, held: held}
	if r.decisions, err = loadDecisions(ctx, tx); err != nil {
		return nil, err
	}
	shortlists, err := loadShortlists(ctx, tx)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, sl := range shortlists {
		want[sl.Advert] = true
	}
	for _, d := range r.decisions {
		if d.Advert != 0 {
			want[d.Advert] = true
		}
	}
	in := &allocation.Input{Applications: s.Applications, Landlords: s.Landlords, Shortlists: shortlists, Bids: s.Bids}
	for _, ad := range s.Adverts {
		if want[ad.ID] {
			in.Adverts = append(in.Adverts, ad)
		}
	}
	if in.Policy, err = currentPolicy(ctx, tx); err != nil {
		return nil, err
	}
	r.in = in
	return r, nil
}

// replayed is the whole record applied to the register before it, step by step.
type replayed struct {
	walk  *allocation.Walk
	fresh []allocation.AdvertWalk // every walk before any decision
	steps []*allocation.Step
}

// replay applies every recorded decision, each under the policy it was applied under.
func (r *record) replay(each func(Recorded, *allocation.Step) error) (*replayed, error) {
	w, err := allocation.Start(r.in)
	if err != nil {
		return nil, err
	}
	out := &replayed{walk: w, fresh: w.Walks()}
	voided := map[int64]bool{}
	for _, rec := range r.decisions {
		if rec.Kind == allocation.Void {
			voided[rec.Voids] = true
		}
	}
	for _, rec := range r.decisions {
		if voided[rec.Seq] {
			continue // recorded wrongly: the record keeps it, the state leaves it out
		}
		p, err := recordPolicy(rec, r.in.Policy)
		if err != nil {
			return nil, err
		}
		w.SetPolicy(p)
		step, err := w.Apply(rec.Decision)
		var de *allocation.DecisionError
		if errors.As(err, &de) {
			return nil, fmt.Errorf("replay the recorded decisions: decision %d (%s at %s by %s) no longer applies to the register and shortlists held: %s: %s",
				rec.Seq, rec.Kind, rec.At.Format(time.RFC3339), rec.Actor, de.Field, de.Msg)
		}
		if err != nil {
			return nil, fmt.Errorf("replay the recorded decisions: %w", err)
		}
		if each != nil {
			if err := each(rec, step); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Audit is what Verify found: how many decisions it replayed, and the first difference
// between what is stored and what the record gives ("" if none).
type Audit struct {
	Decisions  int    `json:"decisions"`
	Difference string `json:"difference"`
}

// Verify replays the whole record from the register as it stood before the decisions
// and compares the result with what Decide stored: walks, offers, nominations, lets,
// reviews, renewals, sanctions, household clocks and the register rows decisions change.
// It writes nothing.
func Verify(ctx context.Context, db *sqlx.DB) (*Audit, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := checkFresh(ctx, tx); err != nil {
		return nil, err
	}
	r, err := loadRecord(ctx, tx)
	if err != nil {
		return nil, err
	}
	rp, err := r.replay(nil)
	if err != nil {
		return nil, err
	}
	a := &Audit{Decisions: len(r.decisions)}
	a.Difference, err = r.compare(ctx, tx, rp)
	if err != nil {
		return nil, err
	}
	return a, tx.Commit()
}

// compare names the first difference between what tx holds and the replay.
func (r *record) compare(ctx context.Context, tx *sqlx.Tx, rp *replayed) (string, error) {
	loc := locationOf(r.in.Policy)
	res := rp.walk.Result()
	ids := make([]int64, len(r.in.Adverts))
	for i, ad := range r.in.Adverts {
		ids[i] = ad.ID
	}
	stored, err := readWalks(ctx, tx, ids)
	if err != nil {
		return "", err
	}
	held := map[int64]allocation.AdvertWalk{}
	for _, w := range stored {
		held[w.Advert] = w
	}
	fresh := map[int64]allocation.AdvertWalk{}
	for _, w := range rp.fresh {
		fresh[w.Advert] = w
	}
	for _, want := range rp.walk.Walks() {
		got, ok := held[want.Advert]
		if !ok {
			if asJSON(want) == asJSON(fresh[want.Advert]) {
				continue // never reached: nothing stored
			}
			return fmt.Sprintf("walk of advert %d: none stored; the record gives %s", want.Advert, asJSON(want)), nil
		}
		if g, w := asJSON(got), asJSON(want); g != w {
			return fmt.Sprintf("walk of advert %d: stored %s; the record gives %s", want.Advert, g, w), nil
		}
		delete(held, want.Advert)
	}
	for _, id := range slices.Sorted(maps.Keys(held)) {
		return fmt.Sprintf("walk of advert %d: stored, but the record never reaches it", id), nil
	}
	offers, err := readOffers(ctx, tx, loc, ``)
	if err != nil {
		return "", err
	}
	if diff := firstDiff("offer", offers, sortedBy(res.Offers, func(o allocation.Offer) [2]int64 { return [2]int64{o.Advert, o.Application} })); diff != "" {
		return diff, nil
	}
	noms, err := readNominations(ctx, tx, loc, ``)
	if err != nil {
		return "", err
	}
	if diff := firstDiff("nomination", noms, sortedBy(res.Nominations, func(n allocation.Nomination) [2]int64 { return [2]int64{n.Advert, n.Application} })); diff != "" {
		return diff, nil
	}
	lets, err := readLets(ctx, tx, ``)
	if err != nil {
		return "", err
	}
	if diff := firstDiff("let", lets, sortedBy(res.Lets, func(l allocation.Let) [2]int64 { return [2]int64{l.Advert, 0} })); diff != "" {
		return diff, nil
	}
	reviews, err := readReviews(ctx, tx, ``)
	if err != nil {
		return "", err
	}
	wantReviews := slices.Clone(res.Reviews)
	slices.SortStableFunc(wantReviews, func(a, b allocation.Review) int {
		return cmp.Or(cmp.Compare(a.Requested, b.Requested), cmp.Compare(a.Application, b.Application),
			cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Of, b.Of), cmp.Compare(a.Advert, b.Advert))
	})
	if diff := firstDiff("review", reviews, wantReviews); diff != "" {
		return diff, nil
	}
	renewals, err := readRenewals(ctx, tx)
	if err != nil {
		return "", err
	}
	if diff := firstDiff("renewal", renewals, res.Renewals); diff != "" {
		return diff, nil
	}
	sanctions, err := readSanctions(ctx, tx)
	if err != nil {
		return "", err
	}
	if diff := firstDiff("sanction", sanctions, res.Sanctions); diff != "" {
		return diff, nil
	}
	households, err := readHouseholds(ctx, tx, ``)
	if err != nil {
		return "", err
	}
	if diff := firstDiff("household clock", households, rp.walk.Households()); diff != "" {
		return diff, nil
	}
	// The register rows decisions change: as the record leaves each application it
	// changed, and as before the record for those it no longer changes.
	changed := map[int64]regState{}
	for i := range res.Applications {
		a := &res.Applications[i]
		if base := inputApp(r.in, a.ID); base != nil && !stateOf(a).equal(stateOf(base)) {
			changed[a.ID] = stateOf(a)
		}
	}
	ids = slices.Sorted(maps.Keys(changed))
	for id := range r.held {
		if _, ok := changed[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	apps, err := readApplications(ctx, tx, allApps)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		i, ok := slices.BinarySearchFunc(apps, id, byID)
		if !ok {
			return fmt.Sprintf("application %d: not in the register; the record changes it", id), nil
		}
		want, ok := changed[id]
		if !ok {
			want = stateOf(inputApp(r.in, id))
		}
		if got := stateOf(&apps[i]); !got.equal(want) {
			return fmt.Sprintf("application %d: the register holds %s; the record gives %s", id, asJSON(got), asJSON(want)), nil
		}
	}
	return "", nil
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortedBy[T any](s []T, key func(T) [2]int64) []T {
	out := slices.Clone(s)
	slices.SortStableFunc(out, func(a, b T) int { return cmpKey2(key(a), key(b)) })
	return out
}

func cmpKey2(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }

// firstDiff names the first row where stored and want differ.
func firstDiff[T any](what string, stored, want []T) string {
	for i := range max(len(stored), len(want)) {
		switch {
		case i >= len(stored):
			return fmt.Sprintf("%s %s: not stored; the record gives it", what, asJSON(want[i]))
		case i >= len(want):
			return fmt.Sprintf("%s %s: stored; the record does not give it", what, asJSON(stored[i]))
		}
		if g, w := asJSON(stored[i]), asJSON(want[i]); g != w {
			return fmt.Sprintf("%s: stored %s; the record gives %s", what, g, w)
		}
	}
	return ""
}

// Rebuild rewrites everything Decide keeps from the record: it empties the offers,
// nominations, lets, walks, reviews, renewals, sanctions, household clocks and no-bid
// flags, replays the recorded decisions one at a time from the register as it stood
// before them and writes each step with its decision's time, as Decide did. It also
// leaves the register in the state the record implies: every application the decisions
// change holds its state after them (with its state before in register_base), and one
// they no longer change gets its state before back. Use it when the kept state no longer
// matches the record (a register replaced and its cycles closed again, a database
// migrated from before cbl kept it). Only register rows it changes get an events row
// (actor "rebuild"). It returns the number of decisions replayed.
func Rebuild(ctx context.Context, db *sqlx.DB) (int, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return 0, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, decideLockKey); err != nil {
		return 0, fmt.Errorf("lock decisions: %w", err)
	}
	n, err := rebuild(ctx, tx)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// rebuild is Rebuild inside tx, which holds the decisions lock.
func rebuild(ctx context.Context, tx *sqlx.Tx) (int, error) {
	r, err := loadRecord(ctx, tx)
	if err != nil {
		return 0, err
	}
	if err := asWriter(ctx, tx); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM offers; DELETE FROM nominations; DELETE FROM lets;
		DELETE FROM walks; DELETE FROM reviews; DELETE FROM renewals; DELETE FROM sanctions;
		DELETE FROM household_clocks; DELETE FROM no_bid_flags; UPDATE allocation_state SET stale = false`); err != nil {
		return 0, fmt.Errorf("rebuild: %w", err)
	}
	first := map[int64]int64{} // application -> the first decision that changed its register state
	rp, err := r.replay(func(rec Recorded, step *allocation.Step) error {
		for _, c := range step.Applications {
			if _, ok := first[c.After.ID]; !ok && !stateOf(&c.After).equal(stateOf(&c.Before)) {
				first[c.After.ID] = rec.Seq
			}
		}
		return writeStep(ctx, tx, rec, step)
	})
	if err != nil {
		return 0, err
	}
	if err := r.rebuildRegister(ctx, tx, rp.walk.Result(), first); err != nil {
		return 0, err
	}
	return len(r.decisions), nil
}

// rebuildRegister writes the register state res implies: first lists the applications
// the record changes (with the decision that first did).
func (r *record) rebuildRegister(ctx context.Context, tx *sqlx.Tx, res *allocation.Result, first map[int64]int64) error {
	want := map[int64]regState{}
	for i := range res.Applications {
		a := &res.Applications[i]
		if seq, ok := first[a.ID]; ok {
			want[a.ID] = stateOf(a)
			if err := keepBase(ctx, tx, a.ID, seq, stateOf(inputApp(r.in, a.ID))); err != nil {
				return err
			}
		}
	}
	for id := range r.held {
		if _, ok := want[id]; !ok {
			want[id] = stateOf(inputApp(r.in, id))
			if _, err := tx.ExecContext(ctx, `DELETE FROM register_base WHERE application = $1`, id); err != nil {
				return fmt.Errorf("rebuild: %w", err)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		cur, ok := r.held[id]
		if !ok {
			cur = stateOf(inputApp(r.in, id))
		}
		to := want[id]
		if cur.equal(to) {
			continue
		}
		if err := putState(ctx, tx, id, to); err != nil {
			return err
		}
		for _, c := range changeEvents(id, cur, to) {
			c.Actor = "rebuild"
			if err := appendChange(ctx, tx, c, 0, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// readLets reads the lets (where: a WHERE clause on lets), by advert.
func readLets(ctx context.Context, tx *sqlx.Tx, where string, args ...any) ([]allocation.Let, error) {
	var rows []struct {
		Advert     int64          `db:"advert"`
		Landlord   string         `db:"landlord"`
		App        int64          `db:"application"`
		On         time.Time      `db:"let_on"`
		Route      string         `db:"route"`
		Category   string         `db:"category"`
		Authoriser string         `db:"authorised_by"`
		Reason     string         `db:"direct_reason"`
		Bids       int            `db:"bids_received"`
		Eligible   int            `db:"eligible_bids"`
		Skips      []byte         `db:"skip_counts"`
		Band       sql.NullString `db:"band"`
		Effective  sql.NullTime   `db:"effective"`
		Position   int            `db:"position"`
		Offered    sql.NullTime   `db:"offered"`
		Days       int            `db:"days_effective_to_offer"`
		Before     int            `db:"offers_before_acceptance"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT l.advert, a.landlord, l.application, l.let_on, l.route, l.category,
		l.authorised_by, l.direct_reason, l.bids_received, l.eligible_bids, l.skip_counts, l.band, l.effective,
		l.position, l.offered, l.days_effective_to_offer, l.offers_before_acceptance
		FROM lets l JOIN adverts a ON a.id = l.advert `+where+` ORDER BY l.advert`, args...); err != nil {
		return nil, fmt.Errorf("read lets: %w", err)
	}
	out := make([]allocation.Let, len(rows))
	for i, r := range rows {
		var counts map[string]int
		if err := json.Unmarshal(r.Skips, &counts); err != nil {
			return nil, fmt.Errorf("let of advert %d: skip_counts: %w", r.Advert, err)
		}
		skips := []allocation.SkipCount{}
		for _, code := range slices.Sorted(maps.Keys(counts)) {
			skips = append(skips, allocation.SkipCount{Code: code, Count: counts[code]})
		}
		out[i] = allocation.Let{Advert: r.Advert, Landlord: r.Landlord, Application: r.App, On: register.DateOf(r.On),
			Route: r.Route, Category: r.Category, Authoriser: r.Authoriser, Reason: r.Reason, BidsReceived: r.Bids,
			EligibleBids: r.Eligible, Skips: skipOrder(skips), Band: band(r.Band), Effective: date(r.Effective),
			Position: r.Position, Offered: date(r.Offered), DaysEffectiveToOffer: r.Days, OffersBeforeAcceptance: r.Before}
	}
	return out, nil
}

// skipOrder puts skip counts in the order of shortlist.Codes, as the engine gives them.
func skipOrder(s []allocation.SkipCount) []allocation.SkipCount {
	slices.SortStableFunc(s, func(a, b allocation.SkipCount) int {
		return cmp.Compare(codeIndex(a.Code), codeIndex(b.Code))
	})
	return s
}

func codeIndex(code string) int { return slices.Index(shortlist.Codes, code) }

func readRenewals(ctx context.Context, tx *sqlx.Tx) ([]allocation.Renewal, error) {
	var rows []struct {
		App int64     `db:"application"`
		On  time.Time `db:"renewed_on"`
		By  string    `db:"renewed_by"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT application, renewed_on, renewed_by FROM renewals ORDER BY id`); err != nil {
		return nil, fmt.Errorf("read renewals: %w", err)
	}
	out := make([]allocation.Renewal, len(rows))
	for i, r := range rows {
		out[i] = allocation.Renewal{Application: r.App, On: register.DateOf(r.On), By: r.By}
	}
	return out, nil
}

func readSanctions(ctx context.Context, tx *sqlx.Tx) ([]allocation.Sanction, error) {
	var rows []struct {
		App      int64          `db:"application"`
		Kind     string         `db:"kind"`
		On       time.Time      `db:"imposed_on"`
		Until    sql.NullTime   `db:"until"`
		Reason   string         `db:"reason"`
		Adverts  pq.Int64Array  `db:"adverts"`
		Criteria pq.StringArray `db:"criteria"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT application, kind, imposed_on, until, reason, adverts, criteria
		FROM sanctions ORDER BY id`); err != nil {
		return nil, fmt.Errorf("read sanctions: %w", err)
	}
	out := make([]allocation.Sanction, len(rows))
	for i, r := range rows {
		out[i] = allocation.Sanction{Application: r.App, Kind: r.Kind, On: register.DateOf(r.On), Until: date(r.Until),
			Reason: r.Reason, Adverts: []int64(r.Adverts)}
		if len(r.Criteria) > 0 {
			out[i].Criteria = []string(r.Criteria)
		}
	}
	return out, nil
}
