package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/synth"
)

// An embedding system keeps its register in PostgreSQL: migrate, import, close the
// week's cycle, record an officer's decision and audit the record. (It needs a server,
// so it is compiled but not run here; examples/embed runs the same in CI.)
func Example() {
	ctx := context.Background()
	db, err := pgstore.Open(ctx, pgstore.DSN("")) // $DATABASE_URL, else PG*, else local
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := pgstore.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}
	reg, err := synth.Generate(synth.Keyways())
	if err != nil {
		log.Fatal(err)
	}
	if err := pgstore.Import(ctx, db, reg); err != nil {
		log.Fatal(err)
	}
	c := reg.Cycles[0]
	if _, err := pgstore.CloseCycle(ctx, db, c.ID, pgstore.CloseOptions{Actor: "weekly-job"}); err != nil {
		log.Fatal(err)
	}
	// What is the first advert waiting for? Verify its next candidate.
	st, err := pgstore.LoadState(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	w := st.Result.Pending[0]
	got, err := pgstore.Decide(ctx, db, c.Ends().Add(10*time.Hour), allocation.Decision{
		Kind: allocation.VerifyPass, Actor: "officer.lee", Advert: w.Advert, Application: w.Applications[0]})
	if err != nil {
		log.Fatal(err) // a *pgstore.RejectedError says why the engine refused it
	}
	fmt.Println("recorded decision", got.Seq, "walks moved:", len(got.Step.Walks))
	audit, err := pgstore.Verify(ctx, db) // replay the whole record; compare with what was kept
	if err != nil || audit.Difference != "" {
		log.Fatal(err, audit)
	}
}
