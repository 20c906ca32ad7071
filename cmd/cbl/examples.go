package main

import (
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// examples are the Examples: sections of the commands whose files do not set one, by
// command path. Every command's help shows examples (TestHelp_EveryCommandHasExamples).
var examples = map[string]string{
	"cbl": `  cbl demo                                   # a whole week on a built-in synthetic register
  cbl migrate && cbl import testdata/snapshot/small
  cbl cycle close 42 && cbl shortlist show 7001
  cbl offer verify 7001 1001 && cbl offer make 7001 1001`,
	"cbl advert":                `  cbl advert list --open`,
	"cbl autobid":               `  cbl autobid exclude 7001 1001 --reason "household asked not to be offered Corby"`,
	"cbl autobid list":          `  cbl autobid list`,
	"cbl bid":                   `  cbl bid place 7001 1001 --by officer.lee`,
	"cbl cycle":                 `  cbl cycle list`,
	"cbl export":                `  cbl export /tmp/register                 # files 0600 in a 0700 directory`,
	"cbl feedback":              "  cbl feedback 42\n  cbl feedback --landlords -o csv",
	"cbl generate":              "  cbl generate /tmp/keyways\n  cbl generate --size birmingham /tmp/bham",
	"cbl import":                "  cbl import --check testdata/snapshot/small   # validate only\n  cbl import testdata/snapshot/small\n  cbl import --replace /tmp/register\n  cbl import --merge /tmp/intake-week-48   # this week's new applications, changes and adverts",
	"cbl let":                   `  cbl let direct 7001 1001 --category decant --reason "estate regeneration" --authoriser "Head of Housing"`,
	"cbl let direct":            `  cbl let direct 7001 1001 --category decant --reason "estate regeneration" --authoriser "Head of Housing"`,
	"cbl letter":                "  cbl letter band 1001\n  cbl letter skipped 1002 --advert 7001\n  cbl letter offer 1001 --advert 7001 --reply-by 2025-11-19",
	"cbl migrate":               "  cbl migrate\n  cbl migrate status",
	"cbl migrate status":        `  cbl migrate status`,
	"cbl nominate":              `  cbl nominate send 7002`,
	"cbl nominate accept":       `  cbl nominate accept 7002 1004`,
	"cbl nominate reject":       `  cbl nominate reject 7002 1004 --code landlord_policy --note "affordability assessment failed"`,
	"cbl nominate request-more": `  cbl nominate request-more 7002`,
	"cbl nominate send":         `  cbl nominate send 7002 --note "batch of three"`,
	"cbl offer":                 "  cbl offer verify 7001 1001 && cbl offer make 7001 1001 && cbl offer accept 7001 1001",
	"cbl offer accept":          `  cbl offer accept 7001 1001`,
	"cbl offer make":            `  cbl offer make 7001 1001 --at 2025-11-13T10:00`,
	"cbl offer refuse":          "  cbl offer refuse 7001 1001 --counted\n  cbl offer refuse 7001 1001 --kind no_reply\n  cbl offer refuse 7001 1001 --counted --final --note \"suitable final offer under the main duty\"",
	"cbl offer verify":          "  cbl offer verify 7001 1001\n  cbl offer verify 7001 1001 --skip arrears --note \"arrears of £400\"",
	"cbl offer withdraw":        "  cbl offer withdraw 7001 1001 --code checks_reveal_issues --note \"tenancy check failed\"\n  cbl offer withdraw 7001 --code property_withdrawn --note \"fire damage\"",
	"cbl queue":                 "  cbl queue\n  cbl queue --as-of 2025-12-01 -o csv\n  cbl queue --adverts",
	"cbl shortlist":             `  cbl shortlist show 7001`,
}

// addExamples sets the Examples of every command under root that has none.
func addExamples(c *cobra.Command) {
	if c.Example == "" {
		c.Example = examples[c.CommandPath()]
	}
	for _, s := range c.Commands() {
		addExamples(s)
	}
}

// flagValues are the values a flag of that name takes, offered by shell completion
// (cbl completion bash|zsh|fish) wherever the flag appears.
func flagValues() map[string][]string {
	pols := policy.Builtins().IDs()
	return map[string][]string{
		"output":   {"table", "json", "csv"},
		"skip":     shortlist.Codes,
		"code":     shortlist.Codes,
		"policy":   pols,
		"compare":  pols,
		"size":     {"keyways", "birmingham", "england"},
		"category": {allocation.AdaptedProperty, allocation.Decant, allocation.ManagementMove, allocation.HomelessDutyDischarge},
		"kind":     {string(register.RefusedOffer), string(register.RefusedNoReply), string(register.RefusedNoView)},
		"subject":  reviewSubjects,
		"outcome":  {allocation.Upheld, allocation.Changed},
		"band":     {"A", "B", "C", "D", "E"},
	}
}

// completeFlags offers flagValues for every command's flags of those names.
func completeFlags(c *cobra.Command, values map[string][]string) {
	for name, vs := range values {
		for _, fs := range []*pflag.FlagSet{c.LocalNonPersistentFlags(), c.PersistentFlags()} {
			if f := fs.Lookup(name); f != nil {
				_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(vs, cobra.ShellCompDirectiveNoFileComp))
				break
			}
		}
	}
	for _, s := range c.Commands() {
		completeFlags(s, values)
	}
}

// reviewSubjects are what a review may be of (S9.4).
var reviewSubjects = []string{allocation.SubjectBand, allocation.SubjectEffective, allocation.SubjectSkip, allocation.SubjectRefusal}
