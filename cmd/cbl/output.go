package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"text/tabwriter"
)

// Print writes rows of data to stdout in the --output format: an aligned table with a
// header, CSV with a header row, or a JSON array of objects keyed by header.
func (app *App) Print(header []string, rows [][]string) error {
	switch app.Output {
	case "csv":
		w := csv.NewWriter(app.Stdout)
		w.Write(header)
		w.WriteAll(rows)
		return w.Error()
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
