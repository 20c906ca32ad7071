package snapshot

import (
	"fmt"
	"strings"
)

// RowError is one bad value in a snapshot: the file, the line of the row (0 when the
// snapshot did not come from files), the column, the value found and why it is wrong.
type RowError struct {
	File   string // e.g. "members.csv"
	Line   int    // 1-based line in File; 0 when unknown
	Key    string // the row's identity when Line is 0, e.g. "application 12"
	Column string
	Value  string
	Reason string
}

// Error formats the error as "file:line: column: value: reason".
func (e RowError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	} else if e.Key != "" {
		where = e.File + ": " + e.Key
	}
	return fmt.Sprintf("%s: %s: %q: %s", where, e.Column, e.Value, e.Reason)
}

// ValidationError lists every bad row of a snapshot. Read and Validate collect all of
// them before returning, so one run shows everything that needs fixing.
type ValidationError struct {
	Errors []RowError
}

// Error lists every bad row, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snapshot: %d bad value", len(e.Errors))
	if len(e.Errors) != 1 {
		b.WriteString("s")
	}
	b.WriteString(":")
	for _, re := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(re.Error())
	}
	return b.String()
}

// errs collects RowErrors. It keeps the first error of each cell: a value that did not
// parse is not reported again as missing by validation.
type errs struct {
	list []RowError
	seen map[cell]bool
}

type cell struct {
	file, key, column string
	line              int
}

func (c *errs) add(e RowError) {
	k := cell{e.File, e.Key, e.Column, e.Line}
	if e.Line > 0 {
		k.key = ""
	}
	if c.seen[k] && (e.Line > 1 || e.Key != "") { // line 1 is the header: report every column
		return
	}
	if c.seen == nil {
		c.seen = map[cell]bool{}
	}
	c.seen[k] = true
	c.list = append(c.list, e)
}

func (c *errs) err() error {
	if len(c.list) == 0 {
		return nil
	}
	return &ValidationError{Errors: c.list}
}
