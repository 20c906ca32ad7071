package shortlist

import (
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
// apps under the rules' policy as at the closing day, resolves the live bids on the
// cycle's adverts, places autobids (excluded, which may be nil, is the officers'
// exclusions), and ranks every advert on all cores. Explain any bid with
// Explain(out.Closing, &out.Results[i], application). Ranking uses the profiles as at
// close (policy shortlist.rank_at "close", the only value the format allows, S7.3).
func CloseCycle(r *bidding.Rules, c bidding.Cycle, apps []register.Application, adverts []bidding.Advert,
	bids []bidding.Bid, excluded func(app, advert int64) bool) (*Closed, error) {
	ix, err := bidding.Assess(r, apps, r.Policy.Day(c.Closes))
	if err != nil {
		return nil, err
	}
	cl, err := bidding.NewClosing(ix, c, adverts, bids)
	if err != nil {
		return nil, err
	}
	cl.Autobid(excluded)
	out := &Closed{Closing: cl, Results: RankCycle(cl, 0)}
	out.Shortlists = make([]Shortlist, len(out.Results))
	for i := range out.Results {
		out.Shortlists[i] = out.Results[i].Shortlist(cl)
	}
	return out, nil
}
