package main

import (
	"strings"
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

// TestArgOrder_Hint: every command that takes an advert and an application takes ADVERT
// then APP, and says so when the ids given do not fit.
func TestArgOrder_Hint(t *testing.T) {
	t.Parallel()
	w := newWeek(t)
	sl := w.advert(true, 1)
	app := sl.Ranked[0].Application
	// Swapped: the application where the advert goes.
	code, _, errOut := w.cbl("offer", "verify", idArg(app), idArg(sl.Advert))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "(commands that take both take ADVERT then APP)")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if strings.Contains(c.Use, "ADVERT") && strings.Contains(c.Use, "APP") {
			require.Less(t, strings.Index(c.Use, "ADVERT"), strings.Index(c.Use, "APP"), c.CommandPath())
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(NewRootCommand(&App{}))
}
