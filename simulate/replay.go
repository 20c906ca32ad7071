package simulate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
)

// Replay is a register's recorded cycles — its real adverts and bids — run again under
// two policies: who would have been offered, and let, each home.
type Replay struct {
	Policies [2]string   `json:"policies"`
	Cycles   int         `json:"cycles"`
	Adverts  []ReplayRow `json:"adverts"`
	// Changed counts the homes let to a different household (or let under one policy only).
	Changed int `json:"changed"`
}

// ReplayRow is one home under both policies: [0] the base policy, [1] the alternative.
type ReplayRow struct {
	Cycle    int64  `json:"cycle"`
	Advert   int64  `json:"advert"`
	Locality string `json:"locality"`
	Bedrooms int    `json:"bedrooms"`
	Landlord string `json:"landlord"`
	// Bids are the live bids at close, autobids included.
	Bids [2]int `json:"bids"`
	// FirstOffer is the first household offered the home (for a housing association's
	// home, the first nominee); 0 if nobody.
	FirstOffer [2]int64 `json:"first_offer"`
	// Let is the household let the home, its band at close and shortlist position.
	Let      [2]int64         `json:"let"`
	Band     [2]register.Band `json:"band"`
	Position [2]int           `json:"position"`
}

// ReplayCycles runs every cycle recorded in s (in closing order, with its own adverts
// and manual bids) under base and under alt, walking each shortlist with the behaviour
// model b and seed. Autobids are placed afresh under each policy. The register is
// re-banded under each policy on the first cycle's opening day, and a household let a
// home in one cycle is off the register for the later ones (its later bids lapse).
// Applications closed now but with recorded bids count as active then. Facts are the snapshot's as
// they stand: the register does not record how they were in the past, only its band
// history. ReplayCycles checks ctx between cycles and returns ctx.Err() once it is done.
func ReplayCycles(ctx context.Context, s *snapshot.Snapshot, base, alt *policy.Policy, b Behaviour, seed uint64) (*Replay, error) {
	if s == nil {
		return nil, errors.New("simulate: ReplayCycles: no register")
	}
	if base == nil || alt == nil {
		return nil, errors.New("simulate: ReplayCycles: needs two policies, base and alt")
	}
	if len(s.Cycles) == 0 {
		return nil, fmt.Errorf("simulate: the register records no cycles to replay")
	}
	cycles := slices.Clone(s.Cycles)
	slices.SortFunc(cycles, func(x, y bidding.Cycle) int {
		return cmp.Or(x.Closes.Compare(y.Closes), cmp.Compare(x.ID, y.ID))
	})
	out := &Replay{Policies: [2]string{base.Name(), alt.Name()}, Cycles: len(cycles)}
	rowOf := map[int64]int{}
	for _, c := range cycles {
		for _, a := range s.Adverts {
			if a.Cycle == c.ID {
				rowOf[a.ID] = len(out.Adverts)
				out.Adverts = append(out.Adverts, ReplayRow{Cycle: c.ID, Advert: a.ID, Locality: a.Locality,
					Bedrooms: a.Bedrooms, Landlord: a.Landlord})
			}
		}
	}
	geo := base
	bidders := map[int64]bool{}
	for _, b := range s.Bids {
		bidders[b.Application] = true
	}
	first := base.Day(cycles[0].Opens)
	for k, p := range []*policy.Policy{base, alt} {
		rules, err := bidding.Compile(p)
		if err != nil {
			return nil, err
		}
		var apps []register.Application
		for _, a := range s.Applications {
			if a.Status == register.StatusClosed {
				if !bidders[a.ID] {
					continue
				}
				// It bid in a recorded cycle, so it was active then (perhaps housed by it).
				a.Status, a.StatusReason, a.StatusUntil = register.StatusActive, "", 0
			}
			remapArea(&a, geo, p, seed)
			if a.Status != register.StatusPending && p != geo {
				if _, err := reband(&a, p, first, "policy "+p.Name()+" in force"); err != nil {
					return nil, err
				}
			}
			apps = append(apps, a)
		}
		gone := map[int64]bool{} // housed in an earlier replayed cycle: their later bids lapse
		for _, c := range cycles {
			c.Policy = p.Name()
			var bids []bidding.Bid
			for _, bd := range s.Bids {
				if !gone[bd.Application] {
					bids = append(bids, bd)
				}
			}
			res, err := Week(ctx, &WeekInput{Rules: rules, Cycle: c, Applications: apps, Landlords: s.Landlords,
				Adverts: s.Adverts, Bids: bids, Behaviour: b, Seed: seed})
			if err != nil {
				return nil, err
			}
			for i, refs := range res.Closed.Closing.Bids {
				out.Adverts[rowOf[res.Closed.Shortlists[i].Advert]].Bids[k] = len(refs)
			}
			for _, o := range res.Result.Offers {
				if r := &out.Adverts[rowOf[o.Advert]]; r.FirstOffer[k] == 0 {
					r.FirstOffer[k] = o.Application
				}
			}
			for _, n := range res.Result.Nominations {
				if r := &out.Adverts[rowOf[n.Advert]]; r.FirstOffer[k] == 0 {
					r.FirstOffer[k] = n.Application
				}
			}
			allocation.WriteBack(apps, res.Steps) // refusals and sanctions carry into later cycles
			housed := map[int64]bool{}
			for _, l := range res.Result.Lets {
				r := &out.Adverts[rowOf[l.Advert]]
				r.Let[k], r.Band[k], r.Position[k] = l.Application, l.Band, l.Position
				housed[l.Application] = true
				gone[l.Application] = true
			}
			kept := apps[:0]
			for _, a := range apps {
				if !housed[a.ID] {
					kept = append(kept, a)
				}
			}
			apps = kept
		}
	}
	for _, r := range out.Adverts {
		if r.Let[0] != r.Let[1] {
			out.Changed++
		}
	}
	return out, nil
}
