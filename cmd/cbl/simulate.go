package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/report"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/spf13/cobra"
)

func newSimulateCommand(app *App) *cobra.Command {
	var (
		dir, policyID, compareID, scale, reportFile string
		weeks                                       int
		seed                                        uint64
		replay                                      bool
		seeds                                       int
		outDir                                      string
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
		Example: `  cbl simulate --register /tmp/kw --compare nn-2025-proposed --weeks 52
  cbl simulate --policy nn-2021 --compare my-policy.json --report out.html
  cbl simulate --register /tmp/kw --compare nn-2025-proposed --replay -o csv`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			perm, err := parseMode(*mode)
			if err != nil {
				return err
			}
			if seeds < 1 {
				return usageErrorf("--seeds %d: want at least 1", seeds)
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
				if err := simulate.ReadConfig(configFile, &cfg); err != nil {
					if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
						return fmt.Errorf("--config: %w", err)
					}
					return fmt.Errorf("--config %w", err) // "--config FILE: problem"
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
				p, err := policy.Lookup(id)
				if err != nil {
					return usageErrorf("policy: %v", err)
				}
				pols = append(pols, p)
			}
			if !replay {
				// A run allocates a week's profiles, shortlists and steps and drops them: at
				// the default GOGC=100 a fifth of its CPU was the collector. 300 cut
				// Birmingham's 52×2 from 8.5 to 6.8 CPU-seconds for ~2.5× the heap
				// (263 → 670 MB peak). Since runs keep assessments it is even with 100 at
				// Birmingham but saves a fifth of 20 Keyways seeds' CPU (BENCHMARKS.md).
				// Set before the register is read, which at 100 collected four times
				// while the heap grew to the register's size, before any run could start.
				roomyGC(300)
			}
			start := time.Now()
			snap, err := app.simulationRegister(cmd, dir, scale, seed)
			if err != nil {
				return err
			}
			if outDir != "" && replay {
				return usageErrorf("--out writes a simulation's tables; --replay has one table, printed with -o csv")
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
			cfg.Progress = newProgress(app, cfg.Weeks*len(pols)*seeds)
			st, err := simulate.RunSeeds(cmd.Context(), snap, cfg, seeds, pols...)
			if err != nil {
				return err
			}
			names := pols[0].Name()
			if len(pols) == 2 {
				names += " and " + pols[1].Name()
			}
			app.Logf("simulated %d weeks × %d seed(s) of %d applications under %s in %v", cfg.Weeks, seeds, st.Applications,
				names, time.Since(start).Round(time.Millisecond))
			if len(pols) == 2 && len(st.Runs) > 0 {
				// Lets by age and disability, base against alternative, in the first seed's
				// world: for the terminal, JSON and the report alike.
				if err := st.LetsByGroup(st.World(), simulate.EqualityDimensions...); err != nil {
					return err
				}
			}
			if reportFile != "" {
				if err := writeReport(reportFile, perm, st, fmt.Sprintf("%s, %d adverts a week", scale, cfg.Synth.Supply.AdvertsPerWeek)); err != nil {
					return err
				}
				app.Logf("report written to %s", reportFile)
			}
			if outDir != "" {
				if err := writeTidy(outDir, perm, st); err != nil {
					return err
				}
				app.Logf("tidy CSV files and README.md written to %s", outDir)
			}
			if err := app.printStudy(st); err != nil {
				return err
			}
			return app.printLetsByGroup(st) // simulate_equality.go
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "register", "", "snapshot directory to start from (default: the database, read-only; with none configured, a synthetic register at --scale)")
	f.StringVar(&policyID, "policy", "nn-2021", "policy to run under: a shipped id (nn-2021) or a policy file")
	f.StringVar(&compareID, "compare", "", "second policy to compare with: a shipped id (nn-2025-proposed) or a policy file")
	f.IntVar(&weeks, "weeks", 52, "weekly cycles to run")
	f.Uint64Var(&seed, "seed", 1, "seed of every draw (the first, with --seeds)")
	f.IntVar(&seeds, "seeds", 1, "seeded worlds to run per policy (seeds --seed, --seed+1, …): figures become means with 90% intervals")
	f.StringVar(&scale, "scale", "keyways", "supply, joiner and behaviour rates: keyways, birmingham or england")
	f.StringVar(&reportFile, "report", "", "also write the comparison as one self-contained HTML page to this file (needs --compare)")
	f.StringVar(&configFile, "config", "", "JSON file of simulate.Config (seed, weeks, synth rates, behaviour) over the --scale's defaults; --seed and --weeks given on the command line win")
	f.StringVar(&outDir, "out", "", "also write every table as tidy CSV (one observation per row), every let, a weekly series and a README to this directory")
	mode = fileModeFlag(cmd)
	f.BoolVar(&replay, "replay", false, "replay the register's recorded cycles (real adverts and bids) under --policy and --compare instead")
	return cmd
}

// writeReport renders the study as the HTML report (package report).
func writeReport(file string, perm os.FileMode, st *simulate.Study, scale string) error {
	f, err := createFile(file, perm)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := report.Write(f, st.Report(scale)); err != nil {
		f.Close()
		return fmt.Errorf("--report %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}

// writeTidy writes each of the study's long-form tables (simulate.Study.Tidy) to
// DIR/NAME.csv, and DIR/README.md saying what each file holds. Per-let rows carry
// application ids, so the files get --mode's permissions like other personal data.
func writeTidy(dir string, perm os.FileMode, st *simulate.Study) error {
	if err := os.MkdirAll(dir, snapshot.DirMode(perm)); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	var readme strings.Builder
	fmt.Fprintf(&readme, "# Simulation output: tidy data\n\n")
	names := []string{}
	for _, p := range st.Policies {
		names = append(names, p.Name+" ("+p.Title+")")
	}
	fmt.Fprintf(&readme, "Written by `cbl simulate`: %d weeks from %s, seeds %d–%d, %d applications at the start, under %s.\n\n",
		st.Weeks, st.Start, st.Seeds[0], st.Seeds[len(st.Seeds)-1], st.Applications, strings.Join(names, " and "))
	readme.WriteString("Each file is one table in long form: a header row, then one observation per row; numbers are plain " +
		"decimals (no thousands separators), dates YYYY-MM-DD, booleans true/false. Waits are weeks from the registration " +
		"date to the day the offer was accepted; quantiles are type 7 (linear between ranks); intervals are 90% confidence " +
		"intervals of the mean over the seeds (docs/simulation.md).\n\n| file | one row per |\n|---|---|\n")
	for _, t := range st.Tidy() {
		name := filepath.Join(dir, t.Name+".csv")
		f, err := createFile(name, perm)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		err = writeCSV(f, t.Header, t.Rows)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--out %s: %w", name, err)
		}
		fmt.Fprintf(&readme, "| `%s.csv` | %s; columns: %s |\n", t.Name, strings.TrimPrefix(t.Doc, "one row per "), strings.Join(t.Header, ", "))
	}
	f, err := createFile(filepath.Join(dir, "README.md"), perm)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if _, err := f.WriteString(readme.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// simulationRegister is the register a simulation starts from: the snapshot in dir;
// else the database, when one is configured (--dsn, DATABASE_URL or PG*) or the default
// server holds a register; else — nothing given, as on a fresh machine — a synthetic
// register at --scale generated with seed, which it says on stderr.
func (app *App) simulationRegister(cmd *cobra.Command, dir, scale string, seed uint64) (*snapshot.Snapshot, error) {
	if dir != "" {
		// The snapshot itself, not through memstore as other commands read one: the store
		// copies the applications twice (its own and the register it returns) for a
		// simulation that only reads them, on the path before any run can start. The
		// store sorts them by id; so does this.
		snap, err := snapshot.Read(dir)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(snap.Applications, func(a, b register.Application) int { return cmp.Compare(a.ID, b.ID) })
		return snap, nil
	}
	if pgstore.DSN(app.DSN) != pgstore.DefaultDSN {
		return app.loadRegister(cmd, dir)
	}
	snap, err := app.loadRegister(cmd, "")
	if err == nil && len(snap.Applications) > 0 {
		return snap, nil
	}
	sc, err := synthSize(scale)
	if err != nil {
		return nil, err
	}
	sc.Seed = seed
	snap, err = synth.Generate(sc)
	if err != nil {
		return nil, err
	}
	app.Logf("no --register, no database configured and no register in the default one: simulating a synthetic %s register "+
		"of %d applications generated with seed %d (what cbl generate --size %s --seed %d writes); give --register DIR or --dsn for a real one",
		scale, len(snap.Applications), seed, scale, seed)
	return snap, nil
}

// loadRegister reads the register through cbl.Store: the snapshot directory, or the
// database read-only.
func (app *App) loadRegister(cmd *cobra.Command, dir string) (*snapshot.Snapshot, error) {
	st, done, err := app.openStore(cmd.Context(), dir)
	if err != nil {
		return nil, err
	}
	defer done()
	return st.Register(cmd.Context())
}

// newProgress returns a progress callback redrawing one line on stderr when stderr is a
// terminal; otherwise (a log file, a test) it stays quiet. total is every week of every
// run (weeks × policies × seeds); runs report their weeks concurrently.
func newProgress(app *App, total int) func(string, int, int) {
	if !app.stderrTerminal() {
		return nil
	}
	var mu sync.Mutex
	done := 0
	return func(string, int, int) {
		mu.Lock()
		defer mu.Unlock()
		done++
		fmt.Fprintf(app.Stderr, "\r%d/%d weeks simulated  ", done, total)
		if done == total {
			fmt.Fprintln(app.Stderr)
		}
	}
}

// printStudy writes the study in the --output format: its tables (simulate.Study.Tables),
// or the whole study as JSON.
func (app *App) printStudy(st *simulate.Study) error {
	if app.Output == "json" {
		return printJSON(app, st)
	}
	for i, t := range st.Tables() {
		if i > 0 {
			fmt.Fprintln(app.Stdout)
		}
		if app.Output == "csv" {
			if err := writeCSV(app.Stdout, t.Header, t.Rows); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(app.Stdout, t.Title)
		if err := app.Print(t.Header, t.Rows); err != nil {
			return err
		}
	}
	return nil
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

// stderrTerminal: stderr is a terminal (progress is drawn there; a log file or a test
// gets none).
func (app *App) stderrTerminal() bool {
	f, ok := app.Stderr.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// rowProgress returns a callback drawing "what: N rows written" on stderr when it is a
// terminal (nil otherwise), for import and cycle close, which report every batch.
func (app *App) rowProgress(what string) func(rows int) {
	if !app.stderrTerminal() {
		return nil
	}
	return func(rows int) { fmt.Fprintf(app.Stderr, "\r%s: %d rows written  ", what, rows) }
}
