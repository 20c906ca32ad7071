package pgstore

import (
	"context"
	"encoding/hex"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/cbl-lettings/cbl/replay"
)

// CycleVerification is what VerifyCycle found for one closed cycle.
type CycleVerification struct {
	Cycle      int64  `json:"cycle"`
	Policy     string `json:"policy"`
	Digest     string `json:"digest"` // SHA-256 of the recorded inputs, hex
	Households int    `json:"households"`
	Adverts    int    `json:"adverts"`
	Entries    int    `json:"entries"`
	// Difference names the first difference between the stored shortlists and the
	// replay, or says the recorded inputs no longer match their digest; "" when the
	// replay gives the stored shortlists exactly.
	Difference string `json:"difference"`
}

// VerifyCycle ranks cycle's recorded inputs again under the policy its close ran
// under and compares the result with the shortlists stored at the close, entry for
// entry (S7.7). A record changed after the close is reported as a Difference, as is a
// changed shortlist; an error means it could not be checked (no inputs recorded, or
// purged under the retention setting). It writes nothing.
func VerifyCycle(ctx context.Context, db *sqlx.DB, cycle int64) (*CycleVerification, error) {
	tx, err := readTx(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	v := &CycleVerification{Cycle: cycle}
	stored, err := CycleShortlists(ctx, tx, cycle)
	if err != nil {
		return nil, err
	}
	v.Adverts = len(stored)
	v.Entries = entriesOf(stored)
	closed, rec, err := ReplayCycle(ctx, tx, cycle)
	if rec != nil {
		v.Policy, v.Digest, v.Households = rec.Policy, hex.EncodeToString(rec.Digest), rec.Households
	}
	if errors.Is(err, ErrInputsChanged) {
		v.Difference = err.Error()
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	v.Difference = replay.Diff(stored, closed.Shortlists)
	return v, nil
}
