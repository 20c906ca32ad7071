package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/cbl-lettings/cbl/register"
)

// streamMonitoring draws each application's equality monitoring data from its own
// stream, keyed by application id, after everything else about it is drawn: adding it
// changed no other value the generator draws (synth/testdata/small.json gained the
// monitoring fields and nothing else), and no band, bid or let.
const streamMonitoring uint64 = 64

// MonitoringMix is how the generator fills register.Monitoring. docs/synthetic.md gives
// the source (or says it is an assumption) of every default.
type MonitoringMix struct {
	// EthnicGroups weights the 2021 Census groups (register.EthnicGroups keys), with
	// "prefer_not_to_say" and "" (not recorded).
	EthnicGroups []Share `json:"ethnic_groups"`
	// Disability weights yes, no, prefer_not_to_say and "" (not recorded) for a household
	// with no medical assessment and no mobility need.
	Disability []Share `json:"disability"`
	// DisabledIfMedicalShare of households with a medical assessment answer yes; a
	// household with an assessed mobility need (level access, wheelchair) always does.
	DisabledIfMedicalShare float64 `json:"disabled_if_medical_share"`
	// OlderDisabledShare is added to the chance of yes for a main applicant aged 65 or over.
	OlderDisabledShare float64 `json:"older_disabled_share"`
}

func (m *MonitoringMix) validate() error {
	if err := checkShares("register.monitoring.ethnic_groups", m.EthnicGroups); err != nil {
		return err
	}
	for i, x := range m.EthnicGroups {
		if g := register.EthnicGroup(x.Key); !g.Valid() {
			return fmt.Errorf("synth config: register.monitoring.ethnic_groups[%d] = %q: not a 2021 Census group", i, x.Key)
		}
	}
	if err := checkShares("register.monitoring.disability", m.Disability); err != nil {
		return err
	}
	for i, x := range m.Disability {
		if d := register.Disability(x.Key); !d.Valid() {
			return fmt.Errorf("synth config: register.monitoring.disability[%d] = %q: want yes, no, prefer_not_to_say or \"\"", i, x.Key)
		}
	}
	for _, v := range []struct {
		field string
		p     float64
	}{{"register.monitoring.disabled_if_medical_share", m.DisabledIfMedicalShare}, {"register.monitoring.older_disabled_share", m.OlderDisabledShare}} {
		if !(v.p >= 0 && v.p <= 1) {
			return fmt.Errorf("synth config: %s = %v: must be a probability from 0 to 1", v.field, v.p)
		}
	}
	return nil
}

// defaultMonitoring is the Keyways default (docs/synthetic.md, "Equality monitoring").
func defaultMonitoring() MonitoringMix {
	return MonitoringMix{
		EthnicGroups: []Share{
			{"white_british", 77.0}, {"white_irish", 0.6}, {"white_gypsy_traveller", 0.6}, {"white_roma", 0.4},
			{"white_other", 7.5},
			{"mixed_white_black_caribbean", 1.3}, {"mixed_white_black_african", 0.6}, {"mixed_white_asian", 0.5},
			{"mixed_other", 0.8},
			{"asian_indian", 1.0}, {"asian_pakistani", 0.5}, {"asian_bangladeshi", 0.3}, {"asian_chinese", 0.2},
			{"asian_other", 0.8},
			{"black_caribbean", 0.9}, {"black_african", 3.3}, {"black_other", 0.6},
			{"other_arab", 0.3}, {"other_any", 0.8},
			{"prefer_not_to_say", 1.5}, {"", 0.5},
		},
		Disability:             []Share{{"yes", 0.18}, {"no", 0.74}, {"prefer_not_to_say", 0.03}, {"", 0.05}},
		DisabledIfMedicalShare: 0.60,
		OlderDisabledShare:     0.20,
	}
}

// monitoring fills a's monitoring data from its own stream. It reads what the rest of
// the generator drew (age, mobility, medical assessments, working), so the answers go
// together as they do on a register: a wheelchair user is disabled, a 70-year-old retired.
func (g *gen) monitoring(a *register.Application) {
	m := &g.cfg.Register.Monitoring
	r := newRand(g.cfg.Seed, streamMonitoring, uint64(a.ID))
	out := register.Monitoring{EthnicGroup: register.EthnicGroup(g.ethnic.draw(r))}
	age := 0
	if len(a.Members) > 0 {
		age = a.Registered.YearsSince(a.Members[0].Born)
	}
	yes := shareOf(m.Disability, "yes")
	if len(a.Medical) > 0 {
		yes = m.DisabledIfMedicalShare
	}
	if age >= 65 {
		yes = min(1, yes+m.OlderDisabledShare)
	}
	switch u := r.Float64(); {
	case a.Mobility != register.MobilityNone:
		out.Disability = register.DisabilityYes
	case u < yes:
		out.Disability = register.DisabilityYes
	default:
		out.Disability = register.Disability(g.notDisabled.draw(r))
	}
	out.EconomicStatus = economicStatus(r, age, a.Flags.Working, out.Disability == register.DisabilityYes)
	a.Monitoring = out
}

// economicStatus draws the main applicant's economic status (CORE's categories) from
// their age, whether the household works and whether it is disabled. The shares are
// assumptions (docs/synthetic.md).
func economicStatus(r *rand.Rand, age int, working, disabled bool) register.EconomicStatus {
	pick := func(xs ...any) register.EconomicStatus {
		u, acc := r.Float64(), 0.0
		for i := 0; i+1 < len(xs); i += 2 {
			acc += xs[i+1].(float64)
			if u < acc {
				return xs[i].(register.EconomicStatus)
			}
		}
		return xs[len(xs)-2].(register.EconomicStatus)
	}
	switch {
	case age >= 66:
		return pick(register.EconRetired, 0.85, register.EconNotSeeking, 0.10, register.EconRefused, 0.05)
	case working:
		return pick(register.EconFullTime, 0.55, register.EconPartTime, 0.45)
	case disabled && chance(r, 0.45):
		return register.EconUnable
	case age < 25:
		return pick(register.EconJobSeeker, 0.35, register.EconStudent, 0.20, register.EconTraining, 0.05,
			register.EconNotSeeking, 0.25, register.EconOther, 0.10, register.EconomicStatus(""), 0.05)
	}
	return pick(register.EconJobSeeker, 0.30, register.EconNotSeeking, 0.40, register.EconStudent, 0.03,
		register.EconTraining, 0.02, register.EconOther, 0.15, register.EconRefused, 0.05, register.EconomicStatus(""), 0.05)
}
