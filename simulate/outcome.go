package simulate

import (
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/shortlist"
)

// AdvertOutcome is one advert's week: its shortlist's head, its skips and how its walk
// ended.
type AdvertOutcome struct {
	Advert   int64  `json:"advert"`
	Landlord string `json:"landlord"`
	Locality string `json:"locality"`
	Type     string `json:"type"`
	Bedrooms int    `json:"bedrooms"`
	Bids     int    `json:"bids"`     // ranked and skipped at close
	Eligible int    `json:"eligible"` // ranked at close
	// Top are the first ranked entries of the shortlist.
	Top []shortlist.Entry `json:"top"`
	// Skips counts the bids skipped at close by the shortlist's checks and those skipped
	// during the walk (verification, landlord rejections, under offer elsewhere), by
	// S7.5 code, in shortlist.Codes order.
	Skips []allocation.SkipCount `json:"skips"`
	// Status is the walk's end: let, open (waiting to be re-let) or withdrawn; Let is the
	// application housed and Position its place on the shortlist.
	Status   string `json:"status"`
	Let      int64  `json:"let,omitempty"`
	Position int    `json:"position,omitempty"`
}

// Outcomes returns every advert's outcome in advert id order, with the top n entries of
// each shortlist.
func (w *WeekResult) Outcomes(n int) []AdvertOutcome {
	walkSkips := map[int64]map[string]int{}
	for _, ev := range w.Result.Events {
		if ev.Kind == "skipped" {
			if walkSkips[ev.Advert] == nil {
				walkSkips[ev.Advert] = map[string]int{}
			}
			walkSkips[ev.Advert][ev.Reason]++
		}
	}
	status := map[int64]allocation.AdvertStatus{}
	for _, s := range w.Result.Adverts {
		status[s.Advert] = s
	}
	lets := map[int64]allocation.Let{}
	for _, l := range w.Result.Lets {
		lets[l.Advert] = l
	}
	ads := map[int64]int{}
	for i := range w.Allocation.Adverts {
		ads[w.Allocation.Adverts[i].ID] = i
	}
	out := make([]AdvertOutcome, 0, len(w.Closed.Shortlists))
	for _, sl := range w.Closed.Shortlists {
		ad := &w.Allocation.Adverts[ads[sl.Advert]]
		o := AdvertOutcome{Advert: sl.Advert, Landlord: ad.Landlord, Locality: ad.Locality, Type: ad.Type,
			Bedrooms: ad.Bedrooms, Bids: len(sl.Ranked) + len(sl.Skipped), Eligible: len(sl.Ranked),
			Top: sl.Ranked[:min(n, len(sl.Ranked))], Status: status[sl.Advert].Status, Skips: []allocation.SkipCount{}}
		counts := map[string]int{}
		for _, e := range sl.Skipped {
			counts[e.Skip]++
		}
		for code, k := range walkSkips[sl.Advert] {
			counts[code] += k
		}
		for _, code := range shortlist.Codes {
			if counts[code] > 0 {
				o.Skips = append(o.Skips, allocation.SkipCount{Code: code, Count: counts[code]})
			}
		}
		if l, ok := lets[sl.Advert]; ok {
			o.Let, o.Position = l.Application, l.Position
		}
		out = append(out, o)
	}
	return out
}
