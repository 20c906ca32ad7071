package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// TestGolden_EachGroup pins the whole stdout of one command of each group beyond the
// look-ups (lookup_test.go): intake (import --merge), the weekly job (assess --dry-run,
// shortlist show), an officer's decision (offer verify, review request) and a report
// (feedback). Each runs with --at or --as-of given, so the output does not depend on
// the day the test runs. go test ./cmd/cbl -run TestGolden_EachGroup -update rewrites.
func TestGolden_EachGroup(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	mustRun(t, "--dsn", dsn, "import", smallDir)
	s, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	ad := s.Adverts[0]
	ad.ID, ad.Cycle, ad.Closes = 7010, 43, s.Cycles[1].Closes
	dir := t.TempDir()
	require.NoError(t, snapshot.Write(dir, &snapshot.Snapshot{Adverts: []bidding.Advert{ad},
		Bids: []bidding.Bid{{Application: 1001, Advert: 7010, Placed: s.Cycles[1].Opens.Add(time.Hour), By: "applicant"}}}))
	// Only the files a merge is given: an intake delta need not carry the rest.
	for _, f := range snapshot.Files {
		if f.Name != snapshot.FileAdverts && f.Name != snapshot.FileBids {
			require.NoError(t, os.Remove(filepath.Join(dir, f.Name)))
		}
	}
	golden(t, "golden/import_merge.json", mustRun(t, "--dsn", dsn, "-o", "json", "import", "--merge", dir))
	golden(t, "golden/assess_dry_run.table", mustRun(t, "--dsn", dsn, "assess", "--dry-run", "--as-of", "2025-11-12"))
	mustRun(t, "--dsn", dsn, "assess", "--as-of", "2025-11-12")
	mustRun(t, "--dsn", dsn, "cycle", "close", "42")
	golden(t, "golden/shortlist_show_7001.json", mustRun(t, "--dsn", dsn, "-o", "json", "shortlist", "show", "7001"))
	golden(t, "golden/offer_verify.json", mustRun(t, "--dsn", dsn, "-o", "json", "offer", "verify", "7001", "1001", "--at", "2025-11-12T10:00",
		"--actor", "officer.lee"))
	golden(t, "golden/review_request.table", mustRun(t, "--dsn", dsn, "review", "request", "1003", "--subject", "band",
		"--of", "2025-11-12", "--reason", "overcrowding was missed", "--at", "2025-11-14T10:00", "--actor", "officer.lee"))
	mustRun(t, "--dsn", dsn, "offer", "make", "7001", "1001", "--at", "2025-11-12T11:00", "--actor", "officer.lee")
	mustRun(t, "--dsn", dsn, "offer", "accept", "7001", "1001", "--at", "2025-11-14T09:30", "--actor", "officer.lee")
	golden(t, "golden/feedback_42.table", mustRun(t, "--dsn", dsn, "feedback", "42"))
}
