package equality

import (
	"context"
	"errors"
	"fmt"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
)

// Period is what an equality table covers: one cycle, or the cycles closing from From
// to To (inclusive) when Cycle is 0.
type Period struct {
	Cycle    int64
	From, To register.Date
}

// ErrNoCycle means the cycle asked for is not held.
var ErrNoCycle = errors.New("no such cycle")

// FromRegister gathers a period's outcomes from a register held as plain data (a
// snapshot): its applications, and the bids and shortlists of its cycles in the period,
// each closed in memory under its own policy. A register holds no offers or lets, so
// Input.NoDecisions is set. A cycle asked for that s does not hold is an error wrapping
// ErrNoCycle.
func FromRegister(ctx context.Context, s *snapshot.Snapshot, p Period) (*Input, error) {
	in := &Input{AsOf: p.To, Applications: s.Applications, NoDecisions: true}
	for _, a := range s.Applications {
		if a.Status != register.StatusClosed {
			in.Register = append(in.Register, a.ID)
		}
	}
	found := false
	for _, c := range s.Cycles {
		pol, err := policy.Builtins().ByName(c.Policy, register.DateOf(c.Closes))
		if err != nil {
			return nil, err
		}
		day := pol.Day(c.Closes)
		if p.Cycle != 0 && c.ID != p.Cycle || p.Cycle == 0 && (day < p.From || day > p.To) {
			continue
		}
		found = true
		if p.Cycle != 0 {
			in.AsOf = day
		}
		rules, err := bidding.Compile(pol)
		if err != nil {
			return nil, err
		}
		closed, err := shortlist.CloseCycle(ctx, rules, c, s.Applications, c.AdvertsOf(s.Adverts), s.Bids, nil)
		if err != nil {
			return nil, err
		}
		for _, sl := range closed.Shortlists {
			for k, e := range sl.Ranked {
				in.Bids = append(in.Bids, e.Application)
				if k < 5 {
					in.FirstFive = append(in.FirstFive, e.Application)
				}
			}
			for _, e := range sl.Skipped {
				in.Bids = append(in.Bids, e.Application)
			}
		}
	}
	if p.Cycle != 0 && !found {
		return nil, fmt.Errorf("cycle %d: %w", p.Cycle, ErrNoCycle)
	}
	return in, nil
}
