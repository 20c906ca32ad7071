package main

import (
	"fmt"
	"runtime/debug"

	"github.com/cbl-lettings/cbl/pgstore"
)

// version says which cbl this is: the module version (a tagged release, or "(devel)" for
// a build from a checkout), the commit it was built from (with "+dirty" when the work
// tree had changes), the Go release, and the register schema it migrates to.
func version() string {
	v, commit, goVersion := "(unknown)", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		v, goVersion = bi.Main.Version, bi.GoVersion
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if dirty {
			commit += "+dirty"
		}
	}
	if commit == "" {
		commit = "unknown commit"
	}
	return fmt.Sprintf("%s (%s, %s, register schema %d)", v, commit, goVersion, pgstore.Latest())
}
