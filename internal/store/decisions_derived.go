package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/jmoiron/sqlx"
)

// writeDerived upserts the offers and nominations rec changed and inserts the lets it
// made, comparing the replay before rec with st.Result. A row's timestamps are rec.At
// when it is made or resolved; rows already held keep theirs.
func writeDerived(ctx context.Context, tx *sqlx.Tx, st *State, before *allocation.Result, rec Recorded) error {
	after := st.Result
	final := map[[2]int64]bool{}
	for _, d := range st.Decisions {
		if d.Kind == allocation.Refuse && d.Final {
			final[[2]int64{d.Advert, d.Application}] = true
		}
	}
	for i, o := range after.Offers {
		if i < len(before.Offers) && before.Offers[i] == o {
			continue
		}
		outcome, kind := "pending", any(nil)
		var resolved any
		switch o.Outcome {
		case allocation.OfferOpen:
		case allocation.OfferAccepted, allocation.OfferWithdrawn:
			outcome, resolved = o.Outcome, rec.At
		default: // refused, no_reply, no_viewing
			outcome, kind, resolved = "refused", o.Outcome, rec.At
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO offers (advert, application, made_at, outcome, resolved_at,
			refusal_kind, counted, final, recorded_by, position, landlord)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (advert, application) DO UPDATE SET outcome = EXCLUDED.outcome,
				resolved_at = coalesce(offers.resolved_at, EXCLUDED.resolved_at), refusal_kind = EXCLUDED.refusal_kind,
				counted = EXCLUDED.counted, final = EXCLUDED.final, recorded_by = EXCLUDED.recorded_by`,
			o.Advert, o.Application, rec.At, outcome, resolved, kind, o.Counted, final[[2]int64{o.Advert, o.Application}],
			rec.Actor, o.Position, o.Landlord); err != nil {
			return fmt.Errorf("offer of advert %d to %d: %w", o.Advert, o.Application, err)
		}
	}
	for i, n := range after.Nominations {
		if i < len(before.Nominations) && before.Nominations[i] == n {
			continue
		}
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
				decided_at = coalesce(nominations.decided_at, EXCLUDED.decided_at)`,
			n.Advert, n.Application, n.Landlord, n.Round, rec.At, outcome, reason, decided, n.Position); err != nil {
			return fmt.Errorf("nomination of %d on advert %d: %w", n.Application, n.Advert, err)
		}
	}
	for _, l := range after.Lets[len(before.Lets):] {
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
	return nil
}
