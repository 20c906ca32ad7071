package snapshot_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// FuzzReadSnapshot feeds the reader — the path untrusted input takes into the register —
// the small example snapshot with one file replaced by the fuzzer's bytes. Whatever the
// bytes, ReadFS must not panic; what it accepts must validate and survive Write and Read
// unchanged; what it refuses must be a *ValidationError within the caps.
func FuzzReadSnapshot(f *testing.F) {
	base := fstest.MapFS{}
	for i, file := range snapshot.Files {
		data, err := os.ReadFile(filepath.Join(smallDir, file.Name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		require.NoError(f, err)
		base[file.Name] = &fstest.MapFile{Data: data}
		f.Add(uint8(i), data)
		if bad, err := os.ReadFile(filepath.Join("../testdata/snapshot/bad", file.Name)); err == nil {
			f.Add(uint8(i), bad)
		}
	}
	f.Add(uint8(1), []byte(memHeader+"1001,\"Ada,1990-01-01,F,applicant,,\n1001,B,2010-01-01,M,child,,\n"))
	f.Add(uint8(1), []byte("\xff\xfea\x00p\x00"))
	f.Add(uint8(1), []byte(memHeader+"1001,'=1+1,1990-01-01,F,applicant,,\n"))
	f.Add(uint8(0), []byte(appHeader+"1001,0000-12-31,active,,,corby,none,1,social,,,,true,,,,,,,,,,,,,,,,99999999999.99,\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		name := snapshot.Files[int(which)%len(snapshot.Files)].Name
		fsys[name] = &fstest.MapFile{Data: data}
		s, err := snapshot.ReadFS(fsys)
		if err != nil {
			require.Nil(t, s)
			var ve *snapshot.ValidationError
			require.True(t, errors.As(err, &ve), "%T %v", err, err)
			require.NotEmpty(t, ve.Errors)
			perFile := map[string]int{}
			for _, e := range ve.Errors {
				perFile[e.File]++
				require.LessOrEqual(t, perFile[e.File], snapshot.ErrorsPerFile)
				require.NotEmpty(t, e.Reason)
			}
			require.GreaterOrEqual(t, ve.Total(), len(ve.Errors))
			require.NotEmpty(t, err.Error())
			return
		}
		require.NoError(t, snapshot.Validate(s))
		dir := t.TempDir()
		require.NoError(t, snapshot.Write(dir, s))
		back, err := snapshot.Read(dir)
		require.NoError(t, err, "what was read, written, does not read again")
		require.Equal(t, s.Canonical(), back.Canonical())
	})
}
