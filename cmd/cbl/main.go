// Command cbl runs choice-based lettings for the Keyways scheme: it keeps the register in
// PostgreSQL, imports and exports snapshots, and (as commands are added) runs cycles.
//
// Exit status: 0 success, 2 usage error, 1 any other failure.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// CBL_CPUPROFILE=FILE writes a CPU profile of the whole run (go tool pprof FILE), for
	// measuring the weekly job where it runs, at its scale.
	if f := os.Getenv("CBL_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err == nil {
			err = pprof.StartCPUProfile(out)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "cbl: CBL_CPUPROFILE: %v\n", err)
			os.Exit(1)
		}
	}
	err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile()
	// CBL_MEMPROFILE=FILE writes what the run allocated, by where (go tool pprof
	// -sample_index=alloc_space FILE): page faults as the heap grows are much of a
	// national close's system time.
	if f := os.Getenv("CBL_MEMPROFILE"); f != "" {
		if out, err := os.Create(f); err == nil {
			pprof.Lookup("allocs").WriteTo(out, 0)
			out.Close()
		}
	}
	os.Exit(ExitCode(err))
}

// roomyGC lets the heap grow to 1+percent/100 times what is live rather than twice,
// unless GOGC is set: for the commands that hold a whole register and allocate many
// times it (simulate, cycle close, verify and replay), whose process ends with the job.
func roomyGC(percent int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}
