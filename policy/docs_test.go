package policy_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/policy"
)

// The policy reference must list every fact of the vocabulary.
func TestDocsListEveryFact(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy.md")
	require.NoError(t, err)
	for _, f := range policy.FactNames() {
		require.True(t, strings.Contains(string(doc), "| `"+f+"` |"), "docs/policy.md does not document fact %q", f)
	}
}
