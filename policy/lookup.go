package policy

import (
	"fmt"
	"os"
	"strings"
)

// IsFileRef reports whether ref names a policy file rather than a shipped policy: it
// holds a path separator or ends in ".json", or it is not a shipped id and a file of
// that name exists. Commands take either in --policy and --compare.
func IsFileRef(ref string) bool {
	if strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".json") {
		return true
	}
	id, _, _ := strings.Cut(ref, "@")
	if _, err := Builtins().Latest(id); err == nil {
		return false
	}
	_, err := os.Stat(ref)
	return err == nil
}

// ReadFile reads and parses one policy file (Parse); the error is a *LoadError naming
// every problem, or the read error.
func ReadFile(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Lookup resolves ref, a shipped policy's id (its newest version), "id@version", or a
// policy file's path (IsFileRef), to a policy. Analysts name a copy of a shipped policy
// with a rule changed the same way they name the shipped one.
func Lookup(ref string) (*Policy, error) {
	if ref == "" {
		return nil, fmt.Errorf("no policy named (want a shipped id such as nn-2021, or a policy file)")
	}
	if IsFileRef(ref) {
		return ReadFile(ref)
	}
	id, ver, versioned := strings.Cut(ref, "@")
	if !versioned {
		return Builtin(id)
	}
	s := Builtins()
	vs, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("no policy %q (have %s, or give a policy file's path)", id, strings.Join(s.IDs(), ", "))
	}
	for _, p := range vs {
		if p.Name() == ref {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no version %s of policy %q", ver, id)
}
