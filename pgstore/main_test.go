package pgstore_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/internal/fixtures"
)

// TestMain shares the synthetic registers between tests (each is generated once) and
// checks at the end that no test changed one. The database tests run in parallel
// (t.Parallel): each has its own database from pgtest.
func TestMain(m *testing.M) { fixtures.Main(m) }
