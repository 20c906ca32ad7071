package simulate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cbl-lettings/cbl/shortlist"
)

// Weight is one weighted choice.
type Weight struct {
	Key    string  `json:"key"`
	Weight float64 `json:"weight"`
}

// Behaviour is how applicants, officers and landlords answer the walk of a cycle
// (S8.1, S8.4, S8.5, S8.7). Every field is data with a documented default (DefaultBehaviour).
// Rates are probabilities in [0, 1].
type Behaviour struct {
	// VerifySkip is the chance a candidate fails verification; VerifyCodes weights the
	// S7.5 code recorded.
	VerifySkip  float64  `json:"verify_skip"`
	VerifyCodes []Weight `json:"verify_codes"`
	// Refusal is the chance an offer is refused (evidence: 10–20% of offers); of those,
	// Counted is the chance the officer judges the offer reasonable and suitable.
	Refusal float64 `json:"refusal"`
	Counted float64 `json:"counted"`
	// NoReply is the chance an offer gets no reply (recorded as no_reply; whether it
	// counts is the policy's).
	NoReply float64 `json:"no_reply"`
	// FinalOffer is the chance an offer to a household owed a homelessness duty is made
	// as a final offer: refused and counted, it discharges the duty where the policy's
	// refusals section says so (S8.6).
	FinalOffer float64 `json:"final_offer"`
	// LandlordReject is the chance a housing association rejects a nominee;
	// LandlordCodes weights the code it gives.
	LandlordReject float64  `json:"landlord_reject"`
	LandlordCodes  []Weight `json:"landlord_codes"`
}

// DefaultBehaviour returns the documented defaults: 5% of verifications fail (arrears,
// no contact, checks reveal issues, an undisclosed change), 15% of offers are refused
// and half of those counted, 3% get no reply, half the offers to households owed a
// homelessness duty are final offers, and landlords reject 10% of nominees.
func DefaultBehaviour() Behaviour {
	return Behaviour{
		VerifySkip: 0.05,
		VerifyCodes: []Weight{
			{shortlist.NoContact, 3}, {shortlist.Arrears, 2},
			{shortlist.ChecksRevealIssues, 2}, {shortlist.UndisclosedChange, 1},
		},
		Refusal:        0.15,
		Counted:        0.5,
		NoReply:        0.03,
		FinalOffer:     0.5,
		LandlordReject: 0.10,
		LandlordCodes:  []Weight{{shortlist.LandlordPolicy, 2}, {shortlist.Arrears, 1}, {shortlist.Unaffordable, 1}},
	}
}

// Validate reports the first rate outside [0, 1] or code that is not an S7.5
// reason code the model can record.
func (b *Behaviour) Validate() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"verify_skip", b.VerifySkip}, {"refusal", b.Refusal}, {"counted", b.Counted},
		{"no_reply", b.NoReply}, {"final_offer", b.FinalOffer}, {"landlord_reject", b.LandlordReject}} {
		if !(r.v >= 0 && r.v <= 1) {
			return fmt.Errorf("simulate behaviour: %s: %v is not a probability in [0, 1]", r.name, r.v)
		}
	}
	if b.Refusal+b.NoReply > 1 {
		return fmt.Errorf("simulate behaviour: refusal %v + no_reply %v exceed 1", b.Refusal, b.NoReply)
	}
	for _, c := range []struct {
		name string
		xs   []Weight
		need bool
	}{{"verify_codes", b.VerifyCodes, b.VerifySkip > 0}, {"landlord_codes", b.LandlordCodes, b.LandlordReject > 0}} {
		if c.need && weighted(c.xs, 0) == "" {
			return fmt.Errorf("simulate behaviour: %s: no code with a positive weight", c.name)
		}
		for _, x := range c.xs {
			if !isCode(x.Key) {
				return fmt.Errorf("simulate behaviour: %s: %q is not a skip reason code (S7.5); valid: %s",
					c.name, x.Key, strings.Join(modelCodes(), ", "))
			}
		}
	}
	return nil
}

func isCode(s string) bool {
	for _, c := range shortlist.Codes {
		if c == s {
			return s != shortlist.OfficerDiscretion // needs a note the model cannot write
		}
	}
	return false
}

// modelCodes are the codes isCode accepts, in shortlist.Codes order.
func modelCodes() []string {
	return slices.DeleteFunc(slices.Clone(shortlist.Codes), func(c string) bool { return !isCode(c) })
}
