package shortlist

import (
	"cmp"
	"slices"

	"github.com/cbl-lettings/cbl/bidding"
)

// SkippedBy is the By of every skip the shortlist decides itself.
const SkippedBy = "shortlist"

// Shortlist turns the compact result into entries: ranked in rank order, skipped by
// application id, each with its band, dates, bid time and, for a skip, the check, reason
// code and clause. cl gives the cycle (bid times; skips are recorded at its close) and
// the profiles the result was ranked with.
func (res *Result) Shortlist(cl *bidding.Closing) Shortlist {
	ix, rules := cl.Index, cl.Index.Rules
	ad := res.Listing.Advert
	byApp := make(map[uint32]bidding.Ref, len(res.Bids))
	for _, b := range res.Bids {
		byApp[b.App] = b
	}
	entry := func(b bidding.Ref) Entry {
		p := &ix.Profiles[b.App]
		return Entry{Application: p.ID, Advert: ad.ID, Band: p.Band, Effective: p.Effective,
			Registered: p.Registered, Autobid: b.Autobid, Placed: cl.Placed(b)}
	}
	out := Shortlist{Advert: ad.ID, Policy: rules.Policy.Name(),
		Ranked: make([]Entry, len(res.Ranked)), Skipped: make([]Entry, len(res.Skipped))}
	for i, at := range res.Ranked {
		out.Ranked[i] = entry(byApp[at])
		out.Ranked[i].Position = i + 1
	}
	for i, s := range res.Skipped {
		e := entry(s.Bid)
		info := rules.Info(s.Check, ad)
		e.Skip, e.Check, e.Clause = info.Code, info.Name, info.Clause
		e.By, e.At = SkippedBy, cl.Cycle.Ends()
		out.Skipped[i] = e
	}
	slices.SortFunc(out.Skipped, func(a, b Entry) int { return cmp.Compare(a.Application, b.Application) })
	return out
}
