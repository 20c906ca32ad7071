package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/pgstore/storetest"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/jmoiron/sqlx"
)

// keyways imports the Keyways-scale synthetic register (7,000 applications, one week of
// 30 adverts and their bids) and stores the week's shortlists.
func keyways(b *testing.B) (*sqlx.DB, time.Time) {
	b.Helper()
	cfg := synth.Keyways()
	cfg.Supply.Cycles = 1
	s, err := synth.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db := pgtest.DB(b)
	if err := pgstore.Import(context.Background(), db, s); err != nil {
		b.Fatal(err)
	}
	storetest.CloseCycle(b, db, s.Cycles[0].ID)
	return db, s.Cycles[0].Closes.Add(time.Hour)
}

// next is the decision that moves the first open advert on: each iteration records a
// different decision, as an officer working through the week would.
func next(res *allocation.Result, i int) (allocation.Decision, bool) {
	for _, w := range res.Pending {
		d := allocation.Decision{Actor: "bench", Advert: w.Advert}
		switch w.For {
		case allocation.WaitVerify:
			d.Kind, d.Application = allocation.VerifyPass, w.Applications[0]
			if i%3 == 0 {
				d.Kind, d.Code = allocation.VerifySkip, "no_contact"
			}
		case allocation.WaitOffer:
			d.Kind, d.Application = allocation.MakeOffer, w.Applications[0]
		case allocation.WaitReply:
			d.Kind, d.Application, d.Refusal = allocation.Refuse, w.Applications[0], "refused"
		case allocation.WaitNominate:
			d.Kind = allocation.Nominate
		case allocation.WaitLandlord:
			d.Kind, d.Application, d.Code = allocation.LandlordReject, w.Applications[0], "landlord_policy"
		case allocation.WaitRequestMore:
			d.Kind = allocation.RequestMore
		default:
			continue
		}
		return d, true
	}
	return allocation.Decision{}, false
}

// BenchmarkLoadState loads the stored state of a Keyways register after 300 recorded
// decisions (what cbl queue pays, no replay), and the audit that replays the record
// (cbl decisions verify).
func BenchmarkLoadState(b *testing.B) {
	ctx := context.Background()
	db, at := keyways(b)
	st, err := pgstore.LoadState(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	res := st.Result
	for i := range 300 {
		d, ok := next(res, i)
		if !ok {
			break
		}
		at = at.Add(time.Minute)
		if _, err := pgstore.Decide(ctx, db, at, d); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st, err := pgstore.LoadState(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		res = st.Result
		b.StartTimer()
	}
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pgstore.LoadState(ctx, db); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if a, err := pgstore.Verify(ctx, db); err != nil || a.Difference != "" {
				b.Fatal(err, a)
			}
		}
	})
}
