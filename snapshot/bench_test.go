package snapshot_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
)

// benchInputs is four distinct 7,000-application registers (120 adverts, 12,000 bids).
func benchInputs() []*snapshot.Snapshot {
	in := make([]*snapshot.Snapshot, 4)
	for i := range in {
		in[i] = snapshottest.Register(uint64(i), 7000, 4, 100)
	}
	return in
}

func BenchmarkRead(b *testing.B) {
	root := b.TempDir()
	var dirs []string
	for i, s := range benchInputs() {
		dir := filepath.Join(root, fmt.Sprint(i))
		if err := snapshot.Write(dir, s); err != nil {
			b.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := snapshot.Read(dirs[i%len(dirs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	in := benchInputs()
	dir := b.TempDir()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := snapshot.Write(dir, in[i%len(in)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	in := benchInputs()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := snapshot.Validate(in[i%len(in)]); err != nil {
			b.Fatal(err)
		}
	}
}
