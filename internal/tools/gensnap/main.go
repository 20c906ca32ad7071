// Command gensnap writes a synthetic register snapshot (synth.Generate, snapshot.Write)
// for benchmarks of the cbl commands:
//
//	go run ./internal/tools/gensnap -scale keyways -out /tmp/keyways
//	go run ./internal/tools/gensnap -scale england -out /tmp/england
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
)

func main() {
	scale := flag.String("scale", "keyways", "keyways, england or birmingham")
	out := flag.String("out", "", "directory to write (required)")
	seed := flag.Uint64("seed", 0, "random seed (0: the configuration's own)")
	flag.Parse()
	configs := map[string]func() synth.Config{"keyways": synth.Keyways, "england": synth.England, "birmingham": synth.Birmingham}
	mk, ok := configs[*scale]
	if !ok || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	cfg := mk()
	if *seed != 0 {
		cfg.Seed = *seed
	}
	start := time.Now()
	s, err := synth.Generate(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensnap:", err)
		os.Exit(1)
	}
	gen := time.Since(start)
	if err := snapshot.Write(*out, s); err != nil {
		fmt.Fprintln(os.Stderr, "gensnap:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gensnap: %s: %d applications, %d adverts, %d bids; generated in %v, written in %v\n",
		*scale, len(s.Applications), len(s.Adverts), len(s.Bids), gen.Round(time.Millisecond),
		(time.Since(start) - gen).Round(time.Millisecond))
}
