package main

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
)

// TestHelp_EveryCommandHasExamples: every command's help has an Examples: section.
func TestHelp_EveryCommandHasExamples(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() != "help" && c.Name() != "completion" && !c.Hidden {
			require.NotEmpty(t, c.Example, "%s has no examples", c.CommandPath())
			for _, s := range c.Commands() {
				walk(s)
			}
		}
	}
	walk(NewRootCommand(&App{}))
	out := mustRun(t, "offer", "refuse", "--help")
	require.Contains(t, out, "Examples:\n  cbl offer refuse 7001 1001 --counted")
}

// TestCompletion_FlagValues: shell completion offers a flag's values (skip codes, policy
// ids, output formats).
func TestCompletion_FlagValues(t *testing.T) {
	t.Parallel()
	out := mustRun(t, "__complete", "offer", "verify", "7001", "1001", "--skip", "")
	require.Contains(t, out, "arrears\n")
	require.Contains(t, out, "officer_discretion\n")
	out = mustRun(t, "__complete", "simulate", "--policy", "")
	require.Contains(t, out, "nn-2025-proposed\n")
	out = mustRun(t, "__complete", "cycle", "list", "-o", "")
	require.Contains(t, out, "json\n")
}
