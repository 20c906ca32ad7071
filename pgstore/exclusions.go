package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cbl-lettings/cbl/replay"
	"github.com/jmoiron/sqlx"
)

// Exclusion is an officer's autobid exclusion (S6.5): cbl cycle close places no
// autobid for Application on Advert.
type Exclusion struct {
	Application int64     `db:"application" json:"application"`
	Advert      int64     `db:"advert" json:"advert"`
	Reason      string    `db:"reason" json:"reason"`
	By          string    `db:"excluded_by" json:"by"`
	At          time.Time `db:"excluded_at" json:"at"`
}

// ErrExcluded means the application is already excluded from autobid on the advert.
var ErrExcluded = errors.New("already excluded")

// ErrNotExcluded means there is no exclusion of the advert for the application to remove.
var ErrNotExcluded = errors.New("not excluded")

// ExcludeAutobid records that application app is not to be autobid onto advert, with an
// events row (kind "autobid_excluded") in the same transaction. The application and the
// advert must be held and reason and actor given; an existing exclusion is not changed
// (ErrExcluded). It does not touch a bid already placed: it stops the close's autobid.
func ExcludeAutobid(ctx context.Context, db *sqlx.DB, app, advert int64, reason, actor string) (Exclusion, error) {
	if reason == "" || actor == "" {
		return Exclusion{}, errors.New("exclude from autobid: a reason and an actor are required")
	}
	if err := CheckVersion(ctx, db); err != nil {
		return Exclusion{}, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Exclusion{}, err
	}
	defer tx.Rollback()
	for _, q := range []struct {
		what, sql string
		id        int64
	}{{"application", `SELECT EXISTS (SELECT 1 FROM applications WHERE id = $1)`, app},
		{"advert", `SELECT EXISTS (SELECT 1 FROM adverts WHERE id = $1)`, advert}} {
		var ok bool
		if err := tx.GetContext(ctx, &ok, q.sql, q.id); err != nil {
			return Exclusion{}, err
		}
		if !ok {
			return Exclusion{}, fmt.Errorf("%s %d: %w", q.what, q.id, ErrNotFound)
		}
	}
	var e Exclusion
	err = tx.GetContext(ctx, &e, `INSERT INTO autobid_exclusions (application, advert, reason, excluded_by)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
		RETURNING application, advert, reason, excluded_by, excluded_at`, app, advert, reason, actor)
	if errors.Is(err, sql.ErrNoRows) {
		return Exclusion{}, fmt.Errorf("application %d, advert %d: %w", app, advert, ErrExcluded)
	}
	if err != nil {
		return Exclusion{}, fmt.Errorf("exclude from autobid: %w", err)
	}
	e.At = e.At.UTC()
	detail, err := json.Marshal(map[string]any{"advert": advert})
	if err != nil {
		return Exclusion{}, err
	}
	if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "autobid_excluded", Application: app, Advert: advert,
		Reason: reason, Detail: detail}); err != nil {
		return Exclusion{}, err
	}
	return e, tx.Commit()
}

// IncludeAutobid removes the exclusion of advert from application app's autobids (the
// officer changed their mind, or the risk is gone), with an events row (kind
// "autobid_included", the actor and reason; its detail keeps the exclusion removed) in
// the same transaction, and returns the exclusion removed. reason and actor are
// required; with no such exclusion it returns ErrNotExcluded and writes nothing. A cycle
// closed after it may autobid app onto advert again; one closed before is not changed.
func IncludeAutobid(ctx context.Context, db *sqlx.DB, app, advert int64, reason, actor string) (Exclusion, error) {
	if reason == "" || actor == "" {
		return Exclusion{}, errors.New("include in autobid: a reason and an actor are required")
	}
	if err := CheckVersion(ctx, db); err != nil {
		return Exclusion{}, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Exclusion{}, err
	}
	defer tx.Rollback()
	var e Exclusion
	err = tx.GetContext(ctx, &e, `DELETE FROM autobid_exclusions WHERE application = $1 AND advert = $2
		RETURNING application, advert, reason, excluded_by, excluded_at`, app, advert)
	if errors.Is(err, sql.ErrNoRows) {
		return Exclusion{}, fmt.Errorf("application %d, advert %d: %w", app, advert, ErrNotExcluded)
	}
	if err != nil {
		return Exclusion{}, fmt.Errorf("include in autobid: %w", err)
	}
	e.At = e.At.UTC()
	detail, err := json.Marshal(map[string]any{"advert": advert, "removed": e})
	if err != nil {
		return Exclusion{}, err
	}
	if _, err := AppendEvent(ctx, tx, Event{Actor: actor, Kind: "autobid_included", Application: app, Advert: advert,
		Reason: reason, Detail: detail}); err != nil {
		return Exclusion{}, err
	}
	return e, tx.Commit()
}

// Exclusions lists the autobid exclusions held, by application then advert.
func Exclusions(ctx context.Context, db sqlx.QueryerContext) ([]Exclusion, error) {
	var out []Exclusion
	if err := sqlx.SelectContext(ctx, db, &out, `SELECT application, advert, reason, excluded_by, excluded_at
		FROM autobid_exclusions ORDER BY application, advert`); err != nil {
		return nil, fmt.Errorf("list autobid exclusions: %w", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// excludedFunc reads the exclusions in tx as the function shortlist.CloseCycle takes
// (nil when there are none) and as (application, advert) pairs.
func excludedFunc(ctx context.Context, tx *sqlx.Tx) (func(app, advert int64) bool, [][2]int64, error) {
	es, err := Exclusions(ctx, tx)
	if err != nil || len(es) == 0 {
		return nil, nil, err
	}
	pairs := make([][2]int64, len(es))
	for i, e := range es {
		pairs[i] = [2]int64{e.Application, e.Advert}
	}
	return replay.Excluding(pairs), pairs, nil
}
