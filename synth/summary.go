package synth

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cbl-lettings/cbl/analytics"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
)

// Summary is the shape of a snapshot: the figures docs/synthetic.md calibrates against
// evidence.md §3. Shares are fractions of Qualifying (bands, bedroom need) or of Adverts.
type Summary struct {
	Policy          string                  `json:"policy"`
	AsOf            register.Date           `json:"as_of"`
	Applications    int                     `json:"applications"`
	Statuses        map[register.Status]int `json:"statuses"`
	JoinedLastMonth int                     `json:"joined_last_month"`
	Qualifying      int                     `json:"qualifying"`
	// NotQualifying counts non-qualifying applications by their first reason code.
	NotQualifying map[string]int     `json:"not_qualifying"`
	Bands         map[string]float64 `json:"bands"`        // "A".."E"
	BedroomNeed   map[string]float64 `json:"bedroom_need"` // "1", "2", "3", "4+"
	Adverts       int                `json:"adverts"`
	AdvertSizes   map[string]float64 `json:"advert_sizes"` // "bedsit", "1", "2", "3", "4+"
	Sheltered     float64            `json:"sheltered"`
	Bids          int                `json:"bids"`
	// BidsPerAdvert spreads the bids per advert (analytics: type-7 quantiles, as the
	// simulator's figures).
	BidsPerAdvert analytics.Spread `json:"bids_per_advert"`
}

// Summarise assesses every application of s under p on asOf and measures the mixes the
// generator is calibrated to. It works on any snapshot, generated or real.
func Summarise(s *snapshot.Snapshot, p *policy.Policy, asOf register.Date) (Summary, error) {
	sum := Summary{
		Policy: p.Name(), AsOf: asOf, Applications: len(s.Applications),
		Statuses: map[register.Status]int{}, NotQualifying: map[string]int{},
		Bands: map[string]float64{}, BedroomNeed: map[string]float64{}, AdvertSizes: map[string]float64{},
		Adverts: len(s.Adverts), Bids: len(s.Bids),
	}
	type result struct {
		band register.Band
		need int
		why  string
		err  error
	}
	res := make([]result, len(s.Applications))
	parallel((len(res)+chunkSize-1)/chunkSize, func(k int) {
		for i := k * chunkSize; i < min(len(res), (k+1)*chunkSize); i++ {
			as, err := banding.Assess(&s.Applications[i], p, asOf)
			res[i] = result{band: as.Band, need: as.Bedrooms.Need, err: err}
			if err == nil && !as.Qualifies {
				res[i].why = as.NotQualifying[0].Code
			}
		}
	})
	monthAgo := asOf.AddMonths(-1)
	for i, r := range res {
		a := &s.Applications[i]
		if r.err != nil {
			return sum, r.err
		}
		sum.Statuses[a.Status]++
		if a.Registered > monthAgo && a.Registered <= asOf {
			sum.JoinedLastMonth++
		}
		if r.why != "" {
			sum.NotQualifying[r.why]++
			continue
		}
		sum.Qualifying++
		sum.Bands[r.band.String()]++
		sum.BedroomNeed[sizeKey(r.need)]++
	}
	for _, m := range []map[string]float64{sum.Bands, sum.BedroomNeed} {
		for k := range m {
			m[k] /= float64(max(sum.Qualifying, 1))
		}
	}

	per := make(map[int64]int, len(s.Adverts))
	for _, b := range s.Bids {
		per[b.Advert]++
	}
	counts := make([]int, len(s.Adverts))
	for i, a := range s.Adverts {
		k := sizeKey(a.Bedrooms)
		if a.Type == "bedsit" {
			k = "bedsit"
		}
		sum.AdvertSizes[k]++
		if a.Sheltered {
			sum.Sheltered++
		}
		counts[i] = per[a.ID]
	}
	if n := float64(len(s.Adverts)); n > 0 {
		for k := range sum.AdvertSizes {
			sum.AdvertSizes[k] /= n
		}
		sum.Sheltered /= n
		sum.BidsPerAdvert = analytics.CountSpread(counts)
	}
	return sum, nil
}

func sizeKey(n int) string {
	if n >= 4 {
		return "4+"
	}
	return strconv.Itoa(n)
}

// String renders the summary as a short plain-text report.
func (s Summary) String() string {
	var b strings.Builder
	pct := func(m map[string]float64, keys ...string) string {
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %.1f%%", k, 100*m[k])
		}
		return strings.Join(parts, ", ")
	}
	fmt.Fprintf(&b, "register on %s under %s: %d applications (%d active, %d pending, %d suspended, %d closed), %d joined in the last month\n",
		s.AsOf, s.Policy, s.Applications, s.Statuses[register.StatusActive], s.Statuses[register.StatusPending],
		s.Statuses[register.StatusSuspended], s.Statuses[register.StatusClosed], s.JoinedLastMonth)
	codes := make([]string, 0, len(s.NotQualifying))
	for c := range s.NotQualifying {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	nq := make([]string, len(codes))
	for i, c := range codes {
		nq[i] = fmt.Sprintf("%s %d", c, s.NotQualifying[c])
	}
	fmt.Fprintf(&b, "qualifying: %d; not qualifying: %s\n", s.Qualifying, strings.Join(nq, ", "))
	fmt.Fprintf(&b, "bands: %s\n", pct(s.Bands, "A", "B", "C", "D", "E"))
	fmt.Fprintf(&b, "bedroom need: %s\n", pct(s.BedroomNeed, "1", "2", "3", "4+"))
	fmt.Fprintf(&b, "adverts: %d (%s; sheltered %.1f%%)\n", s.Adverts, pct(s.AdvertSizes, "bedsit", "1", "2", "3", "4+"), 100*s.Sheltered)
	fmt.Fprintf(&b, "bids: %d; per advert mean %.1f, median %s, p90 %s, max %s\n",
		s.Bids, s.BidsPerAdvert.Mean, analytics.Format(s.BidsPerAdvert.Median), analytics.Format(s.BidsPerAdvert.P90),
		analytics.Format(s.BidsPerAdvert.Max))
	return b.String()
}
