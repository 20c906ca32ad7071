package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cbl-lettings/cbl/intake"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

func newImportCommand(app *App) *cobra.Command {
	var replace, check, merge bool
	cmd := &cobra.Command{
		Use:   "import DIR",
		Short: "Load a register snapshot (a directory of CSV files) into the database",
		Long: `Read the snapshot in DIR (docs/snapshot.md), check every row, and load it in one
transaction. If any row is bad, every bad row is listed (file:line: column: value:
reason) and nothing is written. The database must be migrated and, unless --replace
is given, hold no register yet. It holds the register's tables exclusively until it
commits (other commands wait for it; docs/snapshot.md). Interrupted (Ctrl-C, SIGTERM)
part way, it writes nothing. Prints the rows loaded per file. With --check, only
reads and checks DIR (no database needed).

register_base*.csv (the state before officers' decisions changed applications, as cbl
export writes it) is loaded only into a database that records decisions (import
--replace under the same record), and each row must name a recorded decision; into a
database that records none it is not loaded, and a note on stderr says so.

With --merge, DIR is a partial snapshot — the week's intake — merged into the register
held: any subset of the files, in the format cbl export writes. An application, landlord,
cycle or advert is added or updated by id (an application's members and medical
assessments, when given, replace those held; its band history, overrides and refusals
are kept), a bid by application and advert. New live bids are held to the rules cbl bid
place applies, and a closed cycle's advert may only be withdrawn. Every bad row is named
by DIR's own file and line and nothing is written. Shortlists and the record of
decisions are untouched (docs/cli.md, "An officer's week").`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			start := time.Now()
			if merge {
				if replace || check {
					return usageErrorf("--merge cannot be used with --replace or --check")
				}
				return mergeIntake(cmd, app, dir)
			}
			s, err := snapshot.Read(dir)
			var ve *snapshot.ValidationError
			if errors.As(err, &ve) {
				return badValues(app, dir, ve, "imported")
			}
			if err != nil {
				return err
			}
			app.Logf("read and checked %s in %v", dir, time.Since(start).Round(time.Millisecond))
			if check {
				return app.PrintRows(countRows(s))
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			start = time.Now()
			opts := pgstore.ImportOptions{Actor: actor(), Replace: replace, Note: func(msg string) { app.Logf("%s", msg) },
				Progress: app.rowProgress("importing " + dir)}
			err = pgstore.ImportWith(cmd.Context(), db, s, opts)
			if opts.Progress != nil {
				fmt.Fprintln(app.Stderr)
			}
			if err != nil {
				if errors.As(err, &ve) { // register_base rows naming decisions this database does not record
					return badValues(app, dir, ve, "imported")
				}
				return fmt.Errorf("import %s: %w", dir, err)
			}
			app.Logf("imported %s in %v", dir, time.Since(start).Round(time.Millisecond))
			return app.PrintRows(countRows(s))
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "replace the register already held (its shortlists, offers and lets too; the events log is kept)")
	cmd.Flags().BoolVar(&check, "check", false, "only check DIR; write nothing and do not connect")
	cmd.Flags().BoolVar(&merge, "merge", false, "merge DIR, a partial snapshot (the week's intake), into the register held")
	return cmd
}

func mergeIntake(cmd *cobra.Command, app *App, dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("import --merge %s: not a directory of snapshot files (docs/snapshot.md)", dir)
	}
	db, err := app.Open(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	res, err := pgstore.Merge(cmd.Context(), db, os.DirFS(dir), actor())
	var ve *snapshot.ValidationError
	if errors.As(err, &ve) {
		return badValues(app, dir, ve, "merged")
	}
	if err != nil {
		return fmt.Errorf("import --merge %s: %w", dir, err)
	}
	app.Logf("merged %s in %v", dir, time.Since(start).Round(time.Millisecond))
	return app.PrintRows([]intake.Result{*res})
}

// badValues prints the bad values of a snapshot, one a line (the first
// snapshot.ErrorsPerFile of each file, then how many more), and returns the summary:
// nothing done (imported, merged).
func badValues(app *App, dir string, ve *snapshot.ValidationError, done string) error {
	for _, l := range ve.Lines() {
		fmt.Fprintln(app.Stderr, l)
	}
	return fmt.Errorf("%s: %d bad value(s); nothing %s", dir, ve.Total(), done)
}

// fileRows is how many rows a snapshot file holds.
type fileRows struct {
	File string `json:"file"`
	Rows int    `json:"rows"`
}

func countRows(s *snapshot.Snapshot) []fileRows {
	rows := []fileRows{}
	for _, c := range s.Counts() {
		rows = append(rows, fileRows{File: c.File, Rows: c.Rows})
	}
	return rows
}
