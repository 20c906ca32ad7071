package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/jmoiron/sqlx"
)

// cyclePolicy returns the policy of the latest cycle among used (all cycles if used is
// empty): allocation runs one policy at a time.
func cyclePolicy(cycles []bidding.Cycle, used map[int64]bool) (*policy.Policy, error) {
	var last *bidding.Cycle
	for i := range cycles {
		c := &cycles[i]
		if (len(used) == 0 || used[c.ID]) && (last == nil || c.Closes.After(last.Closes)) {
			last = c
		}
	}
	if last == nil {
		return nil, errors.New("no cycles held: import a register first")
	}
	p, err := PolicyByName(last.Policy, register.DateOf(last.Closes))
	if err != nil {
		return nil, fmt.Errorf("cycle %d: %w", last.ID, err)
	}
	return p, nil
}

// currentPolicy returns the policy decisions are applied under now: the latest cycle's
// (by closing time) among those closed or holding a stored shortlist, else the latest
// cycle's. It reads the cycles table and the shortlists index only.
func currentPolicy(ctx context.Context, q sqlx.QueryerContext) (*policy.Policy, error) {
	var cycles []bidding.Cycle
	if err := sqlx.SelectContext(ctx, q, &cycles, `(SELECT id AS "id", opens AS "opens", closes AS "closes", policy AS "policy"
		FROM cycles c WHERE closed_at IS NOT NULL OR EXISTS (SELECT 1 FROM shortlists s WHERE s.cycle = c.id)
		ORDER BY closes DESC LIMIT 1)
		UNION ALL (SELECT id, opens, closes, policy FROM cycles ORDER BY closes DESC LIMIT 1)`); err != nil {
		return nil, fmt.Errorf("read the cycles: %w", err)
	}
	return cyclePolicy(cycles[:min(len(cycles), 1)], nil)
}

// AllocationPolicy returns the policy a decision recorded now is applied under (see
// currentPolicy) without reading the register.
func AllocationPolicy(ctx context.Context, db *sqlx.DB) (*policy.Policy, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	return currentPolicy(ctx, db)
}

// recordPolicy returns the policy recorded decision r is replayed under: the one it was
// applied under, else (recorded before cbl kept it) fallback.
func recordPolicy(r Recorded, fallback *policy.Policy) (*policy.Policy, error) {
	if r.Policy == "" || r.Policy == fallback.Name() {
		return fallback, nil
	}
	p, err := PolicyByName(r.Policy, r.On)
	if err != nil {
		return nil, fmt.Errorf("decision %d: %w", r.Seq, err)
	}
	return p, nil
}

// PolicyByName returns the shipped policy named "id@version" (as cycles record it), or
// the version of policy id in force on day on when name has no version.
func PolicyByName(name string, on register.Date) (*policy.Policy, error) {
	return policy.Builtins().ByName(name, on)
}

// LatestPolicy returns the shipped policy the latest of cycles runs under.
func LatestPolicy(cycles []bidding.Cycle) (*policy.Policy, error) { return cyclePolicy(cycles, nil) }

// SchemeLocation returns the time zone of the policy the latest cycle held runs under, in
// which decision times without a zone are read; UTC when no cycle is held.
func SchemeLocation(ctx context.Context, db sqlx.QueryerContext) (*time.Location, error) {
	var cycles []bidding.Cycle
	if err := sqlx.SelectContext(ctx, db, &cycles, `SELECT id AS "id", opens AS "opens", closes AS "closes",
		policy AS "policy" FROM cycles ORDER BY closes DESC LIMIT 1`); err != nil {
		return nil, err
	}
	if len(cycles) == 0 {
		return time.UTC, nil
	}
	p, err := LatestPolicy(cycles)
	if err != nil {
		return nil, err
	}
	if loc := p.Location(); loc != nil {
		return loc, nil
	}
	return time.UTC, nil
}
