package snapshot

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cbl-lettings/cbl/register"
	"github.com/shopspring/decimal"
)

// row is one CSV record with its file and line; its accessors parse a column and record
// a RowError (returning the zero value) when the value does not parse.
type row struct {
	file string
	line int
	rec  []string
	idx  map[string]int
	e    *errs
	// most is at least how many rows the file holds, and at most its lines: for sizing
	// what the rows are read into at the first row. Growing the applications by append
	// cost a Birmingham simulation ~0.04 s before it could start, most of it faulting
	// in fresh pages for each larger copy.
	most int
}

// readTable reads file from fsys: the header must name exactly cols (in any order).
// A missing file is an empty table. Every problem is recorded in e. The rows are
// yielded one at a time rather than returned, so that a file of millions of rows is not
// held twice (as rows and as what they are read into).
func readTable(fsys fs.FS, file string, cols []string, e *errs) iter.Seq[*row] {
	return func(yield func(*row) bool) {
		readRows(fsys, file, cols, e, yield)
	}
}

func readRows(fsys fs.FS, file string, cols []string, e *errs, yield func(*row) bool) {
	data, err := fs.ReadFile(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		e.add(RowError{File: file, Column: "-", Reason: err.Error()})
		return
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM, as spreadsheets write
	if enc := notUTF8(data); enc != "" {
		e.add(RowError{File: file, Line: 1, Column: "-", Reason: "not UTF-8: the file looks like " + enc + "; save it as CSV UTF-8"})
		return
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true // a row lives only while it is yielded
	header, err := r.Read()
	header = slices.Clone(header) // ReuseRecord: the next Read overwrites it
	if err == io.EOF {
		e.add(RowError{File: file, Line: 1, Column: "header", Reason: "empty file: want a header row"})
		return
	}
	if err != nil {
		e.add(csvError(file, err))
		return
	}
	idx := make(map[string]int, len(header))
	for i, h := range header {
		if !contains(cols, h) {
			e.add(RowError{File: file, Line: 1, Column: "header", Value: h,
				Reason: "unknown column (want " + strings.Join(cols, ",") + ")"})
			continue
		}
		if _, dup := idx[h]; dup {
			e.add(RowError{File: file, Line: 1, Column: "header", Value: h, Reason: "duplicate column"})
		}
		idx[h] = i
	}
	// A row yielded has a field per header column, so len(header)-1 commas, and ends a
	// line: a row per line, or per len(header) bytes if fewer, is never too few.
	most := min(bytes.Count(data, []byte{'\n'})+1, len(data)/len(header)+1)
	bad := false
	for _, c := range cols {
		if _, ok := idx[c]; !ok && !contains(optionalColumns[file], c) {
			e.add(RowError{File: file, Line: 1, Column: "header", Value: c, Reason: "missing column"})
			bad = true
		}
	}
	if bad {
		return
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			e.add(csvError(file, err))
			break // the rest of the file cannot be trusted
		}
		line, _ := r.FieldPos(0)
		for i, v := range rec {
			rec[i] = unescapeCell(v) // what Write escaped against spreadsheet formulas
			if problem := textProblem(v); problem != "" && i < len(header) {
				e.add(RowError{File: file, Line: line, Column: header[i], Value: v, Reason: problem})
			}
		}
		if len(rec) != len(header) {
			e.add(RowError{File: file, Line: line, Column: "-", Value: strings.Join(rec, ","),
				Reason: fmt.Sprintf("%d fields, want %d", len(rec), len(header))})
			continue
		}
		if !yield(&row{file: file, line: line, rec: rec, idx: idx, e: e, most: most}) {
			return
		}
	}
}

func csvError(file string, err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine < pe.Line {
			// A quote never closed swallows the lines after it: the mistake is where the
			// quoted field starts, not where the reader gave up.
			return RowError{File: file, Line: pe.StartLine, Column: "-",
				Reason: fmt.Sprintf("a quoted field starting on this line is never closed (read to line %d); the rest of the file is not read", pe.Line)}
		}
		return RowError{File: file, Line: pe.Line, Column: "-",
			Reason: fmt.Sprintf("%v (character %d of the line); the rest of the file is not read", pe.Err, pe.Column)}
	}
	return RowError{File: file, Column: "-", Reason: err.Error()}
}

// notUTF8 names the encoding data seems to be in when it is plainly not UTF-8 text:
// a UTF-16 or UTF-32 byte-order mark, or NUL bytes in the first line (UTF-16 without a
// mark; a spreadsheet's "Unicode text" export). Otherwise "": a Latin-1 or Windows-1252
// file is found cell by cell (textProblem), naming each value.
func notUTF8(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}):
		return "UTF-32 (it starts with a UTF-32 byte-order mark)"
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return "UTF-16 little-endian (it starts with a UTF-16 byte-order mark)"
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return "UTF-16 big-endian (it starts with a UTF-16 byte-order mark)"
	}
	first := data
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if bytes.IndexByte(first, 0) >= 0 {
		return "UTF-16 or another encoding with NUL bytes (its first line has NUL bytes)"
	}
	return ""
}

// textProblem says why PostgreSQL would refuse s as text, or "": its text must be valid
// UTF-8 without NUL bytes.
func textProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "not UTF-8 text (a Latin-1 or Windows-1252 character?); save the file as CSV UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// str is the cell of col; "" when col is an optional column the file leaves out.
func (r *row) str(col string) string {
	i, ok := r.idx[col]
	if !ok {
		return ""
	}
	return r.rec[i]
}

func (r *row) bad(col, reason string) {
	r.e.add(RowError{File: r.file, Line: r.line, Column: col, Value: r.str(col), Reason: reason})
}

// id parses a required positive integer id.
func (r *row) id(col string) int64 {
	v, err := strconv.ParseInt(r.str(col), 10, 64)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(r.str(col), "-") {
		r.bad(col, fmt.Sprintf("out of range: want a positive whole number up to %d", int64(math.MaxInt64)))
		return 0
	}
	if err != nil || v <= 0 {
		r.bad(col, "want a positive whole number")
		return 0
	}
	return v
}

// int parses a whole number; empty is 0.
func (r *row) int(col string) int {
	s := r.str(col)
	if s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) {
		r.bad(col, fmt.Sprintf("out of range: want a whole number from %d to %d", math.MinInt32, math.MaxInt32))
		return 0
	}
	if err != nil {
		r.bad(col, "want a whole number")
		return 0
	}
	return v
}

// optInt parses a whole number; empty is nil.
func (r *row) optInt(col string) *int {
	if r.str(col) == "" {
		return nil
	}
	v := r.int(col)
	return &v
}

// bool parses true or false; empty is false.
func (r *row) bool(col string) bool {
	switch r.str(col) {
	case "true":
		return true
	case "false", "":
		return false
	}
	r.bad(col, "want true or false")
	return false
}

// optBool parses true or false; empty is nil.
func (r *row) optBool(col string) *bool {
	if r.str(col) == "" {
		return nil
	}
	v := r.bool(col)
	return &v
}

// date parses YYYY-MM-DD; empty is the zero Date.
func (r *row) date(col string) register.Date {
	d, err := register.ParseDate(r.str(col))
	if err != nil {
		r.bad(col, "want a date YYYY-MM-DD")
		return 0
	}
	if r.str(col) != "" && d <= 0 {
		// Year 0 parses, but is the zero Date ("not set"): say what is wrong with it
		// rather than letting validation call it missing.
		r.bad(col, "year 0: want a year from 1 on")
		return 0
	}
	return d
}

// time parses an RFC 3339 time (2025-04-03T00:00:00Z or with an offset); empty is the
// zero time. Times are returned in UTC.
func (r *row) time(col string) time.Time {
	s := r.str(col)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.bad(col, "want a time like 2025-04-03T09:30:00Z (RFC 3339)")
		return time.Time{}
	}
	return t.UTC()
}

// money parses pounds with at most two decimal places; empty is 0.00.
func (r *row) money(col string) decimal.Decimal {
	s := r.str(col)
	if s == "" {
		return Money(decimal.Zero)
	}
	d, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") {
		r.bad(col, "want an amount in pounds like 123.45")
		return Money(decimal.Zero)
	}
	if d.Exponent() < -2 && !d.Equal(d.Round(2)) {
		r.bad(col, "more than two decimal places")
	}
	return Money(d)
}

// band parses A..E; empty is NoBand.
func (r *row) band(col string) register.Band {
	b, err := register.ParseBand(r.str(col))
	if err != nil {
		r.bad(col, "want a band A, B, C, D or E")
	}
	return b
}

// Money returns d rounded to pence in the one representation Read and the store
// produce, so snapshots compare equal field by field.
func Money(d decimal.Decimal) decimal.Decimal {
	return decimal.RequireFromString(d.StringFixed(2))
}
