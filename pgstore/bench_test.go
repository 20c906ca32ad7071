package pgstore_test

import (
	"context"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
)

// BenchmarkImport imports a 7,000-application register (4 weekly cycles of 30 adverts,
// 100 bids each) into a fresh database per iteration, rotating through distinct
// snapshots. ns/op is one whole import.
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	inputs := make([]*snapshot.Snapshot, 4)
	for i := range inputs {
		inputs[i] = snapshottest.Register(uint64(i), 7000, 4, 100)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := pgtest.DB(b)
		b.StartTimer()
		if err := pgstore.Import(ctx, db, inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExport exports the same register.
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	db := pgtest.DB(b)
	if err := pgstore.Import(ctx, db, snapshottest.Register(1, 7000, 4, 100)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pgstore.Export(ctx, db); err != nil {
			b.Fatal(err)
		}
	}
}
