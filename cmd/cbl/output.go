package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

// Print writes rows of data to stdout in the --output format: an aligned table with a
// header, CSV with a header row, or a JSON array of objects keyed by header.
func (app *App) Print(header []string, rows [][]string) error {
	switch app.Output {
	case "csv":
		return writeCSV(app.Stdout, header, rows)
	case "json":
		out := make([]map[string]string, len(rows))
		for i, r := range rows {
			out[i] = make(map[string]string, len(header))
			for j, h := range header {
				out[i][h] = r[j]
			}
		}
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	default:
		w := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
		for _, r := range append([][]string{header}, rows...) {
			for j, c := range r {
				if j > 0 {
					fmt.Fprint(w, "\t")
				}
				fmt.Fprint(w, c)
			}
			fmt.Fprintln(w)
		}
		return w.Flush()
	}
}

// writeCSV writes a header and rows as CSV, every cell a spreadsheet would evaluate as a
// formula neutralised (snapshot.Neutralise): names and reasons come from outside.
func writeCSV(out io.Writer, header []string, rows [][]string) error {
	w := csv.NewWriter(out)
	w.Write(header)
	cells := make([]string, 0, len(header))
	for _, r := range rows {
		cells = cells[:0]
		for _, c := range r {
			cells = append(cells, snapshot.Neutralise(c))
		}
		w.Write(cells)
	}
	w.Flush()
	return w.Error()
}

// fileModeFlag adds --mode to a command that writes files holding (or derived from)
// personal data, and returns where its value is kept; parseMode reads it.
func fileModeFlag(cmd *cobra.Command) *string {
	var mode string
	cmd.Flags().StringVar(&mode, "mode", "0600", "permission of the files written, octal: 0600 only you (the default; directories created 0700), 0640 also your group")
	return &mode
}

// parseMode reads a --mode value: octal permission bits that let the owner read and
// write.
func parseMode(s string) (os.FileMode, error) {
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 0o777 {
		return 0, usageErrorf("--mode %q: want octal permission bits such as 0600 or 0640", s)
	}
	if v&0o600 != 0o600 {
		return 0, usageErrorf("--mode %q: the owner must be able to read and write (0600 at least)", s)
	}
	return os.FileMode(v), nil
}

// createFile creates or truncates path with exactly mode (not less the umask, and also
// when the file was already there).
func createFile(path string, mode os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
