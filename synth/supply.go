package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/shopspring/decimal"
)

// Landlords returns the configured landlords.
func Landlords(cfg *Config) []bidding.Landlord {
	out := make([]bidding.Landlord, len(cfg.Supply.Landlords))
	for i, l := range cfg.Supply.Landlords {
		out[i] = bidding.Landlord{ID: l.ID, Name: l.Name, Council: l.Council, NominationShare: l.NominationShare}
	}
	return out
}

// Cycles returns cfg.Supply.Cycles consecutive weekly cycles under p, the first opening
// on the first opening weekday on or after cfg.AsOf (nn-2021: Thursday 00:00 to Tuesday
// 23:59, Europe/London).
func Cycles(cfg *Config, p *policy.Policy) ([]bidding.Cycle, error) {
	loc := p.Location()
	if loc == nil {
		return nil, fmt.Errorf("synth: policy %s has no cycle time zone", p.Name())
	}
	ow, oh, om, err := weekClock(p.Cycle.Opens)
	if err != nil {
		return nil, fmt.Errorf("synth: policy %s: cycle.opens: %w", p.Name(), err)
	}
	cw, ch, cm, err := weekClock(p.Cycle.Closes)
	if err != nil {
		return nil, fmt.Errorf("synth: policy %s: cycle.closes: %w", p.Name(), err)
	}
	y, mo, d := cfg.AsOf.YMD()
	first := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	for first.Weekday() != ow {
		first = first.AddDate(0, 0, 1)
	}
	span := (int(cw) - int(ow) + 7) % 7
	if span == 0 && ch*60+cm <= oh*60+om {
		span = 7
	}
	out := make([]bidding.Cycle, cfg.Supply.Cycles)
	for i := range out {
		day := first.AddDate(0, 0, 7*i)
		opens := time.Date(day.Year(), day.Month(), day.Day(), oh, om, 0, 0, loc)
		cday := day.AddDate(0, 0, span)
		closes := time.Date(cday.Year(), cday.Month(), cday.Day(), ch, cm, 0, 0, loc)
		out[i] = bidding.Cycle{ID: int64(i + 1), Opens: opens, Closes: closes, Policy: p.Name()}
	}
	return out, nil
}

func weekClock(w policy.WeekClock) (time.Weekday, int, int, error) {
	days := map[string]time.Weekday{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}
	wd, ok := days[strings.ToLower(w.Weekday)]
	if !ok {
		return 0, 0, 0, fmt.Errorf("weekday %q", w.Weekday)
	}
	t, err := time.Parse("15:04", w.Time)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("time %q: want HH:MM", w.Time)
	}
	return wd, t.Hour(), t.Minute(), nil
}

// Adverts returns cfg.Supply.AdvertsPerWeek adverts for each cycle, with ids from
// firstID upwards. Each cycle draws from its own random stream.
func Adverts(cfg *Config, p *policy.Policy, cycles []bidding.Cycle, firstID int64) ([]bidding.Advert, error) {
	g, err := newGen(cfg, p)
	if err != nil {
		return nil, err
	}
	return g.adverts(cycles, firstID), nil
}

func (g *gen) adverts(cycles []bidding.Cycle, firstID int64) []bidding.Advert {
	s := &g.cfg.Supply
	landlords := make([]Share, len(s.Landlords))
	for i, l := range s.Landlords {
		landlords[i] = Share{Key: strconv.Itoa(i), Weight: l.AdvertShare}
	}
	lt := newTable(landlords)
	sizes := newTable(s.Sizes)
	types := map[string]table{}
	for k, xs := range s.Types {
		types[k] = newTable(xs)
	}
	out := make([]bidding.Advert, 0, len(cycles)*s.AdvertsPerWeek)
	id := firstID
	for _, c := range cycles {
		r := newRand(g.cfg.Seed, streamAdverts, uint64(c.ID))
		for range s.AdvertsPerWeek {
			out = append(out, g.advert(r, id, &c, &lt, &sizes, types))
			id++
		}
	}
	return out
}

func (g *gen) advert(r *rand.Rand, id int64, c *bidding.Cycle, lt, sizes *table, types map[string]table) bidding.Advert {
	s := &g.cfg.Supply
	ll := s.Landlords[lt.drawIndex(r)]
	area := g.areas.draw(r)
	sizeKey := sizes.draw(r)
	tt := types[sizeKey]
	typ := tt.draw(r)
	if typ == "" {
		typ = "flat"
	}
	beds, _ := strconv.Atoi(sizeKey)
	spaces := 2*beds - r.IntN(2)
	if sizeKey == "bedsit" {
		beds, spaces, typ = 1, 1, "bedsit" // one room: let to a one-bedroom need
	} else if beds == 1 {
		spaces = 2
	}
	a := bidding.Advert{
		ID: id, Cycle: c.ID, Landlord: ll.ID, Locality: g.locality(r, area),
		Bedrooms: beds, BedSpaces: spaces, Type: typ, Access: bidding.AccessGeneral,
		Ordering: bidding.OrderBand, Closes: c.Closes,
	}
	switch typ {
	case "flat", "bedsit", "maisonette":
		a.Floor = [...]int{0, 0, 1, 1, 2, 3}[r.IntN(6)]
		if typ == "maisonette" {
			a.Floor = r.IntN(2)
		}
		a.Lift = a.Floor >= 2 && chance(r, 0.4)
		a.Garden = a.Floor == 0 && typ != "bedsit" && chance(r, s.GardenFlatShare)
	case "house":
		a.Garden = chance(r, 0.95)
	case "bungalow":
		a.Garden = chance(r, 0.7)
	}
	if (typ == "flat" || typ == "bungalow" || typ == "bedsit") && beds <= 2 && chance(r, s.ShelteredShare) {
		a.Sheltered, a.Garden = true, false
		if chance(r, s.ShelteredMin60Share) {
			a.MinAge = 60
		}
	}
	stepFree := a.Floor == 0 || a.Lift
	switch {
	case stepFree && chance(r, s.WheelchairShare):
		a.Access = bidding.AccessWheelchair
	case stepFree && chance(r, s.LevelAccessShare):
		a.Access = bidding.AccessLevel
	}
	if laas := g.laaByArea[area]; len(laas) > 0 && !a.Sheltered && chance(r, s.LegalAgreementShare) {
		l := laas[r.IntN(len(laas))]
		a.LegalAgreementArea, a.Locality = l.Name, l.Locality
	}
	if chance(r, s.LocalLettingsShare) {
		a.LocalLettings = []bidding.LocalLetting{localLettings(r)}
	}
	if chance(r, s.FCFSShare) {
		a.Ordering = bidding.OrderFCFS
	}
	a.Withdrawn = chance(r, s.WithdrawnShare)
	rent := s.Rents[sizeKey]
	pounds := rent[0] + r.Float64()*(rent[1]-rent[0])
	if !ll.Council {
		pounds *= 1 + s.HousingAssociationUplift
	}
	a.WeeklyRent = decimal.New(int64(pounds*100+0.5), -2)
	return a
}

func (g *gen) locality(r *rand.Rand, area string) string {
	ls := g.localities[area]
	if len(ls) == 1 || chance(r, g.cfg.Register.MainLocalityShare) {
		return ls[0]
	}
	return ls[1+r.IntN(len(ls)-1)]
}

// localLettings is one of three typical local lettings rules, as data.
func localLettings(r *rand.Rand) bidding.LocalLetting {
	yes, forty, two := true, 40, 2
	switch r.IntN(3) {
	case 0:
		return bidding.LocalLetting{Label: "At least one household member in work", Fact: "working", Is: &yes}
	case 1:
		return bidding.LocalLetting{Label: "Main applicant aged 40 or over", Fact: "age", Gte: &forty}
	}
	return bidding.LocalLetting{Label: "No more than two children", Fact: "children", Lte: &two}
}
