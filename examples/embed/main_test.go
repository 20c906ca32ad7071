package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/lib/pq"
)

// TestRun embeds cbl end to end on a database of its own, created on the server
// DATABASE_URL (or PG*, or local) names and dropped after. Without a server it skips,
// unless CI=true or PGTEST_REQUIRE=1, when it fails.
func TestRun(t *testing.T) {
	ctx := context.Background()
	admin, err := pgstore.Open(ctx, pgstore.DSN(""))
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("PGTEST_REQUIRE") == "1" {
			t.Fatalf("no PostgreSQL: %v", err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "cbl_embed_" + hex.EncodeToString(b)
	if run := os.Getenv("PGTEST_RUN"); run != "" {
		name = "cbl_test_" + run + "_embed_" + hex.EncodeToString(b) // scripts/test.sh drops its run's leftovers
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		admin.Close()
	})
	dsn, err := pgstore.WithDatabase(pgstore.DSN(""), name)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(ctx, dsn, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ranked, first application", "decision 1: verify_pass", "audit: 1 decision(s) replayed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
