// Command gensample writes testdata/report/sample.json: the report's figures for a real
// Keyways comparison of nn-2021 with nn-2025-proposed (seed 1, 52 weeks, 5 seeds), so the
// report's golden page and docs/report-sample.png show what the simulator produces.
//
//	go run ./internal/tools/gensample testdata/report/sample.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/synth"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gensample:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	sc := synth.Keyways()
	snap, err := synth.Generate(sc)
	if err != nil {
		return err
	}
	base, _ := policy.Builtin("nn-2021")
	alt, _ := policy.Builtin("nn-2025-proposed")
	st, err := simulate.RunSeeds(context.Background(), snap, simulate.ConfigFor(sc), 5, base, alt)
	if err != nil {
		return err
	}
	d := st.Report(fmt.Sprintf("keyways, %d adverts a week", sc.Supply.AdvertsPerWeek))
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(data, '\n'), 0o644)
}
