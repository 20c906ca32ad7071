// Package replay keeps what a cycle's close was ranked from, so that the close can be
// run again at any later date and give the same shortlists bit for bit, whatever the
// register has become since (docs/scheme.md S7.7): an applicant's review months later,
// or an auditor asking the council to show its working.
//
// It is pure: a store keeps Inputs (in any encoding that round-trips them), and Run
// ranks them again. Run under another policy is a counterfactual for one real week.
package replay

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
)

// Inputs are everything a close ranked from. Applications are those that reached a
// shortlist — a household that bid on one of the cycle's adverts or was autobid — as they
// stood at the close, in id order, without the facts no rule reads (members' names and
// equality monitoring). Households that did neither produce no entry, so are not kept.
type Inputs struct {
	Cycle        bidding.Cycle          `json:"cycle"` // its Policy is the policy the close ran under
	Applications []register.Application `json:"applications"`
	// Adverts are the cycle's, in id order.
	Adverts []bidding.Advert `json:"adverts"`
	// Bids are the live bids on the cycle's adverts the close was given (not the autobids
	// it placed), by advert, application and time placed.
	Bids []bidding.Bid `json:"bids"`
	// Excluded are the officers' autobid exclusions (application, advert) on the cycle's
	// adverts, in order.
	Excluded [][2]int64 `json:"excluded"`
}

// Capture returns the inputs closed was ranked from. apps, bids and excluded are what
// the close was given (the whole register's; Capture keeps what reached the ranking).
func Capture(closed *shortlist.Closed, apps []register.Application, bids []bidding.Bid, excluded [][2]int64) (*Inputs, error) {
	cl := closed.Closing
	// Sized up front: growing a national week's half-million bids by appending was a
	// third of Capture.
	in := &Inputs{Cycle: cl.Cycle, Applications: []register.Application{},
		Adverts: make([]bidding.Advert, 0, len(cl.Listings)), Bids: make([]bidding.Bid, 0, len(bids)), Excluded: [][2]int64{}}
	ads := make(map[int64]bool, len(cl.Listings))
	for _, l := range cl.Listings {
		in.Adverts = append(in.Adverts, *l.Advert)
		ads[l.Advert.ID] = true
	}
	// By profile, not by id in a map: a national close's 757k entries reach 288k
	// households, and hashing them was most of Capture.
	reached := make([]bool, len(cl.Index.Profiles))
	n := 0
	for _, refs := range cl.Bids {
		for _, r := range refs {
			if !reached[r.App] {
				reached[r.App] = true
				n++
			}
		}
	}
	isReached := func(id int64) bool {
		p, ok := cl.Index.Find(id)
		return ok && reached[p]
	}
	in.Applications = make([]register.Application, 0, n)
	for i := range apps {
		if isReached(apps[i].ID) {
			in.Applications = append(in.Applications, Minimal(apps[i]))
		}
	}
	if len(in.Applications) != n {
		return nil, fmt.Errorf("replay: cycle %d: %d applications reached the shortlists but %d were given",
			cl.Cycle.ID, n, len(in.Applications))
	}
	for _, b := range bids {
		if ads[b.Advert] && b.Live() {
			in.Bids = append(in.Bids, b)
		}
	}
	for _, e := range excluded {
		if ads[e[1]] && isReached(e[0]) {
			in.Excluded = append(in.Excluded, e)
		}
	}
	in.sort()
	return in, nil
}

// Minimal is a without the facts no rule reads: members' names and equality monitoring
// (docs/scheme.md S7.7). Ranking a and Minimal(a) gives the same result.
func Minimal(a register.Application) register.Application {
	a.Monitoring = register.Monitoring{}
	ms := make([]register.Member, len(a.Members))
	for i, m := range a.Members {
		m.Name = ""
		ms[i] = m
	}
	a.Members = ms
	return a
}

// sort puts in into its one canonical order, which Digest hashes.
func (in *Inputs) sort() {
	slices.SortFunc(in.Applications, func(a, b register.Application) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(in.Adverts, func(a, b bidding.Advert) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(in.Bids, func(a, b bidding.Bid) int {
		return cmp.Or(cmp.Compare(a.Advert, b.Advert), cmp.Compare(a.Application, b.Application), a.Placed.Compare(b.Placed))
	})
	slices.SortFunc(in.Excluded, func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
}

// Parts are the inputs in their canonical form, as a store may keep them: head is the
// JSON of everything but the applications, apps[i] the JSON of Applications[i].
func (in *Inputs) Parts() (head []byte, apps [][]byte, err error) {
	apps = make([][]byte, len(in.Applications))
	errs := make([]error, runtime.GOMAXPROCS(0)+1)
	var wg sync.WaitGroup
	// The head (a national week's half-million bids: a second) alongside the households.
	wg.Go(func() { head, errs[len(errs)-1] = in.marshalHead() })
	for w := range errs[:len(errs)-1] {
		wg.Go(func() {
			for i := w; i < len(apps); i += len(errs) - 1 {
				if apps[i], errs[w] = json.Marshal(&in.Applications[i]); errs[w] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return head, apps, errors.Join(errs...)
}

// FromParts is the inputs whose Parts are head and apps.
func FromParts(head []byte, apps [][]byte) (*Inputs, error) {
	// Room for every bid first (json appends to a slice's capacity): grown as decoded,
	// a national week's half-million bids cost a trace 0.7 s of copying.
	in := Inputs{Bids: make([]bidding.Bid, 0, bytes.Count(head, []byte(`{"application":`)))}
	if err := json.Unmarshal(head, &in); err != nil {
		return nil, fmt.Errorf("replay: inputs: %w", err)
	}
	in.Applications = make([]register.Application, len(apps))
	for i, b := range apps {
		if err := json.Unmarshal(b, &in.Applications[i]); err != nil {
			return nil, fmt.Errorf("replay: inputs: household %d: %w", i+1, err)
		}
	}
	return &in, nil
}

// Digest is the SHA-256 of the inputs' canonical form (Parts): the same inputs give the
// same digest on any machine, and a change to any of them gives another.
func (in *Inputs) Digest() ([32]byte, error) {
	head, apps, err := in.Parts()
	if err != nil {
		return [32]byte{}, err
	}
	return DigestOf(head, apps), nil
}

// DigestOf is Digest of the inputs whose Parts are head and apps.
func DigestOf(head []byte, apps [][]byte) [32]byte {
	h := sha256.New()
	h.Write(head)
	for _, a := range apps {
		h.Write([]byte{'\n'})
		h.Write(a)
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// Run ranks the inputs under rules as the close did: assessment as at the close,
// autobids among the kept households, every advert ranked. Under the rules of the
// policy the close ran under it gives the close's shortlists and traces exactly.
func Run(ctx context.Context, rules *bidding.Rules, in *Inputs) (*shortlist.Closed, error) {
	return shortlist.CloseCycle(ctx, rules, in.Cycle, in.Applications, in.Adverts, in.Bids, Excluding(in.Excluded))
}

// Excluding is the function shortlist.CloseCycle takes for officers' exclusions
// (application, advert); nil when there are none.
func Excluding(pairs [][2]int64) func(app, advert int64) bool {
	if len(pairs) == 0 {
		return nil
	}
	set := make(map[[2]int64]bool, len(pairs))
	for _, e := range pairs {
		set[e] = true
	}
	return func(app, advert int64) bool { return set[[2]int64{app, advert}] }
}

// Policy is the shipped policy the close of in ran under (its cycle's id@version).
func Policy(in *Inputs) (*policy.Policy, error) {
	return policy.Builtins().ByName(in.Cycle.Policy, register.DateOf(in.Cycle.Closes))
}

// Advert ranks one advert of the inputs again at the cost of its own bids: autobids are
// the ones the close placed on it (as kept with its entries) rather than placed again,
// which needs every household's bids on every advert. Its shortlist and every trace on
// it are those Run gives for that advert: ranking an advert reads only its bids and its
// bidders' profiles. in may hold only the advert's bidders (CycleInputs for a trace).
func Advert(ctx context.Context, rules *bidding.Rules, in *Inputs, advert int64, autobids []bidding.Bid) (*shortlist.Closed, error) {
	i := slices.IndexFunc(in.Adverts, func(a bidding.Advert) bool { return a.ID == advert })
	if i < 0 {
		return nil, fmt.Errorf("replay: cycle %d: advert %d is not among its recorded adverts", in.Cycle.ID, advert)
	}
	var bids []bidding.Bid
	bidders := map[int64]bool{}
	for _, b := range append(slices.Clone(in.Bids), autobids...) {
		if b.Advert == advert {
			bids = append(bids, b)
			bidders[b.Application] = true
		}
	}
	var apps []register.Application
	for j := range in.Applications {
		if bidders[in.Applications[j].ID] {
			apps = append(apps, in.Applications[j])
		}
	}
	ix, err := bidding.Assess(rules, apps, rules.Policy.Day(in.Cycle.Closes))
	if err != nil {
		return nil, err
	}
	cl, err := bidding.NewClosing(ix, in.Cycle, in.Adverts[i:i+1], bids)
	if err != nil {
		return nil, err
	}
	results, err := shortlist.RankCycle(ctx, cl, 1)
	if err != nil {
		return nil, err
	}
	return &shortlist.Closed{Closing: cl, Results: results, Shortlists: []shortlist.Shortlist{results[0].Shortlist(cl)}}, nil
}

// Counterfactual ranks the inputs under rules as if its policy had been the cycle's:
// every household that policy bands differently, as at the close, from the policy the
// close ran under is re-banded under it (banding.Rebands: the history cbl assess would
// have recorded), and the rest keep the band they held, so that only the policy's
// difference moves anyone. Autobids are placed again among the recorded households.
// It returns the shortlists and the households re-banded.
func Counterfactual(ctx context.Context, rules *bidding.Rules, in *Inputs) (*shortlist.Closed, []banding.Reband, error) {
	was, err := Policy(in)
	if err != nil {
		return nil, nil, err
	}
	day := was.Day(in.Cycle.Closes)
	var differ []register.Application
	for i := range in.Applications {
		a := &in.Applications[i]
		before, err := banding.Assess(a, was, day)
		if err != nil {
			return nil, nil, err
		}
		after, err := banding.Assess(a, rules.Policy, day)
		if err != nil {
			return nil, nil, err
		}
		if before.Band != after.Band {
			differ = append(differ, *a)
		}
	}
	rebands, err := banding.Rebands(differ, rules.Policy, day, "replay")
	if err != nil {
		return nil, nil, err
	}
	what := *in
	what.Applications = slices.Clone(in.Applications)
	history := make(map[int64][]register.BandSpell, len(rebands))
	for _, r := range rebands {
		history[r.Application] = r.History
	}
	for i := range what.Applications {
		if h, ok := history[what.Applications[i].ID]; ok {
			what.Applications[i].History = h
		}
	}
	closed, err := Run(ctx, rules, &what)
	return closed, rebands, err
}
