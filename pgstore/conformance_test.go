package pgstore_test

import (
	"context"
	"testing"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/conformance"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, func(t *testing.T, reg *cbl.Register) cbl.Store {
		db := pgtest.DB(t)
		if err := pgstore.Import(context.Background(), db, reg); err != nil {
			t.Fatal(err)
		}
		return &pgstore.Store{DB: db}
	})
}
