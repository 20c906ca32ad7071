package snapshot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"+44 1536 000000":            "'+44 1536 000000",
		"-2+3+cmd|' /C calc'!A0":     "'-2+3+cmd|' /C calc'!A0",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\t=1":                       "'\t=1",
		"\r=1":                       "'\r=1",
		"-1":                         "-1",
		"+3.5":                       "+3.5",
		"Ada":                        "Ada",
		"":                           "",
		"'Tis":                       "'Tis",
	} {
		require.Equal(t, want, snapshot.Neutralise(in), "%q", in)
	}
}

// TestWrite_FormulasNeutralisedAndReadBack: an export opened in a spreadsheet shows a
// formula-like name as text, and reading the export back gives the name unchanged.
func TestWrite_FormulasNeutralisedAndReadBack(t *testing.T) {
	want := snapshottest.Full().Canonical()
	want.Applications[0].Members[0].Name = `=HYPERLINK("http://evil","click")`
	want.Applications[0].Members[1].Name = "'=already"
	want.Applications[0].StatusReason = "'Tis"
	want.Applications[0].Area = "-"
	dir := t.TempDir()
	require.NoError(t, snapshot.Write(dir, want))
	data, err := os.ReadFile(filepath.Join(dir, "members.csv"))
	require.NoError(t, err)
	require.Contains(t, string(data), `"'=HYPERLINK(""http://evil"",""click"")"`)
	require.Contains(t, string(data), `''=already`)
	for _, line := range strings.Split(string(data), "\n") {
		for _, cell := range strings.Split(line, ",") {
			require.False(t, snapshot.FormulaLike(strings.Trim(cell, `"`)), "cell %q of %q", cell, line)
		}
	}
	got, err := snapshot.Read(dir)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// TestWrite_OwnerOnly: a snapshot holds personal data; Write makes it readable by its
// owner only, also over an older world-readable export; WriteMode shares when asked.
func TestWrite_OwnerOnly(t *testing.T) {
	s := snapshottest.Full().Canonical()
	dir := filepath.Join(t.TempDir(), "export")
	require.NoError(t, snapshot.Write(dir, s))
	mode := func(p string) os.FileMode {
		info, err := os.Stat(p)
		require.NoError(t, err)
		return info.Mode().Perm()
	}
	require.Equal(t, os.FileMode(0o700), mode(dir))
	for _, f := range snapshot.Files {
		require.Equal(t, os.FileMode(0o600), mode(filepath.Join(dir, f.Name)), f.Name)
	}

	old := filepath.Join(t.TempDir(), "old")
	require.NoError(t, os.Mkdir(old, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(old, "members.csv"), nil, 0o644))
	require.NoError(t, os.Chmod(filepath.Join(old, "members.csv"), 0o644))
	require.NoError(t, snapshot.Write(old, s))
	require.Equal(t, os.FileMode(0o600), mode(filepath.Join(old, "members.csv")), "an older export is tightened")
	require.Equal(t, os.FileMode(0o755), mode(old), "a directory already there is left alone")

	shared := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, snapshot.WriteMode(shared, s, 0o640))
	require.Equal(t, os.FileMode(0o750), mode(shared))
	require.Equal(t, os.FileMode(0o640), mode(filepath.Join(shared, "applications.csv")))
}
