package snapshot

import (
	"strconv"
	"strings"
)

// Spreadsheets evaluate a cell that begins with = + - or @ as a formula (and some skip a
// leading tab or carriage return first): a name "=HYPERLINK(…)" in a register would run
// when an officer opens the export. Every CSV cbl writes therefore neutralises such a
// cell by putting an apostrophe in front, which spreadsheets show as text. Numbers are
// left alone: "-1" is a floor, not a formula.
//
// Snapshots are read back, so there the apostrophe must come off again: Write also
// prefixes a cell that begins with an apostrophe followed by one of those characters or
// another apostrophe, and Read removes one apostrophe from exactly those cells. A cell
// like "'Tis" is written and read unchanged.

// FormulaLike reports whether a spreadsheet would evaluate s: it begins with = + - @,
// tab or carriage return, and is not a number.
func FormulaLike(s string) bool {
	if s == "" || !trigger(s[0]) {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil || strings.ContainsAny(s, "\t\r")
}

func trigger(c byte) bool { return strings.IndexByte("=+-@\t\r", c) >= 0 }

// Neutralise returns s with an apostrophe in front if a spreadsheet would evaluate it,
// for CSV that is only read by people (a command's -o csv).
func Neutralise(s string) string {
	if FormulaLike(s) {
		return "'" + s
	}
	return s
}

// escapeCell is Neutralise for snapshot files, reversible by unescapeCell.
func escapeCell(s string) string {
	if FormulaLike(s) || escaped(s) {
		return "'" + s
	}
	return s
}

// unescapeCell undoes escapeCell.
func unescapeCell(s string) string {
	if escaped(s) {
		return s[1:]
	}
	return s
}

// escaped reports whether s looks as escapeCell leaves a cell it prefixed.
func escaped(s string) bool {
	return len(s) > 1 && s[0] == '\'' && (trigger(s[1]) || s[1] == '\'')
}
