package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/stretchr/testify/require"
)

// TestExport_OwnerOnly: an export holds personal data and is created readable by its
// owner only, unless --mode says otherwise (issue 13).
func TestExport_OwnerOnly(t *testing.T) {
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", smallDir)
	perm := func(p string) os.FileMode {
		info, err := os.Stat(p)
		require.NoError(t, err)
		return info.Mode().Perm()
	}

	dir := filepath.Join(t.TempDir(), "export")
	mustRun(t, "--dsn", dsn, "export", dir)
	require.Equal(t, os.FileMode(0o700), perm(dir))
	require.Equal(t, os.FileMode(0o600), perm(filepath.Join(dir, "members.csv")))

	shared := filepath.Join(t.TempDir(), "shared")
	mustRun(t, "--dsn", dsn, "export", "--mode", "0640", shared)
	require.Equal(t, os.FileMode(0o750), perm(shared))
	require.Equal(t, os.FileMode(0o640), perm(filepath.Join(shared, "members.csv")))

	for _, bad := range []string{"0400", "rw-------", "0o600", "1777", ""} {
		code, out, errOut := run(t, "--dsn", dsn, "export", "--mode", bad, filepath.Join(t.TempDir(), "x"))
		require.Equal(t, 2, code, bad)
		require.Empty(t, out)
		require.Contains(t, errOut, "--mode")
	}
}

func TestGenerate_OwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gen")
	code, _, errOut := run(t, "generate", "--size", "keyways", dir)
	require.Equal(t, 0, code, errOut)
	info, err := os.Stat(filepath.Join(dir, "applications.csv"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

// TestWriteCSV_NeutralisesFormulas: -o csv output opened in a spreadsheet shows names
// and reasons as text, never runs them.
func TestWriteCSV_NeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, writeCSV(&b, []string{"name", "reason", "n"}, [][]string{
		{`=HYPERLINK("http://x","y")`, "@SUM(A1)", "-3"},
		{"Ada", "+44 1536", "2.5"},
	}))
	require.Equal(t, "name,reason,n\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(A1),-3\nAda,'+44 1536,2.5\n", b.String())
}

// TestBlankText_Refused: a blank --reason (or note, actor, authoriser, by) is refused
// by every command before anything is read or written.
func TestBlankText_Refused(t *testing.T) {
	for _, args := range [][]string{
		{"autobid", "exclude", "7001", "1002", "--reason", "   "},
		{"autobid", "include", "7001", "1002", "--reason", "\t"},
		{"let", "direct", "4", "368", "--category", "decant", "--reason", " ", "--authoriser", "mgr"},
		{"let", "direct", "4", "368", "--category", "decant", "--reason", "r", "--authoriser", "  "},
		{"offer", "verify", "4", "582", "--skip", "arrears", "--note", "  "},
		{"offer", "make", "4", "141", "--actor", " "},
		{"bid", "place", "7001", "1002", "--by", " "},
		{"cycle", "close", "1", "--actor", "\n"},
	} {
		code, out, errOut := run(t, append([]string{"--dsn", "host=127.0.0.1 port=1 connect_timeout=1"}, args...)...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Empty(t, out)
		require.Contains(t, errOut, "is blank", args)
	}
}
