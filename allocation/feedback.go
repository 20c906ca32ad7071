package allocation

import (
	"fmt"
	"strings"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// FeedbackRow is one line of a cycle's published lettings feedback: what was let, how
// many bid, and the band and effective date that succeeded.
type FeedbackRow struct {
	Advert       int64         `json:"advert"`
	Locality     string        `json:"locality"`
	Type         string        `json:"type"`
	Bedrooms     int           `json:"bedrooms"`
	Landlord     string        `json:"landlord"`
	Route        string        `json:"route"`
	BidsReceived int           `json:"bids_received"`
	EligibleBids int           `json:"eligible_bids"`
	Band         register.Band `json:"band"`
	Effective    register.Date `json:"effective"`
	Position     int           `json:"position"`
	DaysToOffer  int           `json:"days_effective_to_offer"`
}

// Feedback returns the cycle's feedback table: one row per let, in the result's advert
// processing order. Adverts not let are left out.
func Feedback(in *Input, res *Result) []FeedbackRow {
	ads := make(map[int64]*bidding.Advert, len(in.Adverts))
	for i := range in.Adverts {
		ads[in.Adverts[i].ID] = &in.Adverts[i]
	}
	lets := make(map[int64]*Let, len(res.Lets))
	for i := range res.Lets {
		lets[res.Lets[i].Advert] = &res.Lets[i]
	}
	rows := []FeedbackRow{}
	for _, st := range res.Adverts {
		l, ok := lets[st.Advert]
		if !ok {
			continue
		}
		ad := ads[st.Advert]
		rows = append(rows, FeedbackRow{Advert: ad.ID, Locality: ad.Locality, Type: ad.Type, Bedrooms: ad.Bedrooms,
			Landlord: ad.Landlord, Route: l.Route, BidsReceived: l.BidsReceived, EligibleBids: l.EligibleBids,
			Band: l.Band, Effective: l.Effective, Position: l.Position, DaysToOffer: l.DaysEffectiveToOffer})
	}
	return rows
}

// FeedbackText formats the feedback table as the plain text a council publishes.
func FeedbackText(rows []FeedbackRow) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString(strings.TrimRight(fmt.Sprintf(format, args...), " "))
		b.WriteByte('\n')
	}
	line("%-7s %-16s %-10s %4s %-12s %-10s %5s %8s %4s %s",
		"advert", "locality", "type", "beds", "landlord", "route", "bids", "eligible", "band", "effective")
	for _, r := range rows {
		band := r.Band.String()
		if band == "" {
			band = "-"
		}
		line("%-7d %-16s %-10s %4d %-12s %-10s %5d %8d %4s %s", r.Advert, r.Locality, r.Type,
			r.Bedrooms, r.Landlord, r.Route, r.BidsReceived, r.EligibleBids, band, r.Effective)
	}
	return b.String()
}

// LandlordLets is one landlord's lets in a result against its nomination agreement.
type LandlordLets struct {
	Landlord string `json:"landlord"`
	Council  bool   `json:"council,omitempty"`
	// SharePercent is the agreed share of lets the council nominates to (the policy's
	// default when the landlord sets none).
	SharePercent int `json:"share_percent"`
	Lets         int `json:"lets"`
	Nominated    int `json:"nominated"` // let to a council nominee
	Direct       int `json:"direct"`
	// AchievedBasisPoints is Nominated / Lets in hundredths of a percent (0 without lets).
	AchievedBasisPoints int `json:"achieved_basis_points"`
	// Short: the nominated share is below the agreement.
	Short bool `json:"short,omitempty"`
}

// Landlords reports lets per landlord against its nomination agreement (S8.8),
// in the order of in.Landlords.
func Landlords(in *Input, res *Result) []LandlordLets {
	out := make([]LandlordLets, 0, len(in.Landlords))
	for _, ll := range in.Landlords {
		r := LandlordLets{Landlord: ll.ID, Council: ll.Council, SharePercent: ll.NominationShare}
		if r.SharePercent == 0 && !ll.Council {
			r.SharePercent = in.Policy.Nominations.DefaultShare
		}
		for _, l := range res.Lets {
			if l.Landlord != ll.ID {
				continue
			}
			r.Lets++
			switch l.Route {
			case RouteNomination:
				r.Nominated++
			case RouteDirect:
				r.Direct++
			}
		}
		if r.Lets > 0 && !ll.Council {
			r.AchievedBasisPoints = r.Nominated * 10000 / r.Lets
			r.Short = r.AchievedBasisPoints < r.SharePercent*100
		}
		out = append(out, r)
	}
	return out
}
