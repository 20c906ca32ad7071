package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// asWriter marks tx as cbl's, the only writer of the state kept from the record (the
// database refuses other writes to it: migration 0008).
func asWriter(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `SET LOCAL cbl.writer = 'on'`); err != nil {
		return fmt.Errorf("write the kept state: %w", err)
	}
	return nil
}

// writeStep persists what decision rec changed (step): the offers, nominations, lets,
// reviews, renewals, sanctions, walks, household clocks and no-bid flags it made or
// moved. Rows made or resolved get rec.At as their moment; rows already held keep
// theirs. The decisions row, the events and the register write-back are the caller's.
func writeStep(ctx context.Context, tx *sqlx.Tx, rec Recorded, st *allocation.Step) error {
	d := rec.Decision
	for _, o := range st.Offers {
		outcome, kind := "pending", any(nil)
		var resolved any
		switch o.Outcome {
		case allocation.OfferOpen:
		case allocation.OfferAccepted, allocation.OfferWithdrawn:
			outcome, resolved = o.Outcome, rec.At
		default: // refused, no_reply, no_viewing
			outcome, kind, resolved = "refused", o.Outcome, rec.At
		}
		final := d.Kind == allocation.Refuse && d.Final && d.Advert == o.Advert && d.Application == o.Application
		if _, err := tx.ExecContext(ctx, `INSERT INTO offers (advert, application, made_at, outcome, resolved_at,
			refusal_kind, counted, final, recorded_by, position, landlord)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (advert, application) DO UPDATE SET outcome = EXCLUDED.outcome,
				resolved_at = coalesce(offers.resolved_at, greatest(offers.made_at, EXCLUDED.resolved_at)),
				refusal_kind = EXCLUDED.refusal_kind, counted = EXCLUDED.counted, final = offers.final OR EXCLUDED.final,
				recorded_by = EXCLUDED.recorded_by`,
			o.Advert, o.Application, rec.At, outcome, resolved, kind, o.Counted, final, rec.Actor, o.Position, o.Landlord); err != nil {
			return fmt.Errorf("offer of advert %d to %d: %w", o.Advert, o.Application, err)
		}
	}
	for _, n := range st.Nominations {
		outcome, reason := "pending", ""
		var decided any
		switch n.Outcome {
		case "":
		case "accepted":
			outcome, decided = "accepted", rec.At
		case "rejected":
			outcome, reason, decided = "rejected", n.Code, rec.At
		default: // advert_let, or the skip code of a nominee the walk passed over
			outcome, reason, decided = "closed", n.Outcome, rec.At
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO nominations (advert, application, landlord, batch, sent_at,
			outcome, reason, decided_at, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (advert, application) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
				decided_at = coalesce(nominations.decided_at, greatest(nominations.sent_at, EXCLUDED.decided_at))`,
			n.Advert, n.Application, n.Landlord, n.Round, rec.At, outcome, reason, decided, n.Position); err != nil {
			return fmt.Errorf("nomination of %d on advert %d: %w", n.Application, n.Advert, err)
		}
	}
	for _, l := range st.Lets {
		skips := map[string]int{}
		for _, s := range l.Skips {
			skips[s.Code] = s.Count
		}
		counts, err := json.Marshal(skips)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lets (advert, application, let_on, direct, direct_reason,
			authorised_by, band, effective, bids_received, eligible_bids, skip_counts, route, category, position,
			offered, days_effective_to_offer, offers_before_acceptance)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			l.Advert, l.Application, dateArg(l.On), l.Route == allocation.RouteDirect, l.Reason, l.Authoriser,
			bandArg(l.Band), dateArg(l.Effective), l.BidsReceived, l.EligibleBids, counts, l.Route, l.Category,
			l.Position, dateArg(l.Offered), l.DaysEffectiveToOffer, l.OffersBeforeAcceptance); err != nil {
			return fmt.Errorf("let of advert %d: %w", l.Advert, err)
		}
	}
	for _, r := range st.Reviews {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (application, subject, of_date, advert, requested,
			decided, outcome, decided_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (application, subject, of_date, advert, requested) DO UPDATE SET decided = EXCLUDED.decided,
				outcome = EXCLUDED.outcome, decided_by = EXCLUDED.decided_by, reason = EXCLUDED.reason`,
			r.Application, r.Subject, dateArg(r.Of), r.Advert, dateArg(r.Requested), dateArg(r.Decided), r.Outcome,
			r.By, r.Reason); err != nil {
			return fmt.Errorf("review of application %d: %w", r.Application, err)
		}
	}
	for _, r := range st.Renewals {
		if _, err := tx.ExecContext(ctx, `INSERT INTO renewals (application, renewed_on, renewed_by) VALUES ($1, $2, $3)`,
			r.Application, dateArg(r.On), r.By); err != nil {
			return fmt.Errorf("renewal of application %d: %w", r.Application, err)
		}
	}
	for _, s := range st.Sanctions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanctions (application, kind, imposed_on, until, reason, adverts, criteria)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.Application, s.Kind, dateArg(s.On), dateArg(s.Until), s.Reason,
			pq.Array(s.Adverts), pq.Array(nonNilStrings(s.Criteria))); err != nil {
			return fmt.Errorf("sanction of application %d: %w", s.Application, err)
		}
	}
	for _, w := range st.Walks {
		if err := putWalk(ctx, tx, w); err != nil {
			return err
		}
	}
	for _, h := range st.Households {
		if _, err := tx.ExecContext(ctx, `INSERT INTO household_clocks (application, last) VALUES ($1, $2)
			ON CONFLICT (application) DO UPDATE SET last = EXCLUDED.last`, h.Application, dateArg(h.Last)); err != nil {
			return fmt.Errorf("household clock of application %d: %w", h.Application, err)
		}
	}
	if len(st.Flagged) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO no_bid_flags (application) SELECT unnest($1::bigint[])
			ON CONFLICT DO NOTHING`, pq.Array(st.Flagged)); err != nil {
			return fmt.Errorf("no-bid flags: %w", err)
		}
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// putWalk writes where advert w.Advert's walk stands.
func putWalk(ctx context.Context, tx *sqlx.Tx, w allocation.AdvertWalk) error {
	fail := func(err error) error { return fmt.Errorf("walk of advert %d: %w", w.Advert, err) }
	if _, err := tx.ExecContext(ctx, `INSERT INTO walks (advert, status, round, verifying, offers, tenant, since, last)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (advert) DO UPDATE SET status = EXCLUDED.status, round = EXCLUDED.round,
			verifying = EXCLUDED.verifying, offers = EXCLUDED.offers, tenant = EXCLUDED.tenant,
			since = EXCLUDED.since, last = EXCLUDED.last`,
		w.Advert, w.Status, w.Round, w.Verifying, w.Offers, nullID(w.Tenant), dateArg(w.Since), dateArg(w.Last)); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM walk_entries WHERE advert = $1`, w.Advert); err != nil {
		return fail(err)
	}
	if len(w.Entries) == 0 {
		return nil
	}
	apps, states, codes := make([]int64, len(w.Entries)), make([]string, len(w.Entries)), make([]string, len(w.Entries))
	for i, e := range w.Entries {
		apps[i], states[i], codes[i] = e.Application, e.State, e.Code
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO walk_entries (advert, application, state, code)
		SELECT $1, unnest($2::bigint[]), unnest($3::text[]), unnest($4::text[])`,
		w.Advert, pq.Array(apps), pq.Array(states), pq.Array(codes)); err != nil {
		return fail(err)
	}
	return nil
}

// writeEvents appends the events of decision rec's step, each at rec.At.
func writeEvents(ctx context.Context, tx *sqlx.Tx, rec Recorded, events []allocation.Event) error {
	for _, ev := range events {
		detail, err := json.Marshal(map[string]any{"decision": rec.Seq, "on": ev.At, "detail": ev.Detail})
		if err != nil {
			return err
		}
		if _, err := AppendEvent(ctx, tx, Event{At: rec.At, Actor: ev.Actor, Kind: ev.Kind, Application: ev.Application,
			Advert: ev.Advert, Reason: ev.Reason, Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

// writeApplications writes back to the register the applications step changed (status,
// band history, overrides, refusals), keeping each one's state before the record first
// changed it in register_base (what the audit replays from), with an events row per
// change at rec.At by rec.Actor.
func writeApplications(ctx context.Context, tx *sqlx.Tx, rec Recorded, step *allocation.Step) error {
	for _, c := range step.Applications {
		from, to := stateOf(&c.Before), stateOf(&c.After)
		if from.equal(to) {
			continue
		}
		if err := keepBase(ctx, tx, c.After.ID, rec.Seq, from); err != nil {
			return err
		}
		if err := putState(ctx, tx, c.After.ID, to); err != nil {
			return err
		}
		for _, ev := range changeEvents(c.After.ID, from, to) {
			ev.At, ev.Actor = rec.At, rec.Actor
			if err := appendChange(ctx, tx, ev, rec.Seq, string(rec.Kind)); err != nil {
				return err
			}
		}
	}
	return nil
}
