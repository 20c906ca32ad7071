package main

import (
	"errors"
	"fmt"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/spf13/cobra"
)

func newPolicyCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Check, read and compare policy files (validate, show, diff)",
		Long: `A policy is one version of an allocation scheme as a JSON file (docs/policy.md).
Every command that takes --policy or --compare (simulate, assess, explain, demo) takes a
shipped policy's id (nn-2021, nn-2025-proposed, or id@version) or a policy file's path.
To try a change, copy a shipped policy, edit the rule, check it with validate, read
what you changed with diff, and run it with simulate --compare FILE.`,
		Example: `  cbl policy show nn-2021 > /dev/null
  cp policy/policies/nn-2021.json my.json   # then edit a rule
  cbl policy validate my.json
  cbl policy diff nn-2021 my.json
  cbl simulate --policy nn-2021 --compare my.json`,
	}
	cmd.AddCommand(newPolicyValidateCommand(app), newPolicyShowCommand(app), newPolicyDiffCommand(app))
	return cmd
}

// validation is policy validate's JSON: the file, whether it loads, and every problem.
type validation struct {
	File     string          `json:"file"`
	Policy   string          `json:"policy,omitempty"` // id@version when valid
	Valid    bool            `json:"valid"`
	Problems []policyProblem `json:"problems"`
}

type policyProblem struct {
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func newPolicyValidateCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a policy file; list every problem with its JSON path (exit 1 if any)",
		Long: `Load FILE as the engine would and print every problem with its JSON path
(criteria[2].when.fact) and, for a JSON syntax or type error, its line. A file with any
problem is rejected whole: nothing in it is used. Exit status 0 when valid, 1 when not.
-o json prints {file, policy, valid, problems: [{line, path, message}]}.`,
		Example: `  cbl policy validate my-policy.json
  cbl policy validate -o json my-policy.json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v := validation{File: args[0], Problems: []policyProblem{}}
			p, err := policy.ReadFile(args[0])
			var le *policy.LoadError
			switch {
			case err == nil:
				v.Valid, v.Policy = true, p.Name()
			case errors.As(err, &le):
				for _, pr := range le.Problems {
					v.Problems = append(v.Problems, policyProblem{Line: pr.Line, Path: pr.Path, Message: pr.Msg})
				}
			default:
				return err
			}
			if app.Output == "json" {
				if err := printJSON(app, v); err != nil {
					return err
				}
			} else if v.Valid {
				fmt.Fprintf(app.Stdout, "%s: valid (%s, %d criteria)\n", v.File, v.Policy, len(p.Criteria))
			} else {
				rows := make([][]string, len(v.Problems))
				for i, pr := range v.Problems {
					line := ""
					if pr.Line > 0 {
						line = fmt.Sprint(pr.Line)
					}
					rows[i] = []string{line, pr.Path, pr.Message}
				}
				if err := app.Print([]string{"line", "path", "problem"}, rows); err != nil {
					return err
				}
			}
			if !v.Valid {
				return fmt.Errorf("policy %s: %d problem(s)", v.File, len(v.Problems))
			}
			return nil
		},
	}
}

// policyShow is policy show's JSON.
type policyShow struct {
	Policy string        `json:"policy"`
	Title  string        `json:"title"`
	File   string        `json:"file,omitempty"`
	Rules  []policy.Rule `json:"rules"`
}

func newPolicyShowCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID|FILE",
		Short: "Print every rule of a policy, readably",
		Long: `Print every rule of a shipped policy (by id or id@version) or a policy file: the
qualification rules, each band criterion with its band, label, clause and condition
("bedroom_shortfall ≥ 2"), property rules, additional preference, autobid areas and
every setting (bidding.max_live_bids = 3). One row per rule with its JSON path.
-o json prints {policy, title, file, rules: [{path, section, key, label, fields}]};
-o csv the table.`,
		Example: `  cbl policy show nn-2021
  cbl policy show my-policy.json -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := lookupPolicy(args[0])
			if err != nil {
				return err
			}
			rules := policy.Rules(p)
			if app.Output == "json" {
				file := ""
				if policy.IsFileRef(args[0]) {
					file = p.File
				}
				return printJSON(app, policyShow{Policy: p.Name(), Title: p.Title, File: file, Rules: rules})
			}
			rows := make([][]string, len(rules))
			for i, r := range rules {
				rows[i] = []string{r.Path, r.Text()}
			}
			if app.Output == "table" {
				fmt.Fprintf(app.Stdout, "%s — %s\n", p.Name(), p.Title)
			}
			return app.Print([]string{"path", "rule"}, rows)
		},
	}
}

// policyDiff is policy diff's JSON.
type policyDiff struct {
	A       string          `json:"a"`
	B       string          `json:"b"`
	Changes []policy.Change `json:"changes"`
}

func newPolicyDiffCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "diff A B",
		Short: "List each rule that differs between two policies, in plain English",
		Long: `Compare policy A with policy B (each a shipped id or a policy file) rule by rule:
criteria by id, qualification rules by code, property rules, preference classes and
autobid areas by id, and every setting by its path. Each difference is one line, e.g.
"Overcrowded: lacking two or more bedrooms: Band B → Band A", or "added: …" and
"removed: …" for a rule only one has. Nothing differing prints nothing (exit 0).
-o json prints {a, b, changes: [{kind, key, path, label, field, from, to, text}]}.`,
		Example: `  cbl policy diff nn-2021 nn-2025-proposed
  cbl policy diff nn-2021 my-policy.json -o json`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := lookupPolicy(args[0])
			if err != nil {
				return err
			}
			b, err := lookupPolicy(args[1])
			if err != nil {
				return err
			}
			d := policyDiff{A: a.Name(), B: b.Name(), Changes: policy.Diff(a, b)}
			if d.Changes == nil {
				d.Changes = []policy.Change{}
			}
			switch app.Output {
			case "json":
				return printJSON(app, d)
			case "csv":
				rows := make([][]string, len(d.Changes))
				for i, c := range d.Changes {
					rows[i] = []string{c.Kind, c.Path, c.Key, c.Field, c.From, c.To, c.Text}
				}
				return app.Print([]string{"kind", "path", "key", "field", "from", "to", "text"}, rows)
			}
			fmt.Fprintf(app.Stdout, "%s → %s: %d difference(s)\n", a.Name(), b.Name(), len(d.Changes))
			for _, c := range d.Changes {
				fmt.Fprintf(app.Stdout, "  %s  (%s)\n", c.Text, c.Path)
			}
			return nil
		},
	}
}

// lookupPolicy resolves a shipped id or a policy file (policy.Lookup); an unknown id
// is a usage error, a bad file a failed run.
func lookupPolicy(ref string) (*policy.Policy, error) {
	p, err := policy.Lookup(ref)
	var le *policy.LoadError
	if err != nil && !errors.As(err, &le) && !policy.IsFileRef(ref) {
		return nil, usageErrorf("%v", err)
	}
	return p, err
}
