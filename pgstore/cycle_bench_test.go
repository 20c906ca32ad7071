package pgstore_test

import (
	"context"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/jmoiron/sqlx"
)

// BenchmarkCloseCycle_Keyways closes one Keyways-scale cycle (7,000 applications, 30
// adverts, ≈2,400 bids plus autobids) per iteration, each in a fresh database holding one
// of three registers generated with distinct seeds (imported outside the timer).
// Reports ns per shortlist entry written.
func BenchmarkCloseCycle_Keyways(b *testing.B) {
	ctx := context.Background()
	inputs := make([]*snapshot.Snapshot, 3)
	for i := range inputs {
		cfg := synth.Keyways()
		cfg.Seed += uint64(i)
		s, err := synth.Generate(cfg)
		if err != nil {
			b.Fatal(err)
		}
		inputs[i] = s
	}
	b.ReportAllocs()
	entries := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := pgtest.DB(b)
		if err := pgstore.Import(ctx, db, inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		_, err := pgstore.CloseCycle(ctx, db, 1, pgstore.CloseOptions{Actor: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		entries += countEntries(b, db)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(entries), "ns/entry")
}

func countEntries(b *testing.B, db *sqlx.DB) int {
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM shortlist_entries`); err != nil {
		b.Fatal(err)
	}
	return n
}
