package main

import (
	"os"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/stretchr/testify/require"
)

// TestOfficersWeek runs docs/cli.md's "An officer's week" as written, command by command,
// in a fresh database: each must succeed.
func TestOfficersWeek(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/cli.md")
	require.NoError(t, err)
	text := string(doc)
	i := strings.Index(text, "## An officer's week")
	require.GreaterOrEqual(t, i, 0)
	block := text[i:]
	block = block[strings.Index(block, "```sh\n")+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	dsn := pgtest.DSN(t)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		args := splitArgs(strings.TrimPrefix(line, "cbl "))
		for j, a := range args {
			if strings.HasPrefix(a, "testdata/") {
				args[j] = "../../" + a
			}
		}
		code, _, errOut := run(t, append([]string{"--dsn", dsn}, args...)...)
		require.Equal(t, 0, code, "%s: %s", line, errOut)
		n++
	}
	require.Greater(t, n, 10)
}
