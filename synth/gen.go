package synth

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// gen holds the tables built once from a Config and a policy.
type gen struct {
	cfg  *Config
	p    *policy.Policy
	asOf register.Date

	bands         table // keys "A".."E"
	criteria      [register.BandE + 1]table
	fallback      [register.BandE + 1]string // a criterion every household can meet
	nonQualifying table
	households    table
	children      table
	applicantAges ages
	parentAges    ages
	areas         table // keys: autobid area ids
	ethnic        table // keys: register.EthnicGroup
	notDisabled   table // the Disability mix without "yes"
	localities    map[string][]string
	laaByArea     map[string][]LegalAgreementArea
	medical       map[string][2]int // level -> points range
	meanMonths    float64
	joinFrom      register.Date                // set for Joiners: registrations fall in [joinFrom, asOf)
	reasons       map[string]map[string]string // event -> criterion -> "event: criterion"
}

func newGen(cfg *Config, p *policy.Policy) (*gen, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &cfg.Register
	g := &gen{
		cfg: cfg, p: p, asOf: cfg.AsOf,
		bands:         newTable(r.Bands),
		nonQualifying: newTable(r.NonQualifying),
		households:    newTable(r.Households),
		children:      weightsTable(r.Children),
		applicantAges: newAges(r.ApplicantAges),
		parentAges:    newAges(r.ParentAges),
		localities:    map[string][]string{},
		laaByArea:     map[string][]LegalAgreementArea{},
		medical:       map[string][2]int{},
		ethnic:        newTable(r.Monitoring.EthnicGroups),
	}
	var notYes []Share
	for _, x := range r.Monitoring.Disability {
		if x.Key != string(register.DisabilityYes) {
			notYes = append(notYes, x)
		}
	}
	g.notDisabled = newTable(notYes)
	for _, k := range g.bands.keys {
		if _, err := register.ParseBand(k); err != nil || k == "" {
			return nil, fmt.Errorf("synth config: register.bands: key %q: want A, B, C, D or E", k)
		}
	}
	for k, xs := range r.Criteria {
		b, err := register.ParseBand(k)
		if err != nil || b == register.NoBand {
			return nil, fmt.Errorf("synth config: register.criteria: key %q: want A, B, C, D or E", k)
		}
		for _, x := range xs {
			if _, ok := realisable[x.Key]; !ok {
				return nil, fmt.Errorf("synth config: register.criteria.%s: %q is not a criterion the generator can realise (have %s)",
					k, x.Key, realisableNames())
			}
		}
		g.criteria[b] = newTable(xs)
	}
	g.fallback = [...]string{"", "medical_urgent", "medical_high", "medical_medium", "medical_low", "legal_agreement_no_need"}
	for _, x := range r.NonQualifying {
		if _, ok := nonQualifyingCodes[x.Key]; !ok {
			return nil, fmt.Errorf("synth config: register.non_qualifying: %q is not a reason the generator can realise", x.Key)
		}
	}
	for _, k := range g.households.keys {
		switch k {
		case kindSingle, kindCouple, kindSingleParent, kindCoupleFamily, kindPregnant, kindAdults:
		default:
			return nil, fmt.Errorf("synth config: register.households: unknown kind %q", k)
		}
	}

	// Adverts carry sizes and types the policy knows.
	for _, x := range cfg.Supply.Sizes {
		if n, err := strconv.Atoi(x.Key); x.Key != "bedsit" && (err != nil || n < 1) {
			return nil, fmt.Errorf("synth config: supply.sizes: key %q: want \"bedsit\" or a number of bedrooms from 1", x.Key)
		}
		if len(cfg.Supply.Types[x.Key]) == 0 && x.Weight > 0 {
			return nil, fmt.Errorf("synth config: supply.types: no property types for size %q", x.Key)
		}
		if _, ok := cfg.Supply.Rents[x.Key]; !ok && x.Weight > 0 {
			return nil, fmt.Errorf("synth config: supply.rents: no rent range for size %q", x.Key)
		}
	}
	for size, xs := range cfg.Supply.Types {
		for _, x := range xs {
			if !slices.Contains(p.Properties.Types, x.Key) {
				return nil, fmt.Errorf("synth config: supply.types.%s: %q is not a property type of policy %s (have %s)",
					size, x.Key, p.Name(), strings.Join(p.Properties.Types, ", "))
			}
		}
	}

	// Areas and localities come from the policy's autobid areas.
	areas := p.Bidding.AutobidAreas
	if len(areas) == 0 {
		return nil, fmt.Errorf("synth: policy %s has no autobid areas to place households and homes in", p.Name())
	}
	mean := 0.0
	for _, a := range r.Areas {
		mean += a.Weight / float64(len(r.Areas))
	}
	if mean == 0 {
		mean = 1
	}
	shares := make([]Share, len(areas))
	for i, a := range areas {
		w := mean
		if shareIn(r.Areas, a.ID) {
			w = shareOf(r.Areas, a.ID)
		}
		shares[i] = Share{Key: a.ID, Weight: w}
		g.localities[a.ID] = a.Localities
	}
	g.areas = newTable(shares)
	for _, l := range r.LegalAgreementAreas {
		area := p.Bidding.AreaOf(l.Locality)
		if area == "" {
			return nil, fmt.Errorf("synth config: register.legal_agreement_areas: %q: locality %q is in none of policy %s's autobid areas",
				l.Name, l.Locality, p.Name())
		}
		g.laaByArea[area] = append(g.laaByArea[area], l)
	}

	// Medical points ranges per level, from the policy's thresholds (most severe first).
	hi := p.Medical.Cap
	for _, l := range p.Medical.Levels {
		g.medical[l.Level] = [2]int{max(l.MinPoints, 1), hi}
		hi = l.MinPoints - 1
	}

	g.reasons = reasons(g)

	// Registration ages are exponential with the mean stay that joiners and register
	// size imply, truncated at HistoryYears.
	if r.JoinersPerMonth > 0 {
		g.meanMonths = float64(r.Applications) / float64(r.JoinersPerMonth)
	}
	if g.meanMonths <= 0 {
		g.meanMonths = 12
	}
	return g, nil
}

func shareIn(xs []Share, key string) bool {
	for _, x := range xs {
		if x.Key == key {
			return true
		}
	}
	return false
}

// registrationAgeDays draws how many days ago an application joined.
func (g *gen) registrationAgeDays(u float64) int {
	maxMonths := float64(12 * g.cfg.Register.HistoryYears)
	// Inverse CDF of the exponential truncated at maxMonths.
	m := -g.meanMonths * math.Log(1-u*(1-math.Exp(-maxMonths/g.meanMonths)))
	return int(m * 30.44)
}
