// Package cbl is the register as a system of record: the Store interface every register
// implementation satisfies, so the weekly job, an embedding system and the CLI work the
// same on either. Two implement it, and one conformance suite (package conformance)
// holds both to the same results:
//
//   - pgstore.Store, the PostgreSQL register (each decision reads and writes only what
//     it touches; the record of decisions is the authority, audited by Verify);
//   - memstore.Store, a register held in memory (from a snapshot directory or a
//     generated register), the same engine steps kept by allocation.Ledger.
//
// The pure engine (banding, bidding, shortlist, allocation) sits below; a Store
// persists what it hands back.
package cbl

import (
	"context"
	"errors"

	"encoding/json"
	"io/fs"
	"time"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/intake"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/snapshot"
)

// Register is the whole register: applications, landlords, cycles, adverts and bids.
// (It is still the snapshot package's type; it moves here as more of the library is
// written against Store.)
type Register = snapshot.Snapshot

// ErrNoApplication means the application asked for is not in the register.
var ErrNoApplication = errors.New("not in the register")

// Store is a register that keeps the weekly job's results: closed cycles' shortlists and
// the decisions officers record, each applied to just what it touches.
type Store interface {
	// Register reads the register as it stands, decisions' changes included.
	Register(ctx context.Context) (*Register, error)
	// Policy returns the policy decisions are applied under now: the latest closed
	// cycle's, else the latest cycle's.
	Policy(ctx context.Context) (*policy.Policy, error)
	// Application reads one application as it stands (decisions' changes included); an
	// error wrapping ErrNoApplication if the register holds none.
	Application(ctx context.Context, id int64) (*register.Application, error)
	// CloseCycle closes cycle id as actor: autobids, ranks every advert, keeps the
	// shortlists. It returns how many shortlists it kept (0 if the cycle was closed
	// before).
	CloseCycle(ctx context.Context, id int64, actor string) (int, error)
	// Shortlist returns advert's latest kept shortlist, ranked in position order.
	Shortlist(ctx context.Context, advert int64) (*shortlist.Shortlist, error)
	// Trace returns application app's trace on advert's shortlist, as JSON
	// (shortlist.Trace): every check and the ranking key.
	Trace(ctx context.Context, advert, app int64) (json.RawMessage, error)
	// Walk returns where advert's walk stands, nil if no decision has reached it.
	Walk(ctx context.Context, advert int64) (*allocation.AdvertWalk, error)
	// Waiting returns what advert's walk waits for.
	Waiting(ctx context.Context, advert int64) ([]allocation.Wait, error)
	// Decide applies decision d, made at at, and keeps the step it made. A decision the
	// engine refuses returns an error wrapping allocation.ErrDecision, and nothing
	// changes.
	Decide(ctx context.Context, at time.Time, d allocation.Decision) (*allocation.Step, error)
	// PlaceBid places application app's bid on advert at time at for by (S6.1–S6.3:
	// the window, the live-bid cap, duplicates, the hard checks), as bidding.PlaceBid.
	PlaceBid(ctx context.Context, at time.Time, app, advert int64, by string) (bidding.Bid, error)
	// Reassess re-bands every application under p as on asOf (banding.Rebands) and,
	// unless dryRun, writes the new band spells as actor. It returns the changes.
	Reassess(ctx context.Context, p *policy.Policy, asOf register.Date, actor string, dryRun bool) ([]banding.Reband, error)
	// Merge takes the week's intake as actor: the partial snapshot in delta (new
	// applications, changed facts, new adverts, bids; package intake). Any bad row gives
	// a *snapshot.ValidationError naming the delta's file and line, and nothing changes.
	// Kept shortlists and the record of decisions are not touched.
	Merge(ctx context.Context, delta fs.FS, actor string) (*intake.Result, error)
	// Verify replays the whole record of decisions and returns the first difference
	// from what was kept ("" if none) and how many decisions it replayed.
	Verify(ctx context.Context) (difference string, decisions int, err error)
}
