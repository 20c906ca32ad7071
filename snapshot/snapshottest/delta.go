package snapshottest

import (
	"io/fs"
	"testing/fstest"

	"github.com/cbl-lettings/cbl/snapshot"
)

// Delta is d as a partial snapshot in memory, as an intake would give it: only the files
// d has rows for, each as cbl export writes it.
func Delta(d *snapshot.Snapshot) (fs.FS, error) {
	files, err := snapshot.Encode(d)
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, c := range d.Counts() {
		if c.Rows > 0 {
			out[c.File] = &fstest.MapFile{Data: files[c.File]}
		}
	}
	return out, nil
}
