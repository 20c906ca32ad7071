// Command render writes the HTML report for a report.Data saved as JSON:
//
//	go run ./report/cmd/render testdata/report/sample.json out.html
//
// It exists to render sample data for scripts/report-screenshot.sh and for eyeballing the
// design; the simulator writes reports itself with report.Write.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cbl-lettings/cbl/report"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: render DATA.json OUT.html")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var d report.Data
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, d); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
