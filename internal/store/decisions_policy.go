package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
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

// usedCycles returns the cycles of the adverts the allocation works on (the engine's
// input adverts in loadState): those with a stored shortlist, those a recorded decision
// names, and extraAdvert if not 0. The allocation runs under the policy of the latest of
// them (cyclePolicy).
func usedCycles(ctx context.Context, q sqlx.QueryerContext, extraAdvert int64) (map[int64]bool, error) {
	var ids []int64
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT cycle FROM adverts
		WHERE id = $1 OR id IN (SELECT advert FROM shortlists) OR id IN (SELECT advert FROM decisions)`,
		extraAdvert); err != nil {
		return nil, fmt.Errorf("read the cycles in use: %w", err)
	}
	used := make(map[int64]bool, len(ids))
	for _, id := range ids {
		used[id] = true
	}
	return used, nil
}

// AllocationPolicy returns the policy LoadState runs the allocation under
// (State.Input.Policy) without reading the register: the latest cycle's among those
// whose adverts have a stored shortlist or a recorded decision (the latest cycle's if
// none has). It reads the cycles, adverts, shortlists and decisions tables only.
func AllocationPolicy(ctx context.Context, db *sqlx.DB) (*policy.Policy, error) {
	if err := CheckVersion(ctx, db); err != nil {
		return nil, err
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s := &snapshot.Snapshot{}
	if err := exportCycles(ctx, tx, s); err != nil {
		return nil, fmt.Errorf("read the cycles: %w", err)
	}
	used, err := usedCycles(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	p, err := cyclePolicy(s.Cycles, used)
	if err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// PolicyByName returns the shipped policy named "id@version" (as cycles record it), or
// the version of policy id in force on day on when name has no version.
func PolicyByName(name string, on register.Date) (*policy.Policy, error) {
	id, _, _ := strings.Cut(name, "@")
	set := policy.Builtins()
	p, err := set.At(id, on)
	if err == nil && (p.Name() == name || p.ID == name) {
		return p, nil
	}
	if latest, lerr := set.Latest(id); lerr == nil && (latest.Name() == name || latest.ID == name) {
		return latest, nil
	}
	if err != nil {
		return nil, fmt.Errorf("policy %q: %w", name, err)
	}
	return nil, fmt.Errorf("policy %q: not among the shipped policies (on %s %s is in force)", name, on, p.Name())
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
