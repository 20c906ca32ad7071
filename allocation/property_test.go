package allocation_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

// Invariants of S8.1–S8.3 over many scripted cycles: an advert is let at most once
// and an application housed at most once; an application never holds two open offers;
// every housed application is closed; every application with the policy's count of
// counted refusals inside its window is closed; every ranked bid on a let advert ends in
// exactly one state.
func TestS8_1_InvariantsOverScriptedCycles(t *testing.T) {
	closures, underOffer := 0, 0
	for seed := uint64(1); seed <= 20; seed++ {
		in := englandCycle(seed, 120, 1500)
		w, err := allocation.Start(in)
		require.NoError(t, err)
		_, err = script(w, seed)
		require.NoError(t, err)
		res := w.Result()

		closures += len(res.Sanctions)
		for _, e := range res.Events {
			if e.Reason == "under_offer_elsewhere" {
				underOffer++
			}
		}
		adverts, housed := map[int64]bool{}, map[int64]bool{}
		for _, l := range res.Lets {
			require.False(t, adverts[l.Advert], "seed %d: advert %d let twice", seed, l.Advert)
			require.False(t, housed[l.Application], "seed %d: application %d housed twice", seed, l.Application)
			adverts[l.Advert], housed[l.Application] = true, true
		}
		open := map[int64]int64{}
		for _, e := range res.Events {
			switch e.Kind {
			case "offered":
				prev, ok := open[e.Application]
				require.False(t, ok, "seed %d: application %d offered advert %d while under offer on %d", seed, e.Application, e.Advert, prev)
				open[e.Application] = e.Advert
			case "accepted", "refused", "no_reply", "no_viewing", "offer_withdrawn":
				require.Equal(t, open[e.Application], e.Advert)
				delete(open, e.Application)
			}
		}
		p := in.Policy.Refusals
		for _, a := range res.Applications {
			if housed[a.ID] {
				require.Equal(t, register.StatusClosed, a.Status)
			}
			for i, r := range a.Refusals {
				n := 0
				for _, q := range a.Refusals[:i+1] {
					if q.Counted && q.On.AddMonths(p.WindowMonths) > r.On {
						n++
					}
				}
				if r.Counted && n >= p.CountedLimit {
					require.Equal(t, register.StatusClosed, a.Status, "seed %d: application %d", seed, a.ID)
				}
			}
		}
		perAdvert := map[int64]int{}
		for _, e := range res.Events {
			switch e.Kind {
			case "skipped", "refused", "no_reply", "no_viewing", "accepted":
				perAdvert[e.Advert]++
			}
		}
		for _, sl := range in.Shortlists {
			if adverts[sl.Advert] {
				require.LessOrEqual(t, perAdvert[sl.Advert], len(sl.Ranked), "seed %d: advert %d", seed, sl.Advert)
			}
		}
	}
	require.Positive(t, closures, "the cycles exercise the two-refusal closure")
	require.Positive(t, underOffer, "the cycles exercise under-offer skips")
}
