package simulate

import (
	"fmt"

	"github.com/cbl-lettings/cbl/report"
)

// reportSizes are the report's bedroom-size labels.
var reportSizes = []string{"bedsit", "1", "2", "3", "4+"}

// Report maps the comparison to the HTML report's figures (package report), scale
// describing the run: waits in weeks from registration to let, bedsits apart from
// one-bedroom homes, and the band-movement matrix without the rows and columns nobody is
// in. Render it with report.Write.
func (c *Comparison) Report(scale string) report.Data {
	bands := BandKeys[:5]
	d := report.Data{
		Title: fmt.Sprintf("Policy comparison: %s against %s", c.Policies[0].Policy, c.Policies[1].Policy),
		Seed:  int64(c.Seed), Weeks: c.Weeks, Scale: scale, Bands: bands, Sizes: reportSizes,
		HousedBoth: c.HousedBoth,
		Notes: []string{
			"Waits run from the registration date to the day the offer was accepted.",
			"Both policies see the same register, adverts, joiners and behaviour draws (common random numbers); only the rules differ.",
			fmt.Sprintf("The movement matrix is the register on the first day (%s), each application assessed under both policies.", c.Start),
		},
	}
	only := [2]int{len(c.OnlyBase), len(c.OnlyAlt)}
	for k, o := range c.Policies {
		pr := report.PolicyResult{Name: o.Policy, Refusals: o.Refusals, Closures: o.Closures, HousedOnly: only[k],
			Bids: report.NewBidStats(o.Run.BidsPerAdvert)}
		for _, b := range bands {
			pr.Lets = append(pr.Lets, report.BandCount{Band: b, Count: o.LetsByBand[b]})
		}
		weeks := map[[2]string][]float64{}
		for _, h := range o.Run.Housed {
			size := SizeKey(h.Bedrooms)
			if h.Type == "bedsit" {
				size = "bedsit"
			}
			k := [2]string{BandKey(h.Band), size}
			weeks[k] = append(weeks[k], float64(h.On-h.Registered)/7)
		}
		for _, b := range bands {
			for _, sz := range reportSizes {
				if ws := weeks[[2]string{b, sz}]; len(ws) > 0 {
					pr.Waits = append(pr.Waits, report.NewWait(b, sz, ws))
				}
			}
		}
		d.Policies = append(d.Policies, pr)
	}
	label := func(k string) string {
		if k == "none" {
			return "not qualifying"
		}
		return k
	}
	var rows, cols []int
	for i := range c.Bands {
		rowSum, colSum := 0, 0
		for j := range c.Bands {
			rowSum += c.Movement[i][j]
			colSum += c.Movement[j][i]
		}
		if rowSum > 0 {
			rows = append(rows, i)
		}
		if colSum > 0 {
			cols = append(cols, i)
		}
	}
	for _, i := range rows {
		d.Movement.Rows = append(d.Movement.Rows, label(c.Bands[i]))
		r := make([]int, 0, len(cols))
		for _, j := range cols {
			r = append(r, c.Movement[i][j])
		}
		d.Movement.Counts = append(d.Movement.Counts, r)
	}
	for _, j := range cols {
		d.Movement.Cols = append(d.Movement.Cols, label(c.Bands[j]))
	}
	return d
}
