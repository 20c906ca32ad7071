package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/memstore"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"
)

// commands lists the subcommands. To add one, write a newXCommand(*App) in its own file
// and list it here.
var commands = []func(*App) *cobra.Command{
	newMigrateCommand,
	newImportCommand,
	newExportCommand,
	newOfferCommand,
	newNominateCommand,
	newLetCommand,
	newReviewCommand,
	newOverrideCommand,
	newAdvertCommand,
	newApplicationCommand,
	newFeedbackCommand,
	newQueueCommand,
	newExplainCommand,
	newLetterCommand,
	newDecisionsCommand,
	newDemoCommand,
	newGenerateCommand,
	newSimulateCommand,
	newAssessCommand,
	newCycleCommand,
	newBidCommand,
	newAutobidCommand,
	newShortlistCommand,
	newPolicyCommand,
	newEqualityCommand,
}

// App is what every subcommand shares: the global flags and the output streams. Data
// goes to Stdout, progress and errors to Stderr.
type App struct {
	DSN    string // --dsn; empty: DATABASE_URL, else PG*, else the local default
	Output string // --output: table, json or csv
	Stdout io.Writer
	Stderr io.Writer
	// Now is the clock "today" is read from (nil: time.Now). Every command turns it
	// into a day with the policy's Day, so that all of them agree on the date.
	Now func() time.Time
}

// now reads app's clock.
func (app *App) now() time.Time {
	if app.Now != nil {
		return app.Now()
	}
	return time.Now()
}

// UsageError is a mistake in the command line (exit status 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// ExitCode maps Run's error to the process exit status: 0 ok, 2 usage, 1 failed run.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

// Run executes the cbl command line args (without the program name), printing any error
// to stderr. The context cancels long work (Ctrl-C).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app := &App{Stdout: stdout, Stderr: stderr}
	root := NewRootCommand(app)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		// pgstore.Open already keeps passwords out of its errors; this is the last line of
		// defence for any other path that might quote the connection string.
		err = pgstore.RedactError(err, pgstore.DSN(app.DSN))
		fmt.Fprintf(stderr, "cbl: %v\n", err)
		var ue *UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return err
}

// NewRootCommand builds the cbl command tree around app.
func NewRootCommand(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "cbl",
		Short:         "Choice-based lettings for the Keyways housing allocation scheme",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		// Checks the global flags. A subcommand must not set its own PersistentPreRunE
		// (cobra would run only that one); use PreRunE instead.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch app.Output {
			case "table", "json", "csv":
			default:
				return usageErrorf("--output %q: want table, json or csv", app.Output)
			}
			return checkNotBlank(cmd)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for cbl", args[0])
			}
			return cmd.Help()
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &UsageError{err} })
	f := root.PersistentFlags()
	f.StringVar(&app.DSN, "dsn", "", "PostgreSQL connection string (default $DATABASE_URL, else PG* variables, else "+pgstore.DefaultDSN+")")
	f.StringVarP(&app.Output, "output", "o", "table", "output format: table, json or csv")
	for _, c := range commands {
		root.AddCommand(c(app))
	}
	addExamples(root)
	completeFlags(root, flagValues())
	return root
}

// recordedText are the flags whose text is recorded with what a command does (in events,
// exclusions, decisions): given, they must say something. "   " as a --reason is no
// reason, and the record is append-only.
var recordedText = []string{"reason", "note", "actor", "authoriser", "by"}

// checkNotBlank refuses any of recordedText given blank.
func checkNotBlank(cmd *cobra.Command) error {
	for _, name := range recordedText {
		f := cmd.Flags().Lookup(name)
		if f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return usageErrorf("--%s is blank: say something, or leave the flag out if it is optional", name)
		}
	}
	return nil
}

// exactArgs is cobra.ExactArgs reporting a UsageError.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &UsageError{err}
		}
		return nil
	}
}

// openStore opens the register a command reads: the snapshot directory dir, held in
// memory, or else the database (--dsn). done releases it.
func (app *App) openStore(ctx context.Context, dir string) (cbl.Store, func(), error) {
	if dir != "" {
		s, err := snapshot.Read(dir)
		if err != nil {
			return nil, nil, err
		}
		return memstore.New(s), func() {}, nil
	}
	db, err := app.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &pgstore.Store{DB: db}, func() { db.Close() }, nil
}

// Open connects to the database the flags and environment name, and checks that its
// schema is the one this cbl embeds (pgstore.CheckVersion).
func (app *App) Open(ctx context.Context) (*sqlx.DB, error) {
	db, err := app.OpenUnchecked(ctx)
	if err != nil {
		return nil, err
	}
	// Every command but migrate opens the database here, so none reads or writes one a
	// newer cbl migrated or whose migrations changed since, whichever store calls it makes.
	if err := pgstore.CheckVersion(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenUnchecked is Open without the schema check, for cbl migrate and migrate status.
func (app *App) OpenUnchecked(ctx context.Context) (*sqlx.DB, error) {
	return pgstore.Open(ctx, pgstore.DSN(app.DSN))
}

// Logf writes a progress line to stderr.
func (app *App) Logf(format string, args ...any) {
	fmt.Fprintf(app.Stderr, format+"\n", args...)
}

// actor names who is running the command, for the events log.
func actor() string {
	for _, k := range []string{"CBL_ACTOR", "USER", "LOGNAME"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v
		}
	}
	return "cbl"
}
