package shortlist

import (
	"context"
	"errors"
	"fmt"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// Closed is a whole cycle shortlisted: the closing it was ranked from (profiles,
// adverts, resolved bids including autobids), the compact results, and one Shortlist per
// advert, all in advert id order.
type Closed struct {
	Closing    *bidding.Closing
	Results    []Result
	Shortlists []Shortlist
}

// CloseCycle shortlists cycle c from plain register data (S6.4, S7): it assesses
// apps under the rules' policy as at the closing day (the policy's Day of c.Closes),
// resolves the live bids on the cycle's adverts, places autobids (excluded, which may be
// nil, is the officers' exclusions), and ranks every advert on all cores. Explain any
// bid with Explain(out.Closing, &out.Results[i], application). Ranking uses the
// profiles as at close (policy shortlist.rank_at "close", the only value the format
// allows, S7.3).
//
// Every advert must be of cycle c: one of another cycle is an error wrapping
// bidding.ErrWrongCycle that names it (bids on other cycles' adverts are ignored, as
// bidding.NewClosing does). CloseCycle stops between adverts when ctx is done and
// returns ctx.Err().
func CloseCycle(ctx context.Context, r *bidding.Rules, c bidding.Cycle, apps []register.Application, adverts []bidding.Advert,
	bids []bidding.Bid, excluded func(app, advert int64) bool) (*Closed, error) {
	if r == nil || r.Policy == nil {
		return nil, errors.New("shortlist: CloseCycle: no rules (compile a policy with bidding.Compile)")
	}
	for i := range adverts {
		if adverts[i].Cycle != c.ID {
			return nil, fmt.Errorf("shortlist: close cycle %d: advert %d is of cycle %d: %w",
				c.ID, adverts[i].ID, adverts[i].Cycle, bidding.ErrWrongCycle)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix, err := bidding.Assess(r, apps, r.Policy.Day(c.Closes))
	if err != nil {
		return nil, err
	}
	cl, err := bidding.NewClosing(ix, c, adverts, bids)
	if err != nil {
		return nil, err
	}
	cl.Autobid(excluded)
	results, err := RankCycle(ctx, cl, 0)
	if err != nil {
		return nil, err
	}
	out := &Closed{Closing: cl, Results: results}
	out.Shortlists = make([]Shortlist, len(out.Results))
	for i := range out.Results {
		out.Shortlists[i] = out.Results[i].Shortlist(cl)
	}
	return out, nil
}
