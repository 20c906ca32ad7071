package storetest

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
)

// Weeks closes each of cycles in turn with pgstore.CloseCycle (as cbl cycle close does)
// and then works the cycle's adverts through their walks as officers would, recording
// every decision with pgstore.Decide: in rounds a day apart from the day after the close
// (the rounds after the sixth on its sixth day),
// each open advert's first wait is answered (a verification that passes 90% of the
// time, an offer, an acceptance or, 20% of the time, a counted refusal; nominations and
// the landlord's decisions on housing associations' homes). The next decision is chosen
// from a walk kept in step in memory, so a store that disagreed with the engine fails
// here. It returns the number of decisions recorded.
func Weeks(ctx context.Context, db *sqlx.DB, cycles []bidding.Cycle, seed uint64) (int, error) {
	n := 0
	for _, c := range cycles {
		if _, err := pgstore.CloseCycle(ctx, db, c.ID, pgstore.CloseOptions{Actor: "weeks"}); err != nil {
			return n, fmt.Errorf("close cycle %d: %w", c.ID, err)
		}
		st, err := pgstore.LoadState(ctx, db)
		if err != nil {
			return n, err
		}
		w, err := allocation.Start(st.Input)
		if err != nil {
			return n, err
		}
		var ids []int64
		for _, ad := range st.Input.Adverts {
			if ad.Cycle == c.ID {
				ids = append(ids, ad.ID)
			}
		}
		first := c.Closes.Add(11 * time.Hour).Truncate(24 * time.Hour).Add(10 * time.Hour) // 10:00 UTC the next day
		for round := 0; round < 40; round++ {
			// Within the week after the close, as the simulator does: the next cycle's
			// decisions come after this one's, as they would in real time.
			day := first.Add(time.Duration(min(round, 5)) * 24 * time.Hour).Add(time.Duration(round) * time.Minute)
			progress := false
			for i, id := range ids {
				ws := w.Waiting(id)
				if len(ws) == 0 {
					continue
				}
				at := day.Add(time.Duration(i) * time.Second)
				d, ok := answer(seed, ws[0], at)
				if !ok {
					continue
				}
				if _, err := w.Apply(d); err != nil {
					return n, fmt.Errorf("cycle %d: in memory: %w", c.ID, err)
				}
				if _, err := pgstore.Decide(ctx, db, at, d); err != nil {
					return n, fmt.Errorf("cycle %d: %w", c.ID, err)
				}
				n++
				progress = true
			}
			if !progress {
				break
			}
		}
	}
	return n, nil
}

// answer decides what wait w asks for, drawing from seed, the advert and the application.
func answer(seed uint64, w allocation.Wait, at time.Time) (allocation.Decision, bool) {
	d := allocation.Decision{On: register.DateOf(at), Actor: "officer", Advert: w.Advert}
	if len(w.Applications) > 0 {
		d.Application = w.Applications[0]
	}
	h := fnv.New64a()
	fmt.Fprint(h, seed, w.Advert, d.Application, w.For)
	u := float64(h.Sum64()%1000) / 1000
	switch w.For {
	case allocation.WaitVerify:
		d.Kind = allocation.VerifyPass
		if u < 0.1 {
			d.Kind, d.Code = allocation.VerifySkip, shortlist.NoContact
		}
	case allocation.WaitOffer:
		d.Kind = allocation.MakeOffer
	case allocation.WaitReply:
		d.Kind, d.Actor = allocation.Accept, "applicant"
		if u < 0.2 {
			d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, "officer", register.RefusedOffer, true
		}
	case allocation.WaitNominate:
		d.Kind, d.Application = allocation.Nominate, 0
	case allocation.WaitLandlord:
		d.Kind, d.Actor = allocation.LandlordAccept, "landlord"
		if u < 0.2 {
			d.Kind, d.Code, d.Reason = allocation.LandlordReject, shortlist.LandlordPolicy, "landlord's lettings policy"
		}
	case allocation.WaitRequestMore:
		d.Kind, d.Actor, d.Application = allocation.RequestMore, "landlord", 0
	default:
		return d, false
	}
	return d, true
}
