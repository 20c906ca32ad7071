package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
)

// Store is the PostgreSQL register as a cbl.Store. The package's functions are the
// same operations with more options; Store is what code written against cbl.Store uses.
type Store struct {
	DB *sqlx.DB

	replays replays // the last cycle ranked again for a trace
}

var _ cbl.Store = (*Store)(nil)

// Register exports the register as it stands.
func (s *Store) Register(ctx context.Context) (*cbl.Register, error) { return Export(ctx, s.DB) }

// Policy returns the policy decisions are applied under now (see AllocationPolicy).
func (s *Store) Policy(ctx context.Context) (*policy.Policy, error) {
	return AllocationPolicy(ctx, s.DB)
}

// Application reads one application (see LoadApplication).
func (s *Store) Application(ctx context.Context, id int64) (*register.Application, error) {
	return LoadApplication(ctx, s.DB, id)
}

// CloseCycle closes cycle id (see CloseCycle).
func (s *Store) CloseCycle(ctx context.Context, id int64, actor string) (int, error) {
	res, err := CloseCycle(ctx, s.DB, id, CloseOptions{Actor: actor})
	if err != nil {
		return 0, err
	}
	if res.AlreadyClosed {
		return 0, nil
	}
	return len(res.Closed.Shortlists), nil
}

// Shortlist returns advert's latest stored shortlist.
func (s *Store) Shortlist(ctx context.Context, advert int64) (*shortlist.Shortlist, error) {
	entries, _, err := Shortlist(ctx, s.DB, advert)
	if err != nil {
		return nil, err
	}
	sl := &shortlist.Shortlist{Advert: advert, Ranked: []shortlist.Entry{}, Skipped: []shortlist.Entry{}}
	for _, e := range entries {
		if e.Position > 0 {
			sl.Ranked = append(sl.Ranked, e)
		} else {
			sl.Skipped = append(sl.Skipped, e)
		}
	}
	return sl, nil
}

// Walk reads where advert's walk stands, nil if no decision has reached it.
func (s *Store) Walk(ctx context.Context, advert int64) (*allocation.AdvertWalk, error) {
	tx, err := s.DB.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ws, err := readWalks(ctx, tx, []int64{advert})
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	return &ws[0], tx.Commit()
}

// Waiting reads what advert's walk waits for from the walk kept (no replay).
func (s *Store) Waiting(ctx context.Context, advert int64) ([]allocation.Wait, error) {
	tx, err := readTx(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := checkFresh(ctx, tx); err != nil {
		return nil, err
	}
	p, err := currentPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	in, err := loadSlice(ctx, tx, locationOf(p), allocation.Decision{Advert: advert})
	if err != nil {
		return nil, err
	}
	in.Policy = p
	w, err := allocation.Start(in)
	if err != nil {
		return nil, fmt.Errorf("the stored allocation: %w", err)
	}
	return w.Waiting(advert), tx.Commit()
}

// Decide records d made at at (see Decide) and returns its step.
func (s *Store) Decide(ctx context.Context, at time.Time, d allocation.Decision) (*allocation.Step, error) {
	got, err := Decide(ctx, s.DB, at, d)
	if err != nil {
		return nil, err
	}
	return got.Step, nil
}

// PlaceBid places a bid (see PlaceBid) as by.
func (s *Store) PlaceBid(ctx context.Context, at time.Time, app, advert int64, by string) (bidding.Bid, error) {
	return PlaceBid(ctx, s.DB, app, advert, at, by, by)
}

// Reassess re-bands the register (see Reassess).
func (s *Store) Reassess(ctx context.Context, p *policy.Policy, asOf register.Date, actor string, dryRun bool) ([]banding.Reband, error) {
	return Reassess(ctx, s.DB, p, asOf, actor, dryRun)
}

// Verify replays the record (see Verify).
func (s *Store) Verify(ctx context.Context) (string, int, error) {
	a, err := Verify(ctx, s.DB)
	if errors.Is(err, ErrStale) {
		return "", 0, err
	}
	if err != nil {
		return "", 0, err
	}
	return a.Difference, a.Decisions, nil
}
