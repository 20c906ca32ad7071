package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// catalogueDir holds the catalogue of bad inputs: one file per case (format below).
const catalogueDir = "../../testdata/bad"

// catalogueMin is the least number of cases the catalogue must hold (issue 13;
// docs/cli.md gives the count).
const catalogueMin = 60

// badCase is one case of the catalogue. Its file holds, one a line:
//
//	# what is wrong (comments)
//	args: import --replace $SNAPSHOT    the command line, split on spaces; '...' or "..." quote
//	exit: 1                            the exit status wanted: 1 or 2
//	want: members.csv:2: name: ...     text stderr must contain (as many as needed)
//	env: DATABASE_URL=...              an environment variable for the run
//
// then files, each after a line "-- NAME --": NAME.csv replaces that file of a copy of
// testdata/snapshot/small ($SNAPSHOT), +NAME.csv appends its lines to it, -NAME.csv
// removes it, any other NAME goes in the case's own directory ($CASE). A NAME ending in
// ".q" holds a Go-quoted string (for bytes that are not UTF-8), and the ".q" is dropped.
// $OUT is a path that does not exist yet; $MISSING one that never will.
type badCase struct {
	name  string
	args  string
	exit  int
	want  []string
	env   []string
	files []caseFile
}

type caseFile struct {
	name string
	data []byte
}

func parseCase(t *testing.T, path string) badCase {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	c := badCase{name: strings.TrimSuffix(filepath.Base(path), ".txt")}
	var file *caseFile
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(strings.TrimRight(line, "\n"), " --") {
			name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimRight(line, "\n"), "-- "), " --")
			c.files = append(c.files, caseFile{name: name})
			file = &c.files[len(c.files)-1]
			continue
		}
		if file != nil {
			file.data = append(file.data, line...)
			continue
		}
		key, value, _ := strings.Cut(strings.TrimRight(line, "\n"), ": ")
		switch key {
		case "args":
			c.args = value
		case "exit":
			c.exit, err = strconv.Atoi(value)
			require.NoError(t, err, path)
		case "want":
			c.want = append(c.want, value)
		case "env":
			c.env = append(c.env, value)
		default:
			require.True(t, strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "", "%s: unknown line %q", path, line)
		}
	}
	for i, f := range c.files {
		if strings.HasSuffix(f.name, ".q") {
			s, err := strconv.Unquote(strings.TrimSpace(string(f.data)))
			require.NoError(t, err, "%s: %s", path, f.name)
			c.files[i] = caseFile{strings.TrimSuffix(f.name, ".q"), []byte(s)}
		}
	}
	require.NotEmpty(t, c.args, path)
	require.Contains(t, []int{1, 2}, c.exit, "%s: exit", path)
	require.NotEmpty(t, c.want, "%s: a case names the message it wants", path)
	return c
}

// splitArgs splits a command line on spaces, keeping '...' and "..." together.
func splitArgs(s string) []string {
	var args []string
	var cur strings.Builder
	quote, in := rune(0), false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ':
			if in {
				args = append(args, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		args = append(args, cur.String())
	}
	return args
}

// copyDir copies the files of dir into a new directory.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(out, e.Name()), data, 0o600))
	}
	return out
}

// fingerprint is a digest of every row of every table, to show nothing was written.
func fingerprint(t *testing.T, db *sqlx.DB) map[string]string {
	t.Helper()
	var tables []string
	require.NoError(t, db.Select(&tables, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`))
	out := map[string]string{}
	for _, tbl := range tables {
		var sum string
		require.NoError(t, db.Get(&sum, fmt.Sprintf(`SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')
			FROM %q t`, tbl)))
		out[tbl] = sum
	}
	return out
}

// TestCatalogue_BadInputs runs every case of testdata/bad: each is refused with exit 1
// or 2 and a message naming where and what, nothing is printed on stdout, nothing is
// written to the database, and no password appears (every password in the catalogue
// contains "S3cret").
func TestCatalogue_BadInputs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(catalogueDir, "*.txt"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), catalogueMin, "the catalogue holds at least %d cases", catalogueMin)
	doc, err := os.ReadFile("../../docs/cli.md")
	require.NoError(t, err)
	require.Contains(t, string(doc), fmt.Sprintf("`testdata/bad/` holds %d cases", len(paths)), "docs/cli.md gives the catalogue's count")
	dsn := pgtest.DSN(t)
	db := openDSN(t, dsn)
	mustRun(t, "--dsn", dsn, "import", smallDir)
	for _, path := range paths {
		c := parseCase(t, path)
		t.Run(c.name, func(t *testing.T) {
			snap, caseDir := copyDir(t, smallDir), t.TempDir()
			for _, f := range c.files {
				switch {
				case strings.HasPrefix(f.name, "+"):
					p := filepath.Join(snap, f.name[1:])
					old, err := os.ReadFile(p)
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(p, append(old, f.data...), 0o600))
				case strings.HasPrefix(f.name, "-"):
					require.NoError(t, os.Remove(filepath.Join(snap, f.name[1:])))
				case strings.HasSuffix(f.name, ".csv"):
					require.NoError(t, os.WriteFile(filepath.Join(snap, f.name), f.data, 0o600))
				default:
					require.NoError(t, os.WriteFile(filepath.Join(caseDir, f.name), f.data, 0o600))
				}
			}
			expand := strings.NewReplacer("$SNAPSHOT", snap, "$CASE", caseDir,
				"$OUT", filepath.Join(t.TempDir(), "out"), "$MISSING", filepath.Join(caseDir, "missing"))
			args := splitArgs(expand.Replace(c.args))
			ownDSN := strings.Contains(c.args, "--dsn")
			for _, kv := range c.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, expand.Replace(v))
				ownDSN = ownDSN || k == "DATABASE_URL"
			}
			if !ownDSN {
				args = append([]string{"--dsn", dsn}, args...)
			}
			before := fingerprint(t, db)
			code, out, errOut := run(t, args...)
			require.Equal(t, c.exit, code, "stderr:\n%s", errOut)
			require.Empty(t, out, "a refusal prints no data")
			for _, w := range c.want {
				require.Contains(t, errOut, expand.Replace(w))
			}
			require.NotContains(t, errOut+out, "S3cret", "a password was printed")
			require.Equal(t, before, fingerprint(t, db), "nothing is written")
		})
	}
}
