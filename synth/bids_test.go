package synth_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/synth"
	"github.com/stretchr/testify/require"
)

// checkBids enforces S6.2 on generated bids: every bid names an existing
// application and an advert of its cycle, is placed inside the cycle window, no
// application bids twice on an advert or holds more than the cap in a cycle, and Band A
// (autobid) places no manual bids.
func checkBids(t *testing.T, s *snapshot.Snapshot, ass map[int64]banding.Assessment) {
	t.Helper()
	p := nn2021(t)
	adverts := map[int64]*bidding.Advert{}
	for i := range s.Adverts {
		adverts[s.Adverts[i].ID] = &s.Adverts[i]
	}
	cycles := map[int64]*bidding.Cycle{}
	for i := range s.Cycles {
		cycles[s.Cycles[i].ID] = &s.Cycles[i]
	}
	type key struct{ app, other int64 }
	perCycle := map[key]int{}
	seen := map[key]bool{}
	for _, b := range s.Bids {
		ad := adverts[b.Advert]
		require.NotNil(t, ad, "bid on unknown advert %d", b.Advert)
		as, ok := ass[b.Application]
		require.True(t, ok, "bid from unknown application %d", b.Application)
		c := cycles[ad.Cycle]
		require.False(t, b.Placed.Before(c.Opens), "bid placed %s before cycle %d opens", b.Placed, c.ID)
		require.True(t, b.Placed.Before(c.Closes), "bid placed %s after cycle %d closes", b.Placed, c.ID)
		if !b.Live() {
			require.True(t, b.Withdrawn.After(b.Placed))
			require.False(t, b.Withdrawn.After(c.Closes))
		}
		require.False(t, b.Autobid)
		require.NotEqual(t, register.BandA, as.Band, "band A application %d placed a manual bid", b.Application)
		require.False(t, seen[key{b.Application, b.Advert}], "application %d bid twice on advert %d", b.Application, b.Advert)
		seen[key{b.Application, b.Advert}] = true
		perCycle[key{b.Application, c.ID}]++
		require.LessOrEqual(t, perCycle[key{b.Application, c.ID}], p.Bidding.MaxLiveBids)
	}
}

func assessByID(t *testing.T, s *snapshot.Snapshot, asOf register.Date) map[int64]banding.Assessment {
	out := map[int64]banding.Assessment{}
	for i, as := range assessAll(t, s, nn2021(t), asOf) {
		out[s.Applications[i].ID] = as
	}
	return out
}

func TestS6_2_BidsRespectCycleCapAndAutobid(t *testing.T) {
	s := keywaysSnapshot(t)
	checkBids(t, s, assessByID(t, s, synth.Keyways().AsOf))
}

// Bids per advert are heavy-tailed (evidence.md §1.2: typically 30–150; Keyways 2011-12
// averages 33 and 75 a let).
func TestBids_PerAdvertIsHeavyTailed(t *testing.T) {
	s := keywaysSnapshot(t)
	per := map[int64]int{}
	for _, b := range s.Bids {
		per[b.Advert]++
	}
	counts := make([]int, len(s.Adverts))
	total := 0
	for i, a := range s.Adverts {
		counts[i] = per[a.ID]
		total += per[a.ID]
	}
	within(t, "median bids per advert", float64(percentile(counts, 0.5)), 25, 120)
	within(t, "p90 bids per advert", float64(percentile(counts, 0.9)), 80, 400)
	within(t, "max bids per advert", float64(percentile(counts, 1)), 150, 1000)
	within(t, "mean bids per advert", float64(total)/float64(len(s.Adverts)), 40, 130)
}

// A realistic share of bids go where the shortlist will skip them (S7.5).
func TestS7_5_SomeBidsWillBeSkipped(t *testing.T) {
	s := keywaysSnapshot(t)
	p := nn2021(t)
	ass := assessByID(t, s, synth.Keyways().AsOf)
	apps := map[int64]*register.Application{}
	for i := range s.Applications {
		apps[s.Applications[i].ID] = &s.Applications[i]
	}
	adverts := map[int64]*bidding.Advert{}
	for i := range s.Adverts {
		adverts[s.Adverts[i].ID] = &s.Adverts[i]
	}
	var size, houseNoChildren, underAge, suspended, notQualifying, bandE int
	for _, b := range s.Bids {
		as, ad, a := ass[b.Application], adverts[b.Advert], apps[b.Application]
		if ad.Bedrooms < as.Bedrooms.AllowedMin || ad.Bedrooms > as.Bedrooms.AllowedMax {
			size++
		}
		if ad.Type == "house" && !as.Facts.DependentChildren {
			houseNoChildren++
		}
		if ad.Sheltered && as.Facts.Age < ad.MinAgeFor(p.Properties.ShelteredMinAge) && !as.Facts.ShelteredEligible {
			underAge++
		}
		if a.Status == register.StatusSuspended {
			suspended++
		}
		if !as.Qualifies {
			notQualifying++
		}
		if as.Band == register.BandE {
			bandE++
		}
	}
	n := float64(len(s.Bids))
	within(t, "bids of the wrong size", float64(size)/n, 0.01, 0.12)
	within(t, "house bids without children", float64(houseNoChildren)/n, 0.005, 0.10)
	within(t, "sheltered bids under age", float64(underAge)/n, 0.0005, 0.05)
	require.Positive(t, suspended)
	require.Positive(t, notQualifying)
	require.Positive(t, bandE)
}

// Bids generates one cycle's bids for a register the caller holds (the simulator's
// entry point); it is deterministic and keeps the same rules.
func TestBids_ForAGivenRegister(t *testing.T) {
	s := keywaysSnapshot(t)
	cfg := synth.Keyways()
	p := nn2021(t)
	c := s.Cycles[1]
	a, err := synth.Bids(cfg, p, s.Applications, c, s.Adverts)
	require.NoError(t, err)
	b, err := synth.Bids(cfg, p, s.Applications, c, s.Adverts)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.NotEmpty(t, a)
	one := &snapshot.Snapshot{Applications: s.Applications, Cycles: s.Cycles, Adverts: s.Adverts, Bids: a}
	checkBids(t, one, assessByID(t, s, register.DateOf(c.Opens)))
	for _, bid := range a {
		require.Equal(t, c.ID, advertCycle(s, bid.Advert))
	}
}

func advertCycle(s *snapshot.Snapshot, id int64) int64 {
	for _, a := range s.Adverts {
		if a.ID == id {
			return a.Cycle
		}
	}
	return 0
}

// England scale (evidence.md §3.7): 1.34 million applications, 5,000 adverts and about
// half a million bids a cycle, some adverts over 1,000 bids.
func TestGenerate_EnglandScale(t *testing.T) {
	if testing.Short() {
		t.Skip("England scale takes seconds")
	}
	s, err := synth.Generate(synth.England())
	require.NoError(t, err)
	require.Len(t, s.Applications, 1340000)
	require.Len(t, s.Adverts, 5000)
	per := map[int64]int{}
	for _, b := range s.Bids {
		per[b.Advert]++
	}
	counts := make([]int, 0, len(s.Adverts))
	over := 0
	for _, a := range s.Adverts {
		counts = append(counts, per[a.ID])
		if per[a.ID] > 1000 {
			over++
		}
	}
	within(t, "bids a cycle", float64(len(s.Bids)), 400000, 600000)
	within(t, "median bids per advert", float64(percentile(counts, 0.5)), 30, 150)
	within(t, "adverts over 1,000 bids", float64(over), 1, 200)
}

// Bids per let are highest for small homes and fall as bedrooms rise (evidence.md §1.1,
// the Lancaster findings; §1.2, Wellingborough 73 bids per 1-bed flat).
func TestBids_SmallHomesDrawMost(t *testing.T) {
	s := keywaysSnapshot(t)
	per := map[int64]int{}
	for _, b := range s.Bids {
		per[b.Advert]++
	}
	total, n := map[int]float64{}, map[int]float64{}
	for _, a := range s.Adverts {
		k := min(a.Bedrooms, 4)
		total[k] += float64(per[a.ID])
		n[k]++
	}
	mean := func(k int) float64 { return total[k] / n[k] }
	t.Logf("mean bids per advert by bedrooms: 1: %.1f, 2: %.1f, 3: %.1f, 4+: %.1f", mean(1), mean(2), mean(3), mean(4))
	require.Greater(t, mean(1), 0.8*mean(2))
	require.Greater(t, mean(1), mean(3))
	require.Greater(t, mean(2), mean(3))
	require.Greater(t, mean(3), mean(4))
}
