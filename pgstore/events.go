package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Event is one entry of the append-only audit log (table events): who did what, to which
// application or advert, why, with details as JSON.
type Event struct {
	ID          int64           `json:"id"`
	At          time.Time       `json:"at"`                    // zero on append: the database's now()
	Actor       string          `json:"actor"`                 // officer, applicant or "engine"
	Kind        string          `json:"kind"`                  // e.g. "import", "override", "skip"
	Application int64           `json:"application,omitempty"` // 0: none
	Advert      int64           `json:"advert,omitempty"`      // 0: none
	Reason      string          `json:"reason,omitempty"`
	Detail      json.RawMessage `json:"detail,omitempty"` // a JSON object; empty is {}
}

// AppendEvent adds e to the audit log (inside the caller's transaction, if db is one)
// and returns its id. Actor and Kind are required.
func AppendEvent(ctx context.Context, db sqlx.QueryerContext, e Event) (int64, error) {
	if e.Actor == "" || e.Kind == "" {
		return 0, fmt.Errorf("event: actor and kind are required")
	}
	detail := "{}"
	if len(e.Detail) > 0 {
		detail = string(e.Detail)
	}
	var at any
	if !e.At.IsZero() {
		at = e.At
	}
	var id int64
	err := sqlx.GetContext(ctx, db, &id, `INSERT INTO events (at, actor, kind, application, advert, reason, detail)
		VALUES (coalesce($1, now()), $2, $3, $4, $5, $6, $7) RETURNING id`,
		at, e.Actor, e.Kind, nullID(e.Application), nullID(e.Advert), e.Reason, detail)
	if err != nil {
		return 0, fmt.Errorf("event: %w", err)
	}
	return id, nil
}

// Events returns the audit log in order, all of it when application is 0, else the
// entries naming that application.
func Events(ctx context.Context, db sqlx.QueryerContext, application int64) ([]Event, error) {
	var rows []struct {
		ID          int64         `db:"id"`
		At          time.Time     `db:"at"`
		Actor       string        `db:"actor"`
		Kind        string        `db:"kind"`
		Application sql.NullInt64 `db:"application"`
		Advert      sql.NullInt64 `db:"advert"`
		Reason      string        `db:"reason"`
		Detail      []byte        `db:"detail"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT id, at, actor, kind, application, advert, reason, detail
		FROM events WHERE $1 = 0 OR application = $1 ORDER BY id`, application); err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Kind: r.Kind, Application: r.Application.Int64,
			Advert: r.Advert.Int64, Reason: r.Reason, Detail: json.RawMessage(r.Detail)}
	}
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
