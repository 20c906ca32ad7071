package snapshot

import (
	"fmt"
	"slices"
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

// ErrorsPerFile is how many bad values Read and Validate keep for each file: the first
// ones in the file. The rest are only counted (ValidationError.Omitted). A 100 MB file
// of bad rows has millions of them; listing them all printed 200 MB and held 2.9 GB,
// and nobody reads past the first screenful before fixing the cause.
const ErrorsPerFile = 20

// ValidationError lists the bad values of a snapshot: the first ErrorsPerFile of each
// file, causes before their knock-on effects (an application with "no members" after
// the members.csv errors that lost them), and how many more each file had.
type ValidationError struct {
	Errors  []RowError
	Omitted []Omitted // files with more bad values than listed, in file order
}

// Omitted counts the bad values of File found but not listed in Errors.
type Omitted struct {
	File  string
	Count int
}

// Total returns the number of bad values found, listed or not.
func (e *ValidationError) Total() int {
	n := len(e.Errors)
	for _, o := range e.Omitted {
		n += o.Count
	}
	return n
}

// Lines returns the message lines: one per listed bad value, then one per file with
// more ("… and 12 more in members.csv").
func (e *ValidationError) Lines() []string {
	out := make([]string, 0, len(e.Errors)+len(e.Omitted))
	for _, re := range e.Errors {
		out = append(out, re.Error())
	}
	for _, o := range e.Omitted {
		out = append(out, fmt.Sprintf("… and %d more in %s", o.Count, o.File))
	}
	return out
}

// Error lists the bad values, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := e.Total()
	fmt.Fprintf(&b, "snapshot: %d bad value", n)
	if n != 1 {
		b.WriteString("s")
	}
	b.WriteString(":")
	for _, l := range e.Lines() {
		b.WriteString("\n  ")
		b.WriteString(l)
	}
	return b.String()
}

// errs collects RowErrors, keeping the first ErrorsPerFile of each file and counting
// the rest, so its memory does not grow with the number of bad rows beyond a compact
// record of which cells already failed. It keeps the first error of each cell: a value
// that did not parse is not reported again as missing by validation.
type errs struct {
	// byLine orders errors by file (in Files order) and line, for snapshots read from
	// files; otherwise they keep the order they were found in.
	byLine bool
	n      int // errors added, to keep the order found among equals
	files  map[string]*fileErrs
	// Cells that already have an error: seenCell for rows read from files (the file's
	// rank and the line packed in the key, a bit per column in the value, since there
	// may be millions), seenKey for the rest.
	seenCell map[uint64]uint64
	seenKey  map[cell]struct{}
	bounds   bounds // set by validate
}

// maxValue is the most bytes of a value kept in a RowError.
const maxValue = 100

type fileErrs struct {
	kept  []found
	found int
}

// found is a RowError with what orders it: knock-on errors (later) after the others,
// then by file and line, then the order found.
type found struct {
	RowError
	later bool
	n     int
}

type cell struct {
	file, key, column string
	line              int
}

// add records e.
func (c *errs) add(e RowError) { c.addAs(e, false) }

// addLater records e as a knock-on of other errors (an application left with "no
// members" by members.csv rows that did not read): it is listed after all the others.
func (c *errs) addLater(e RowError) { c.addAs(e, true) }

func (c *errs) addAs(e RowError, later bool) {
	if len(e.Value) > maxValue {
		// A message needs the start of a long value (an unclosed quote can swallow a
		// whole file into one cell), not all of it.
		e.Value = fmt.Sprintf("%s… (%d bytes)", e.Value[:maxValue], len(e.Value))
	}
	// Line 1 is the header: report every column. Errors with neither line nor key name
	// a whole file.
	if e.Line > 1 || (e.Line == 0 && e.Key != "") {
		if c.seen(e) {
			return
		}
	}
	if c.files == nil {
		c.files = map[string]*fileErrs{}
	}
	f := c.files[e.File]
	if f == nil {
		f = &fileErrs{}
		c.files[e.File] = f
	}
	f.found++
	c.n++
	f.kept = append(f.kept, found{e, later, c.n})
	if len(f.kept) >= 2*ErrorsPerFile {
		// Errors arrive mostly but not wholly in line order (validation walks members by
		// application), so keep the first by line rather than the first found.
		slices.SortFunc(f.kept, c.compare)
		clear(f.kept[ErrorsPerFile:])
		f.kept = f.kept[:ErrorsPerFile]
	}
}

// seen reports whether e's cell already has an error, and marks it.
func (c *errs) seen(e RowError) bool {
	if e.Line > 1 {
		if fr, ci := fileRank(e.File), columnBit(e.File, e.Column); fr >= 0 && ci >= 0 {
			k := uint64(fr)<<56 | uint64(e.Line)&(1<<56-1)
			if c.seenCell == nil {
				c.seenCell = map[uint64]uint64{}
			}
			mask := c.seenCell[k]
			if mask&(1<<ci) != 0 {
				return true
			}
			c.seenCell[k] = mask | 1<<ci
			return false
		}
	}
	k := cell{e.File, e.Key, e.Column, e.Line}
	if e.Line > 0 {
		k.key = ""
	}
	if c.seenKey == nil {
		c.seenKey = map[cell]struct{}{}
	}
	if _, ok := c.seenKey[k]; ok {
		return true
	}
	c.seenKey[k] = struct{}{}
	return false
}

func (c *errs) compare(a, b found) int {
	if a.later != b.later {
		if a.later {
			return 1
		}
		return -1
	}
	if c.byLine {
		if d := fileRank(a.File) - fileRank(b.File); d != 0 {
			return d
		}
		if d := a.Line - b.Line; d != 0 {
			return d
		}
	}
	return a.n - b.n
}

// merge moves the errors o found into c, as if c had found them after its own. Files
// are read one per goroutine, so c holds none of o's files yet (were it to, their
// errors would still be ordered by line, then c's before o's).
func (c *errs) merge(o *errs) {
	for name, f := range o.files {
		for i := range f.kept {
			f.kept[i].n += c.n
		}
		if c.files == nil {
			c.files = map[string]*fileErrs{}
		}
		if have := c.files[name]; have != nil {
			have.kept = append(have.kept, f.kept...)
			have.found += f.found
			slices.SortFunc(have.kept, c.compare)
			if len(have.kept) > ErrorsPerFile {
				clear(have.kept[ErrorsPerFile:])
				have.kept = have.kept[:ErrorsPerFile]
			}
			continue
		}
		c.files[name] = f
	}
	c.n += o.n
	for k, mask := range o.seenCell {
		if c.seenCell == nil {
			c.seenCell = map[uint64]uint64{}
		}
		c.seenCell[k] |= mask
	}
	for k := range o.seenKey {
		if c.seenKey == nil {
			c.seenKey = map[cell]struct{}{}
		}
		c.seenKey[k] = struct{}{}
	}
}

func (c *errs) empty() bool { return c.n == 0 }

func (c *errs) err() error {
	if c.n == 0 {
		return nil
	}
	ve := &ValidationError{}
	var all []found
	for name, f := range c.files {
		slices.SortFunc(f.kept, c.compare)
		if len(f.kept) > ErrorsPerFile {
			f.kept = f.kept[:ErrorsPerFile]
		}
		all = append(all, f.kept...)
		if more := f.found - len(f.kept); more > 0 {
			ve.Omitted = append(ve.Omitted, Omitted{name, more})
		}
	}
	slices.SortFunc(all, c.compare)
	for _, f := range all {
		ve.Errors = append(ve.Errors, f.RowError)
	}
	slices.SortFunc(ve.Omitted, func(a, b Omitted) int {
		if d := fileRank(a.File) - fileRank(b.File); d != 0 {
			return d
		}
		return strings.Compare(a.File, b.File)
	})
	return ve
}

// fileRank is file's place in Files, -1 for a file that is not a snapshot file.
func fileRank(file string) int {
	for i, f := range Files {
		if f.Name == file {
			return i
		}
	}
	return -1
}

// columnBit is col's place among file's columns (63 for "-", the whole row), or -1.
func columnBit(file, col string) int {
	if col == "-" {
		return 63
	}
	if r := fileRank(file); r >= 0 {
		for i, c := range Files[r].Columns {
			if c == col {
				return i
			}
		}
	}
	return -1
}
