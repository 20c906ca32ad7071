package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runAt runs cbl with args on a clock stopped at now.
func runAt(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }}
	root := NewRootCommand(app)
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return ExitCode(err), out.String(), errOut.String()
}

// TestToday_AssessAndQueueAgreeAfterMidnightBST: at 00:30 BST on 12 June it is still
// 11 June in UTC. Both commands count "today" with the policy's Day, so both say the
// 12th (they used to disagree for that hour: assess counted in UTC).
func TestToday_AssessAndQueueAgreeAfterMidnightBST(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 6, 11, 23, 30, 0, 0, time.UTC) // 00:30 BST, 12 June
	w := newWeek(t)
	code, _, errOut := runAt(t, at, "--dsn", w.dsn, "assess", "--dry-run")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, " on 2025-06-12 (dry run")
	code, _, errOut = runAt(t, at, "--dsn", w.dsn, "assess", "--dry-run", "--register", w.dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, " on 2025-06-12 (dry run")
	code, _, errOut = runAt(t, at, "--dsn", w.dsn, "queue")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "due as of 2025-06-12")
}
