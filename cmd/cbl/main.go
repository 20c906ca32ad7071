// Command cbl runs choice-based lettings for the Keyways scheme: it keeps the register in
// PostgreSQL, imports and exports snapshots, and (as commands are added) runs cycles.
//
// Exit status: 0 success, 2 usage error, 1 any other failure.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(ExitCode(err))
}
