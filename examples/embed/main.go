// Command embed is a housing system embedding cbl from outside its module, through its
// public packages only: it opens the PostgreSQL register (pgstore), loads a synthetic
// register into it, closes the week's cycle, ranks an advert in memory and checks the
// stored shortlist agrees, records a decision (the next candidate passes verification)
// and proves with the audit that what was kept is what the record gives.
//
//	go run . -dsn postgres://postgres@127.0.0.1:5432/mydb?sslmode=disable
//
// The database must be empty (it is migrated and the register imported).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/cbl-lettings/cbl/synth"
)

func main() {
	dsn := flag.String("dsn", "", "the PostgreSQL database to use (default $DATABASE_URL, PG*, local)")
	flag.Parse()
	if err := run(context.Background(), pgstore.DSN(*dsn), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsn string, out io.Writer) error {
	db, err := pgstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := pgstore.Migrate(ctx, db); err != nil {
		return err
	}
	cfg := synth.Keyways()
	cfg.Register.Applications = 1500
	cfg.Supply.Cycles = 1
	reg, err := synth.Generate(cfg)
	if err != nil {
		return err
	}
	if err := pgstore.Import(ctx, db, reg); err != nil {
		return err
	}
	cycle := reg.Cycles[0]
	if _, err := pgstore.CloseCycle(ctx, db, cycle.ID, pgstore.CloseOptions{Actor: "embed"}); err != nil {
		return err
	}

	// Rank the cycle in memory from the register as stored, and take the first advert
	// anyone bid on.
	s, err := pgstore.Export(ctx, db)
	if err != nil {
		return err
	}
	p, err := pgstore.CyclePolicy(cycle)
	if err != nil {
		return err
	}
	rules, err := bidding.Compile(p)
	if err != nil {
		return err
	}
	closed, err := shortlist.CloseCycle(ctx, rules, cycle, s.Applications, cycle.AdvertsOf(s.Adverts), s.Bids, nil)
	if err != nil {
		return err
	}
	var sl *shortlist.Shortlist
	for i := range closed.Shortlists {
		if len(closed.Shortlists[i].Ranked) > 0 {
			sl = &closed.Shortlists[i]
			break
		}
	}
	if sl == nil {
		return errors.New("nobody bid")
	}
	head := sl.Ranked[0]
	fmt.Fprintf(out, "advert %d: %d ranked, first application %d (band %s)\n", sl.Advert, len(sl.Ranked), head.Application, head.Band)
	stored, err := pgstore.LoadBidPosition(ctx, db, sl.Advert, head.Application)
	if err != nil {
		return err
	}
	if stored.Entry.Position != 1 {
		return fmt.Errorf("advert %d: the store ranks %d at %d, not first", sl.Advert, head.Application, stored.Entry.Position)
	}

	// Record a decision: the next candidate on that advert passes verification.
	st, err := pgstore.LoadState(ctx, db)
	if err != nil {
		return err
	}
	w, err := allocation.Start(st.Input)
	if err != nil {
		return err
	}
	waits := w.Waiting(sl.Advert)
	if len(waits) == 0 || waits[0].For != allocation.WaitVerify {
		return fmt.Errorf("advert %d waits for %v, not a verification", sl.Advert, waits)
	}
	at := cycle.Ends().Add(10 * 3600 * 1e9) // ten hours after the close
	got, err := pgstore.Decide(ctx, db, at, allocation.Decision{Kind: allocation.VerifyPass, Actor: "embed",
		Advert: sl.Advert, Application: waits[0].Applications[0]})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "decision %d: %s application %d on advert %d; %d event(s), %d walk(s) moved\n",
		got.Seq, got.Kind, got.Application, got.Advert, len(got.Events), len(got.Step.Walks))

	audit, err := pgstore.Verify(ctx, db)
	if err != nil {
		return err
	}
	if audit.Difference != "" {
		return fmt.Errorf("audit: %s", audit.Difference)
	}
	fmt.Fprintf(out, "audit: %d decision(s) replayed, the kept state equals the record\n", audit.Decisions)
	return nil
}
