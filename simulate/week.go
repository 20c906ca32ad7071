package simulate

import (
	"context"
	"errors"
	"fmt"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Actors the behaviour model records on its decisions.
const (
	ActorOfficer   = "sim-officer"
	ActorApplicant = "sim-applicant"
	ActorLandlord  = "sim-landlord"
)

// WeekInput is one weekly cycle to run: the register as it stands, the cycle's homes and
// manual bids, and the behaviour model that answers the walk.
type WeekInput struct {
	Rules        *bidding.Rules // the policy, compiled (bidding.Compile)
	Cycle        bidding.Cycle
	Applications []register.Application
	Landlords    []bidding.Landlord
	// Adverts are the cycle's homes; adverts of other cycles are ignored.
	Adverts []bidding.Advert
	// Bids are the manual bids; bids on other cycles' adverts are ignored.
	Bids []bidding.Bid
	// Index, when set, is the applications' profiles as at close, already assessed under
	// Rules (bidding.Assess); Week then closes the cycle with the same steps as
	// shortlist.CloseCycle without assessing again. Nil: CloseCycle assesses.
	Index *bidding.Index
	// Excluded is the officers' autobid exclusions (may be nil).
	Excluded  func(app, advert int64) bool
	Behaviour Behaviour
	// Seed keys every draw of the behaviour model (with the cycle, advert and
	// application ids), so the same seed gives the same answers to the same question.
	Seed uint64
}

// WeekResult is a cycle run end to end.
type WeekResult struct {
	// Closed is the cycle at close: the profiles, the resolved bids with autobids, and
	// one shortlist per advert in advert id order (Closed.Shortlists).
	Closed      *shortlist.Closed
	ManualBids  int // live manual bids on the cycle's adverts
	Autobids    int
	Allocation  *allocation.Input
	Decisions   []allocation.Decision // what the behaviour model decided, in order
	Steps       []*allocation.Step    // what each decision changed, in order
	Result      *allocation.Result    // offers, nominations, lets, sanctions, events
	Feedback    []allocation.FeedbackRow
	LastDecided register.Date // the day of the last decision (0 if none)
}

// MaxWalkDays is how many days after close the behaviour model spreads a cycle's
// decisions over: round r of the walk is decided on close + 1 + min(r, MaxWalkDays).
// Keeping a cycle's decisions within its week keeps every cycle's dates after the last.
const MaxWalkDays = 6

// Week runs one cycle end to end through the engine: shortlist.CloseCycle (assess at
// close, resolve bids, autobid, rank), then allocation.Walk over every advert, with the
// behaviour model answering what each advert waits for, in rounds: each round takes the
// open adverts in processing order and answers the first thing each waits for, so offers
// on different adverts overlap as in a real week. An advert nobody is left for waits to
// be re-let and is left so. The input is not modified. Week checks ctx between the
// adverts it ranks and between the rounds of the walk, and returns ctx.Err() once it is
// done.
func Week(ctx context.Context, in *WeekInput) (*WeekResult, error) {
	if in == nil {
		return nil, errors.New("simulate: Week: no input")
	}
	if in.Rules == nil || in.Rules.Policy == nil {
		return nil, errors.New("simulate: week input has no compiled policy")
	}
	if err := in.Behaviour.Validate(); err != nil {
		return nil, err
	}
	var adverts []bidding.Advert
	for _, a := range in.Adverts {
		if a.Cycle == in.Cycle.ID {
			adverts = append(adverts, a)
		}
	}
	closed, err := closeCycle(ctx, in, adverts)
	if err != nil {
		return nil, fmt.Errorf("simulate: cycle %d: %w", in.Cycle.ID, err)
	}
	out := &WeekResult{Closed: closed}
	for _, refs := range closed.Closing.Bids {
		for _, r := range refs {
			if r.Autobid {
				out.Autobids++
			} else {
				out.ManualBids++
			}
		}
	}
	out.Allocation = &allocation.Input{
		Policy:       in.Rules.Policy,
		Applications: in.Applications,
		Landlords:    in.Landlords,
		Adverts:      adverts,
		Shortlists:   closed.Shortlists,
	}
	w, err := allocation.Start(out.Allocation)
	if err != nil {
		return nil, fmt.Errorf("simulate: cycle %d: %w", in.Cycle.ID, err)
	}
	closeDay := in.Rules.Policy.Day(in.Cycle.Closes)
	homeless := in.homeless()
	ids := w.Adverts()
	for round := 0; ; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		on := closeDay + 1 + register.Date(min(round, MaxWalkDays))
		progress := false
		for _, id := range ids {
			ws := w.Waiting(id)
			if len(ws) == 0 {
				continue
			}
			d, ok := in.Behaviour.answer(in.Seed, in.Cycle.ID, ws[0], on, homeless)
			if !ok {
				continue
			}
			step, err := w.Apply(d)
			if err != nil {
				return nil, fmt.Errorf("simulate: cycle %d: %w", in.Cycle.ID, err)
			}
			out.Decisions = append(out.Decisions, d)
			out.Steps = append(out.Steps, step)
			out.LastDecided = on
			progress = true
		}
		if !progress {
			break
		}
	}
	out.Result = w.Result()
	out.Feedback = allocation.Feedback(out.Allocation, out.Result)
	return out, nil
}

// answer is the behaviour model's decision on what an advert waits for; false when the
// model leaves it (an advert to re-let).
func (b *Behaviour) answer(seed uint64, cycle int64, w allocation.Wait, on register.Date, homeless func(int64) bool) (allocation.Decision, bool) {
	d := allocation.Decision{On: on, Actor: ActorOfficer, Advert: w.Advert}
	if len(w.Applications) > 0 {
		d.Application = w.Applications[0]
	}
	draw := func(purpose uint64) float64 { return unit(key(seed, purpose, cycle, w.Advert, d.Application)) }
	switch w.For {
	case allocation.WaitVerify:
		d.Kind = allocation.VerifyPass
		if draw(drawVerify) < b.VerifySkip {
			d.Kind, d.Code = allocation.VerifySkip, weighted(b.VerifyCodes, draw(drawVerifyCode))
			d.Reason = "behaviour model: verification failed"
		}
	case allocation.WaitOffer:
		d.Kind = allocation.MakeOffer
	case allocation.WaitReply:
		d.Kind, d.Actor = allocation.Accept, ActorApplicant
		switch u := draw(drawReply); {
		case u < b.Refusal:
			d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, ActorOfficer, register.RefusedOffer, draw(drawCounted) < b.Counted
			d.Reason = "behaviour model: refused"
			if homeless(d.Application) && draw(drawFinal) < b.FinalOffer {
				d.Final, d.Reason = true, "behaviour model: refused a final offer"
			}
		case u < b.Refusal+b.NoReply:
			d.Kind, d.Actor, d.Refusal, d.Counted = allocation.Refuse, ActorOfficer, register.RefusedNoReply, true
			d.Reason = "behaviour model: no reply"
		}
	case allocation.WaitNominate:
		d.Kind, d.Application = allocation.Nominate, 0
	case allocation.WaitLandlord:
		d.Kind, d.Actor = allocation.LandlordAccept, ActorLandlord
		if draw(drawLandlord) < b.LandlordReject {
			d.Kind, d.Code = allocation.LandlordReject, weighted(b.LandlordCodes, draw(drawLandlordCode))
			d.Reason = "behaviour model: landlord rejected"
		}
	case allocation.WaitRequestMore:
		d.Kind, d.Actor, d.Application = allocation.RequestMore, ActorLandlord, 0
	default: // relet: left for a later cycle
		return d, false
	}
	return d, true
}

// homeless returns whether an application of the week is owed a homelessness duty. Only
// households refusing an offer are asked about, a few a week: with an index whose
// profiles are the applications in the same order (Run keeps them in id order), each is
// found by its position; a map of every homeless household, built each week, was
// ~0.04 s of a Birmingham comparison. Otherwise the map is built at the first question.
func (in *WeekInput) homeless() func(id int64) bool {
	var byID map[int64]bool
	return func(id int64) bool {
		if in.Index != nil {
			if k, ok := in.Index.Find(id); ok && int(k) < len(in.Applications) && in.Applications[k].ID == id {
				return in.Applications[k].Flags.HomelessDuty != register.DutyNone
			}
		}
		if byID == nil {
			byID = map[int64]bool{}
			for i := range in.Applications {
				if in.Applications[i].Flags.HomelessDuty != register.DutyNone {
					byID[in.Applications[i].ID] = true
				}
			}
		}
		return byID[id]
	}
}

// closeCycle is shortlist.CloseCycle, reusing in.Index when the caller assessed it.
func closeCycle(ctx context.Context, in *WeekInput, adverts []bidding.Advert) (*shortlist.Closed, error) {
	if in.Index == nil {
		return shortlist.CloseCycle(ctx, in.Rules, in.Cycle, in.Applications, adverts, in.Bids, in.Excluded)
	}
	cl, err := bidding.NewClosing(in.Index, in.Cycle, adverts, in.Bids)
	if err != nil {
		return nil, err
	}
	cl.Autobid(in.Excluded)
	results, err := shortlist.RankCycle(ctx, cl, 0)
	if err != nil {
		return nil, err
	}
	out := &shortlist.Closed{Closing: cl, Results: results}
	out.Shortlists = make([]shortlist.Shortlist, len(out.Results))
	for i := range out.Results {
		out.Shortlists[i] = out.Results[i].Shortlist(cl)
	}
	return out, nil
}
