package snapshot

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

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
}

// readTable reads file from fsys: the header must name exactly cols (in any order).
// A missing file is an empty table. Every problem is recorded in e.
func readTable(fsys fs.FS, file string, cols []string, e *errs) []*row {
	data, err := fs.ReadFile(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		e.add(RowError{File: file, Column: "-", Reason: err.Error()})
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM, as spreadsheets write
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		e.add(RowError{File: file, Line: 1, Column: "header", Reason: "empty file: want a header row"})
		return nil
	}
	if err != nil {
		e.add(csvError(file, err))
		return nil
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
	bad := false
	for _, c := range cols {
		if _, ok := idx[c]; !ok {
			e.add(RowError{File: file, Line: 1, Column: "header", Value: c, Reason: "missing column"})
			bad = true
		}
	}
	if bad {
		return nil
	}
	var rows []*row
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
		if len(rec) != len(header) {
			e.add(RowError{File: file, Line: line, Column: "-", Value: strings.Join(rec, ","),
				Reason: fmt.Sprintf("%d fields, want %d", len(rec), len(header))})
			continue
		}
		rows = append(rows, &row{file: file, line: line, rec: rec, idx: idx, e: e})
	}
	return rows
}

func csvError(file string, err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{File: file, Line: pe.Line, Column: "-",
			Reason: fmt.Sprintf("%v (character %d of the line); the rest of the file is not read", pe.Err, pe.Column)}
	}
	return RowError{File: file, Column: "-", Reason: err.Error()}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (r *row) str(col string) string { return r.rec[r.idx[col]] }

func (r *row) bad(col, reason string) {
	r.e.add(RowError{File: r.file, Line: r.line, Column: col, Value: r.str(col), Reason: reason})
}

// id parses a required positive integer id.
func (r *row) id(col string) int64 {
	v, err := strconv.ParseInt(r.str(col), 10, 64)
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
