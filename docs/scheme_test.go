// Package docs_test checks that the project's documents and code agree: every rule id
// the code, the tests and the shipped policies cite is defined in docs/scheme.md (S0.1).
package docs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/policy"
)

// oldRef is the name of the shared scheme file code used to cite (spelt in two parts so
// this file does not cite it).
const oldRef = "SCHEME" + ".md"

// ids returns every rule id docs/scheme.md defines: "- **S7.5** …" items and "## S7 …"
// section headings.
func ids(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("scheme.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^(?:- \*\*|## )(S\d+(?:\.\d+)?)\b`).FindAllStringSubmatch(string(data), -1) {
		if out[m[1]] {
			t.Errorf("scheme.md defines %s twice", m[1])
		}
		out[m[1]] = true
	}
	if len(out) < 50 {
		t.Fatalf("scheme.md: found only %d rule ids; is the format still \"- **S1.2** …\"?", len(out))
	}
	return out
}

// cite matches a rule id in text (S0 to S10, optionally .n; "S106", a planning section,
// is not one) and a test named after one (TestS5_4_…).
var (
	cite     = regexp.MustCompile(`\bS(10|[0-9])(\.[0-9]+)?\b`)
	testName = regexp.MustCompile(`\bTestS([0-9]+)_([0-9]+)_`)
)

// goFiles calls fn with each .go file of the module (path relative to the root) and its text.
func goFiles(t *testing.T, fn func(path, text string)) {
	t.Helper()
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("..", p)
		fn(filepath.ToSlash(rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestS0_1_EveryCitedRuleIsDefined: every rule id in a .go file (comments, help, errors,
// test names) and in a shipped policy's clause fields is defined in docs/scheme.md.
func TestS0_1_EveryCitedRuleIsDefined(t *testing.T) {
	defined := ids(t)
	cited := 0
	goFiles(t, func(path, text string) {
		for i, line := range strings.Split(text, "\n") {
			found := cite.FindAllString(line, -1)
			for _, m := range testName.FindAllStringSubmatch(line, -1) {
				found = append(found, "S"+m[1]+"."+m[2])
			}
			for _, id := range found {
				cited++
				if !defined[id] {
					t.Errorf("%s:%d cites %s, which docs/scheme.md does not define", path, i+1, id)
				}
			}
		}
	})
	if cited < 100 {
		t.Errorf("only %d citations found in .go files; is the walk reading the module?", cited)
	}
	set := policy.Builtins()
	for _, id := range set.IDs() {
		p, err := set.Latest(id)
		if err != nil {
			t.Fatal(err)
		}
		var clauses []string
		for _, r := range p.Qualification.Rules {
			clauses = append(clauses, r.Clause)
		}
		for _, c := range p.Criteria {
			clauses = append(clauses, c.Clause)
		}
		for _, r := range p.Properties.Rules {
			clauses = append(clauses, r.Clause)
		}
		for _, a := range p.AdditionalPreference {
			clauses = append(clauses, a.Clause)
		}
		for _, c := range clauses {
			for _, id := range strings.Split(c, ", ") {
				if !defined[id] {
					t.Errorf("policy %s: clause %q: %s is not a rule id of docs/scheme.md", id, c, id)
				}
			}
		}
	}
}

// TestNoOldSchemeCitations: no .go file cites oldRef, a file users do not have; code
// cites the rule ids of docs/scheme.md instead.
func TestNoOldSchemeCitations(t *testing.T) {
	goFiles(t, func(path, text string) {
		for i, line := range strings.Split(text, "\n") {
			if strings.Contains(line, oldRef) {
				t.Errorf("%s:%d cites %s; cite the rule id of docs/scheme.md instead", path, i+1, oldRef)
			}
		}
	})
}
