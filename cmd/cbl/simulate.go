package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/report"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

func newSimulateCommand(app *App) *cobra.Command {
	var (
		dir, policyID, compareID, scale, reportFile string
		weeks                                       int
		seed                                        uint64
		replay                                      bool
		configFile                                  string
		mode                                        *string
	)
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Run weekly cycles on a register under a policy, or compare two policies",
		Long: `Run --weeks weekly cycles through the engine (banding, bidding, shortlist and
allocation) on the register in snapshot directory --register, or read-only from the
database, with homes, joiners, bids, changes of circumstances, leavers, refusals and
nominations drawn by the seeded behaviour model (docs/simulation.md) at the --scale's
rates. With --compare, run the same register, homes and draws under a second policy
and print the two side by side: band movement, lets by band, waits by band and size,
refusals and closures, households housed under one policy only, bids per advert.

--output table prints titled tables; csv prints the same tables one after another,
each with a header row, separated by a blank line; json prints the whole comparison.
Progress goes to stderr. The same --seed always gives the same output.

With --replay, the register's recorded cycles — its real adverts and bids — are run
again under --policy and under --compare, and each home's row says who was offered it
first and who was let it under each (--weeks and --scale do not apply).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			perm, err := parseMode(*mode)
			if err != nil {
				return err
			}
			if weeks < 1 {
				return usageErrorf("--weeks %d: want at least 1", weeks)
			}
			sc, err := synthSize(scale)
			if err != nil {
				return err
			}
			cfg := simulate.ConfigFor(sc)
			cfg.Seed, cfg.Weeks = seed, weeks
			if configFile != "" {
				if err := readConfig(configFile, &cfg); err != nil {
					return err
				}
				if cmd.Flags().Changed("seed") {
					cfg.Seed = seed
				}
				if cmd.Flags().Changed("weeks") {
					cfg.Weeks = weeks
				}
				seed = cfg.Seed
			}
			pols := []*policy.Policy{}
			for _, id := range []string{policyID, compareID} {
				if id == "" {
					continue
				}
				p, err := policy.Builtin(id)
				if err != nil {
					return usageErrorf("policy: %v", err)
				}
				pols = append(pols, p)
			}
			start := time.Now()
			snap, err := app.loadRegister(cmd, dir)
			if err != nil {
				return err
			}
			if reportFile != "" && (len(pols) != 2 || replay) {
				return usageErrorf("--report needs --compare: the report sets two policies side by side")
			}
			if replay {
				if len(pols) != 2 {
					return usageErrorf("--replay needs --compare: the policy to replay the recorded cycles under")
				}
				rp, err := simulate.ReplayCycles(cmd.Context(), snap, pols[0], pols[1], cfg.Behaviour, seed)
				if err != nil {
					return err
				}
				app.Logf("replayed %d recorded cycles under %s and %s in %v", rp.Cycles, pols[0].Name(), pols[1].Name(),
					time.Since(start).Round(time.Millisecond))
				return app.printReplay(rp)
			}
			cfg.Progress = newProgress(app, cfg.Weeks, len(pols))
			w, err := simulate.NewWorld(snap, cfg)
			if err != nil {
				return err
			}
			var out *simulate.Comparison
			if len(pols) == 2 {
				out, err = simulate.Compare(cmd.Context(), w, pols[0], pols[1])
			} else {
				out, err = single(cmd.Context(), w, pols[0])
			}
			if err != nil {
				return err
			}
			names := pols[0].Name()
			if len(pols) == 2 {
				names += " and " + pols[1].Name()
			}
			app.Logf("simulated %d weeks of %d applications under %s in %v", cfg.Weeks, len(w.Applications),
				names, time.Since(start).Round(time.Millisecond))
			if reportFile != "" {
				if err := writeReport(reportFile, perm, out, scale, w); err != nil {
					return err
				}
				app.Logf("report written to %s", reportFile)
			}
			if err := app.printComparison(out, len(pols) == 2); err != nil {
				return err
			}
			if len(pols) == 2 {
				return app.printLetsByGroup(out, w) // simulate_equality.go
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "register", "", "snapshot directory to start from (default: the database, read-only)")
	f.StringVar(&policyID, "policy", "nn-2021", "built-in policy to run under")
	f.StringVar(&compareID, "compare", "", "second built-in policy to compare with (e.g. nn-2025-proposed)")
	f.IntVar(&weeks, "weeks", 52, "weekly cycles to run")
	f.Uint64Var(&seed, "seed", 1, "seed of every draw")
	f.StringVar(&scale, "scale", "keyways", "supply, joiner and behaviour rates: keyways, birmingham or england")
	f.StringVar(&reportFile, "report", "", "also write the comparison as one self-contained HTML page to this file (needs --compare)")
	f.StringVar(&configFile, "config", "", "JSON file of simulate.Config (seed, weeks, synth rates, behaviour) over the --scale's defaults; --seed and --weeks given on the command line win")
	mode = fileModeFlag(cmd)
	f.BoolVar(&replay, "replay", false, "replay the register's recorded cycles (real adverts and bids) under --policy and --compare instead")
	return cmd
}

// writeReport renders the comparison as the HTML report (package report).
func writeReport(file string, perm os.FileMode, c *simulate.Comparison, scale string, w *simulate.World) error {
	d := c.Report(fmt.Sprintf("%s, %d adverts a week", scale, w.Config.Synth.Supply.AdvertsPerWeek))
	f, err := createFile(file, perm)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := report.Write(f, d); err != nil {
		f.Close()
		return fmt.Errorf("--report %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}

// readConfig decodes a simulate.Config file over cfg (simulate.DecodeConfig).
func readConfig(file string, cfg *simulate.Config) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	if err := simulate.DecodeConfig(data, cfg); err != nil {
		return fmt.Errorf("--config %s: %w", file, err)
	}
	return nil
}

// loadRegister reads the snapshot directory, or exports the database read-only.
func (app *App) loadRegister(cmd *cobra.Command, dir string) (*snapshot.Snapshot, error) {
	if dir != "" {
		return snapshot.Read(dir)
	}
	db, err := app.Open(cmd.Context())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return pgstore.Export(cmd.Context(), db)
}

// single runs one policy and wraps it as a comparison with one outcome.
func single(ctx context.Context, w *simulate.World, p *policy.Policy) (*simulate.Comparison, error) {
	r, err := simulate.Run(ctx, w, p)
	if err != nil {
		return nil, err
	}
	c := &simulate.Comparison{Seed: w.Config.Seed, Weeks: len(w.Cycles), Start: w.Start,
		Applications: len(w.Applications), Bands: simulate.BandKeys}
	c.Policies[0] = simulate.Summarise(r, p)
	return c, nil
}

// newProgress returns a progress callback redrawing one line on stderr when stderr is a
// terminal; otherwise (a log file, a test) it stays quiet.
func newProgress(app *App, weeks, runs int) func(string, int, int) {
	f, ok := app.Stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var mu sync.Mutex
	done := map[string]int{}
	var order []string
	return func(name string, d, total int) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := done[name]; !ok {
			order = append(order, name)
		}
		done[name] = d
		line := "\r"
		all := 0
		for _, n := range order {
			line += fmt.Sprintf("%s %3d/%d weeks  ", n, done[n], total)
			all += done[n]
		}
		fmt.Fprint(app.Stderr, line)
		if all == weeks*runs {
			fmt.Fprintln(app.Stderr)
		}
	}
}

type table struct {
	title  string
	header []string
	rows   [][]string
}

// printComparison writes the comparison (or the single run) in the --output format.
func (app *App) printComparison(c *simulate.Comparison, two bool) error {
	if app.Output == "json" {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		if !two {
			return enc.Encode(struct {
				Seed    uint64           `json:"seed"`
				Weeks   int              `json:"weeks"`
				Outcome simulate.Outcome `json:"outcome"`
			}{c.Seed, c.Weeks, c.Policies[0]})
		}
		return enc.Encode(c)
	}
	tables := comparisonTables(c, two)
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(app.Stdout)
		}
		if app.Output == "csv" {
			if err := writeCSV(app.Stdout, t.header, t.rows); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(app.Stdout, t.title)
		if err := app.Print(t.header, t.rows); err != nil {
			return err
		}
	}
	return nil
}

func comparisonTables(c *simulate.Comparison, two bool) []table {
	n := 1
	if two {
		n = 2
	}
	ps := c.Policies[:n]
	head := func(first string) []string {
		h := []string{first}
		for _, p := range ps {
			h = append(h, p.Policy)
		}
		if two {
			h = append(h, "difference")
		}
		return h
	}
	row := func(name string, vals ...float64) []string {
		r := []string{name}
		for _, v := range vals {
			r = append(r, num(v))
		}
		if two {
			r = append(r, signed(vals[1]-vals[0]))
		}
		return r
	}
	get := func(f func(o *simulate.Outcome) float64) []float64 {
		vs := make([]float64, n)
		for i := range ps {
			vs[i] = f(&ps[i])
		}
		return vs
	}
	onlyHere := []float64{float64(len(c.OnlyBase)), float64(len(c.OnlyAlt))}
	summary := table{title: fmt.Sprintf("Summary: %d weeks from %s, seed %d, %d applications at the start", c.Weeks, c.Start, c.Seed, c.Applications),
		header: head("measure")}
	for _, m := range []struct {
		name string
		f    func(o *simulate.Outcome) float64
	}{
		{"removed (stop qualifying)", func(o *simulate.Outcome) float64 { return float64(o.Removed) }},
		{"register at end", func(o *simulate.Outcome) float64 { return float64(o.Register) }},
		{"lets", func(o *simulate.Outcome) float64 { return float64(o.Lets) }},
		{"manual bids", func(o *simulate.Outcome) float64 { return float64(o.ManualBids) }},
		{"autobids", func(o *simulate.Outcome) float64 { return float64(o.Autobids) }},
		{"autobid areas", func(o *simulate.Outcome) float64 { return float64(o.AutobidAreas) }},
		{"bids per advert: mean", func(o *simulate.Outcome) float64 { return o.BidsPerAdvert.Mean }},
		{"bids per advert: median", func(o *simulate.Outcome) float64 { return float64(o.BidsPerAdvert.Median) }},
		{"bids per advert: p90", func(o *simulate.Outcome) float64 { return float64(o.BidsPerAdvert.P90) }},
		{"bids per advert: max", func(o *simulate.Outcome) float64 { return float64(o.BidsPerAdvert.Max) }},
		{"offers", func(o *simulate.Outcome) float64 { return float64(o.Offers) }},
		{"refusals", func(o *simulate.Outcome) float64 { return float64(o.Refusals) }},
		{"counted refusals", func(o *simulate.Outcome) float64 { return float64(o.Counted) }},
		{"closed for refusals", func(o *simulate.Outcome) float64 { return float64(o.Closures) }},
		{"homeless duties discharged", func(o *simulate.Outcome) float64 { return float64(o.Discharges) }},
		{"adverts left to re-let", func(o *simulate.Outcome) float64 { return float64(o.Relet) }},
	} {
		summary.rows = append(summary.rows, row(m.name, get(m.f)...))
	}
	if two {
		summary.rows = append(summary.rows, row("housed under this policy only", onlyHere...),
			row("housed under both", float64(c.HousedBoth), float64(c.HousedBoth)))
	}
	lets := table{title: "Lets by band (band held at close)", header: head("band")}
	above := table{title: "Lets of homes larger than the household's need, by need", header: head("need")}
	for _, b := range simulate.BandKeys[:5] {
		lets.rows = append(lets.rows, row(b, get(func(o *simulate.Outcome) float64 { return float64(o.LetsByBand[b]) })...))
	}
	for _, k := range []string{"1", "2", "3", "4+"} {
		above.rows = append(above.rows, row(k, get(func(o *simulate.Outcome) float64 { return float64(o.LetsAboveNeed[k]) })...))
	}
	waits := table{title: "Days from registration to let, by band and home size (quartiles)", header: []string{"band", "bedrooms"}}
	for _, p := range ps {
		waits.header = append(waits.header, p.Policy+" lets", "q1", "median", "q3")
	}
	type cell = [2]string
	seen := map[cell]bool{}
	var cells []cell
	for _, p := range ps {
		for _, w := range p.Waits {
			k := cell{w.Band, w.Bedrooms}
			if !seen[k] {
				seen[k] = true
				cells = append(cells, k)
			}
		}
	}
	sortCells(cells)
	for _, k := range cells {
		r := []string{k[0], k[1]}
		for _, p := range ps {
			w := simulate.Wait{}
			for _, x := range p.Waits {
				if x.Band == k[0] && x.Bedrooms == k[1] {
					w = x
				}
			}
			r = append(r, strconv.Itoa(w.Lets), strconv.Itoa(w.Q1), strconv.Itoa(w.Median), strconv.Itoa(w.Q3))
		}
		waits.rows = append(waits.rows, r)
	}
	out := []table{summary, lets, waits, above}
	if !two {
		return out
	}
	mv := table{title: fmt.Sprintf("Band movement on the first day (rows %s, columns %s)", ps[0].Policy, ps[1].Policy),
		header: append([]string{"from \\ to"}, c.Bands...)}
	for i, b := range c.Bands {
		r := []string{b}
		for _, v := range c.Movement[i] {
			r = append(r, strconv.Itoa(v))
		}
		mv.rows = append(mv.rows, r)
	}
	moves := table{title: "Why they move (deciding criterion or failed qualification rule)",
		header: []string{"from", "to", "because (" + ps[0].Policy + ")", "because (" + ps[1].Policy + ")", "applications"}}
	for _, m := range c.Moves {
		moves.rows = append(moves.rows, []string{m.From, m.To, m.FromWhy, m.ToWhy, strconv.Itoa(m.Applications)})
	}
	return append(out, mv, moves)
}

func sortCells(cs [][2]string) {
	rank := map[string]int{}
	for i, b := range simulate.BandKeys {
		rank[b] = i
	}
	slices.SortFunc(cs, func(x, y [2]string) int {
		return cmp.Or(cmp.Compare(rank[x[0]], rank[y[0]]), cmp.Compare(x[1], y[1]))
	})
}

// num formats a figure: integers as integers, others to one decimal place.
func num(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func signed(v float64) string {
	if v > 0 {
		return "+" + num(v)
	}
	return num(v)
}

// printReplay writes one row per replayed home.
func (app *App) printReplay(rp *simulate.Replay) error {
	if app.Output == "json" {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rp)
	}
	a, b := rp.Policies[0], rp.Policies[1]
	header := []string{"cycle", "advert", "locality", "bedrooms", "landlord",
		"bids " + a, "first offer " + a, "let " + a, "band", "position",
		"bids " + b, "first offer " + b, "let " + b, "band", "position", "changed"}
	id := func(v int64) string {
		if v == 0 {
			return "-"
		}
		return strconv.FormatInt(v, 10)
	}
	rows := make([][]string, len(rp.Adverts))
	for i, r := range rp.Adverts {
		row := []string{strconv.FormatInt(r.Cycle, 10), strconv.FormatInt(r.Advert, 10), r.Locality,
			strconv.Itoa(r.Bedrooms), r.Landlord}
		for k := range 2 {
			band := r.Band[k].String()
			if r.Let[k] == 0 {
				band = "-"
			}
			row = append(row, strconv.Itoa(r.Bids[k]), id(r.FirstOffer[k]), id(r.Let[k]), band, strconv.Itoa(r.Position[k]))
		}
		changed := ""
		if r.Let[0] != r.Let[1] {
			changed = "yes"
		}
		rows[i] = append(row, changed)
	}
	if app.Output == "table" {
		fmt.Fprintf(app.Stdout, "Recorded cycles replayed: %d homes, %d let to a different household under %s\n",
			len(rp.Adverts), rp.Changed, b)
	}
	return app.Print(header, rows)
}
