package replay

import (
	"encoding/json"
	"fmt"

	"github.com/cbl-lettings/cbl/shortlist"
)

// Diff names the first difference between the shortlists a store kept for a cycle
// (stored, in advert id order) and those a replay made (got), or returns "" when they
// are the same entry for entry: position or skip code, check, clause, band, dates,
// autobid and the time each bid was placed.
func Diff(stored []shortlist.Shortlist, got []shortlist.Shortlist) string {
	for i := range max(len(stored), len(got)) {
		switch {
		case i >= len(stored):
			return fmt.Sprintf("advert %d: the replay made a shortlist the store does not hold", got[i].Advert)
		case i >= len(got):
			return fmt.Sprintf("advert %d: the store holds a shortlist the replay did not make", stored[i].Advert)
		}
		s, g := &stored[i], &got[i]
		if s.Advert != g.Advert {
			return fmt.Sprintf("shortlist %d: the store holds advert %d's, the replay made advert %d's", i+1, s.Advert, g.Advert)
		}
		if s.Policy != g.Policy {
			return fmt.Sprintf("advert %d: stored under policy %s, replayed under %s", s.Advert, s.Policy, g.Policy)
		}
		if d := diffEntries(s.Advert, "ranked", s.Ranked, g.Ranked); d != "" {
			return d
		}
		if d := diffEntries(s.Advert, "skipped", s.Skipped, g.Skipped); d != "" {
			return d
		}
	}
	return ""
}

func diffEntries(advert int64, list string, stored, got []shortlist.Entry) string {
	for j := range max(len(stored), len(got)) {
		switch {
		case j >= len(stored):
			return fmt.Sprintf("advert %d: %s entry %d: the store holds %d, the replay has application %d", advert, list, j+1,
				len(stored), got[j].Application)
		case j >= len(got):
			return fmt.Sprintf("advert %d: %s entry %d: the replay has %d, the store holds application %d", advert, list, j+1,
				len(got), stored[j].Application)
		}
		s, g := normalised(stored[j]), normalised(got[j])
		if s != g {
			sj, _ := json.Marshal(s)
			gj, _ := json.Marshal(g)
			return fmt.Sprintf("advert %d: %s entry %d differs: stored %s, replayed %s", advert, list, j+1, sj, gj)
		}
	}
	return ""
}

// normalised is e with its times in UTC, so that == compares instants (a store reads
// them back in its own zone).
func normalised(e shortlist.Entry) shortlist.Entry {
	e.Placed = e.Placed.UTC()
	if !e.At.IsZero() {
		e.At = e.At.UTC()
	}
	e.Advert = 0 // a store's entries carry it, a close's need not
	return e
}
