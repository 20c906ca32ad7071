package simulate

import (
	"strconv"

	"github.com/cbl-lettings/cbl/analytics"
)

// TidyTable is one table in long form for analysis tools (pandas, R, Excel): one
// observation per row, one typed value per column (integers, decimals, YYYY-MM-DD
// dates, text), a header naming each column. Doc says what a row is, for a README.
type TidyTable struct {
	Name   string     `json:"name"` // file stem: "lets" → lets.csv
	Doc    string     `json:"doc"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64(n int64) string    { return strconv.FormatInt(n, 10) }
func u64(n uint64) string   { return strconv.FormatUint(n, 10) }
func dec(v float64) string  { return strconv.FormatFloat(v, 'f', -1, 64) }
func dec3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
func est(e analytics.Estimate) []string {
	return []string{dec(e.Mean), dec(e.Lo), dec(e.Hi), itoa(e.Runs)}
}

// Tidy returns the study as long-form tables: the headline measures per seed and
// summarised, lets by band, waits by band and size, every let, a weekly time series (by
// band, and totals), and with two policies the band movement and why households move.
// The equality breakdowns (issue 15) will add their tables here.
func (s *Study) Tidy() []TidyTable {
	names := make([]string, len(s.Policies))
	for i, p := range s.Policies {
		names[i] = p.Name
	}
	var out []TidyTable

	perSeed := TidyTable{Name: "measures_by_seed", Doc: "one row per seed, policy and headline measure: the value in that seeded run",
		Header: []string{"seed", "policy", "measure", "value"}}
	summary := TidyTable{Name: "measures", Doc: "one row per policy and headline measure (and per measure the change, policy \"change\"): " +
		"mean over the seeds, 90% confidence interval lo–hi, number of runs",
		Header: []string{"policy", "measure", "label", "mean", "lo", "hi", "runs"}}
	addMeasures := func(group string, ms []Measure) {
		for _, m := range ms {
			key := m.Key
			if group != "" {
				key = group + "." + m.Key
			}
			for i := range m.Values {
				summary.Rows = append(summary.Rows, append([]string{names[i], key, m.Label}, est(m.Values[i])...))
			}
			if m.Change != nil {
				summary.Rows = append(summary.Rows, append([]string{"change", key, m.Label}, est(*m.Change)...))
			}
		}
	}
	addMeasures("", s.Measures)
	addMeasures("lets_by_band", s.LetsByBand)
	addMeasures("lets_above_need", s.LetsAboveNeed)
	for _, c := range s.Runs {
		one := NewStudy([]*Comparison{c})
		for _, group := range []struct {
			name string
			ms   []Measure
		}{{"", one.Measures}, {"lets_by_band", one.LetsByBand}, {"lets_above_need", one.LetsAboveNeed}} {
			for _, m := range group.ms {
				key := m.Key
				if group.name != "" {
					key = group.name + "." + m.Key
				}
				for i := range m.Values {
					perSeed.Rows = append(perSeed.Rows, []string{u64(c.Seed), names[i], key, dec(m.Values[i].Mean)})
				}
			}
		}
	}
	out = append(out, summary, perSeed)

	waits := TidyTable{Name: "waits", Doc: "one row per seed, policy, band and home size with lets: weeks from registration to the accepted " +
		"offer (type-7 quantiles); few = fewer than 5 lets",
		Header: []string{"seed", "policy", "band", "size", "lets", "mean_weeks", "q1_weeks", "median_weeks", "q3_weeks", "p90_weeks", "max_weeks", "few"}}
	lets := TidyTable{Name: "lets", Doc: "one row per let: the seeded run, policy, week (1 = first cycle), cycle and advert, the home " +
		"(size group, bedrooms, type, landlord), the household (application, band held at close and its effective date, registration date, " +
		"bedroom need), the day let, the wait in weeks, shortlist position and route",
		Header: []string{"seed", "policy", "week", "cycle", "advert", "size", "bedrooms", "type", "landlord", "application",
			"band", "effective_date", "registered", "let_on", "wait_weeks", "position", "route", "need"}}
	weekly := TidyTable{Name: "weekly", Doc: "one row per seed, policy, week and band (A–E, none): applications on the register at close " +
		"in that band, and homes let to households in that band",
		Header: []string{"seed", "policy", "week", "cycle", "band", "register", "lets"}}
	totals := TidyTable{Name: "weekly_totals", Doc: "one row per seed, policy and week: the register at close, joiners, leavers, " +
		"changes of circumstances, adverts, manual bids, autobids, offers, offers refused (counted and all), lets, adverts left to re-let",
		Header: []string{"seed", "policy", "week", "cycle", "register", "joined", "left", "changed", "adverts", "manual_bids", "autobids",
			"offers", "refusals", "counted_refusals", "lets", "to_relet"}}
	for _, c := range s.Runs {
		seed := u64(c.Seed)
		for i := range names {
			o := &c.Policies[i]
			for _, w := range o.Waits {
				few := "false"
				if w.Few() {
					few = "true"
				}
				waits.Rows = append(waits.Rows, []string{seed, names[i], w.Band, w.Size, itoa(w.N), dec3(w.Mean), dec3(w.Q1),
					dec3(w.Median), dec3(w.Q3), dec3(w.P90), dec3(w.Max), few})
			}
			r := o.Run
			if r == nil {
				continue
			}
			week := map[int64]int{}
			letsBy := map[int64]map[string]int{}
			for k, wk := range r.Weeks {
				week[wk.Cycle] = k + 1
			}
			for _, h := range r.Housed {
				lets.Rows = append(lets.Rows, []string{seed, names[i], itoa(week[h.Cycle]), i64(h.Cycle), i64(h.Advert), h.Size(),
					itoa(h.Bedrooms), h.Type, h.Landlord, i64(h.Application), BandKey(h.Band), h.Effective.String(),
					h.Registered.String(), h.On.String(), dec3(h.Weeks()), itoa(h.Position), h.Route, itoa(h.Need)})
				if letsBy[h.Cycle] == nil {
					letsBy[h.Cycle] = map[string]int{}
				}
				letsBy[h.Cycle][BandKey(h.Band)]++
			}
			for k, wk := range r.Weeks {
				for _, b := range BandKeys {
					weekly.Rows = append(weekly.Rows, []string{seed, names[i], itoa(k + 1), i64(wk.Cycle), b,
						itoa(wk.Bands[b]), itoa(letsBy[wk.Cycle][b])})
				}
				totals.Rows = append(totals.Rows, []string{seed, names[i], itoa(k + 1), i64(wk.Cycle), itoa(wk.Applications),
					itoa(wk.Joined), itoa(wk.Left), itoa(wk.Changed), itoa(wk.Adverts), itoa(wk.ManualBids), itoa(wk.Autobids),
					itoa(wk.Offers), itoa(wk.Refusals), itoa(wk.Counted), itoa(wk.Lets), itoa(wk.Relet)})
			}
		}
	}
	out = append(out, waits, lets, weekly, totals)
	if !s.Two() {
		return out
	}
	mv := TidyTable{Name: "movement", Doc: "one row per pair of bands: applications in band_" + "base under " + names[0] +
		" and band_alt under " + names[1] + " on the first day (none: does not qualify)",
		Header: []string{"band_base", "band_alt", "applications"}}
	for i, from := range s.Bands {
		for j, to := range s.Bands {
			mv.Rows = append(mv.Rows, []string{from, to, itoa(s.Movement[i][j])})
		}
	}
	moves := TidyTable{Name: "moves", Doc: "one row per group of applications whose band or deciding criterion differs on the first day: " +
		"bands and deciding criterion (or failed qualification rule) under each policy",
		Header: []string{"band_base", "band_alt", "because_base", "because_alt", "applications"}}
	for _, m := range s.Moves {
		moves.Rows = append(moves.Rows, []string{m.From, m.To, m.FromWhy, m.ToWhy, itoa(m.Applications)})
	}
	return append(out, mv, moves)
}
