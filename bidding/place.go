package bidding

import (
	"slices"
	"time"
)

// PlaceBid is the one statement of placing a bid, for any store: application p's bid on
// advert at time at (by: who placed it), in cycle c of adverts under rules r, given the
// application's bids held (any state, any cycle). The live bids it holds in c are placed
// into a book first, so the window, the cap, duplicates and the hard checks (S6.1–S6.3)
// apply exactly as to an applicant bidding online. It returns the bid and how many live
// bids the application then holds in c.
func PlaceBid(r *Rules, c Cycle, adverts []Advert, p *Profile, held []Bid, at time.Time, advert int64, by string) (Bid, int, error) {
	var mine []Advert
	ads := c.AdvertsOf(adverts)
	find := func(id int64) *Advert {
		k := slices.IndexFunc(ads, func(a Advert) bool { return a.ID == id })
		if k < 0 {
			return nil
		}
		return &ads[k]
	}
	target := find(advert)
	if target == nil {
		return Bid{}, 0, ErrWrongCycle
	}
	book, err := NewBook(r, c, ads)
	if err != nil {
		return Bid{}, 0, err
	}
	var live []Bid
	for _, b := range held {
		if b.Application == p.ID && b.Live() && !b.Autobid && find(b.Advert) != nil {
			live = append(live, b)
		}
	}
	slices.SortFunc(live, func(x, y Bid) int { return x.Placed.Compare(y.Placed) })
	for _, b := range live {
		// A bid the current facts would refuse still holds its slot: the cap and the
		// duplicate are checked again below, whatever the book accepted.
		book.Place(b.Placed, p, find(b.Advert), b.By)
		mine = append(mine, *find(b.Advert))
	}
	bid, err := book.Place(at, p, target, by)
	if err != nil {
		return Bid{}, 0, err
	}
	if slices.ContainsFunc(mine, func(a Advert) bool { return a.ID == advert }) {
		return Bid{}, 0, ErrDuplicateBid
	}
	if len(mine) >= r.Policy.Bidding.MaxLiveBids {
		return Bid{}, 0, ErrBidLimit
	}
	return bid, len(mine) + 1, nil
}
