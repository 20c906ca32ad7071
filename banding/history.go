package banding

import (
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Current returns the open spell of a band history (the band held now), or false if the
// application holds no band.
func Current(hist []register.BandSpell) (register.BandSpell, bool) {
	if n := len(hist); n > 0 && hist[n-1].To.IsZero() {
		return hist[n-1], true
	}
	return register.BandSpell{}, false
}

// Change is a (re)assessment result or officer decision to record in band history.
type Change struct {
	Band   register.Band // NoBand: the application no longer holds a band
	On     register.Date
	Reason string
	By     string
	// Effective, when set, is an officer-set effective date (S3.5, with Reason).
	Effective register.Date
}

// Transition returns the band history after change c, leaving hist untouched, and the
// new open spell (zero if the application now holds no band). The effective date follows
// the policy's rules (S3):
//
//   - first band: the registration date;
//   - moving up: the date of the move;
//   - moving down: the effective date the application last held in that lower band,
//     else (never held) the current effective date;
//   - same band: the current effective date (no new spell);
//   - an officer-set date, or an active set_effective_date override, beats all of these.
func Transition(hist []register.BandSpell, registered register.Date, overrides []register.Override,
	c Change, r *policy.EffectiveDateRules) ([]register.BandSpell, register.BandSpell) {

	cur, holding := Current(hist)
	officer := c.Effective
	if o := activeOverride(overrides, register.OverrideSetEffective, c.On); o != nil && officer.IsZero() {
		officer = o.Effective
	}
	if holding && cur.Band == c.Band && (officer.IsZero() || officer == cur.Effective) {
		if r.Same == policy.DateKeep || c.Band == register.NoBand {
			return hist, cur
		}
	}
	out := make([]register.BandSpell, len(hist), len(hist)+1)
	copy(out, hist)
	if holding {
		out[len(out)-1].To = c.On
	}
	if c.Band == register.NoBand {
		return out, register.BandSpell{}
	}

	eff := c.On
	switch {
	case !officer.IsZero():
		eff = officer
	case len(hist) == 0:
		eff = registered // policy.DateRegistration is the only rule for a new application
	case !holding:
		eff = c.On // re-banded after a spell without a band
	case c.Band == cur.Band:
		eff = pick(r.Same, cur.Effective, c.On)
	case c.Band.Higher(cur.Band):
		eff = pick(r.Up, cur.Effective, c.On)
	default:
		switch r.Down {
		case policy.DatePreviousInBand:
			eff = pick(r.DownNeverHeld, cur.Effective, c.On)
			for i := len(hist) - 1; i >= 0; i-- {
				if hist[i].Band == c.Band {
					eff = hist[i].Effective
					break
				}
			}
		default:
			eff = pick(r.Down, cur.Effective, c.On)
		}
	}
	spell := register.BandSpell{Band: c.Band, From: c.On, Effective: eff, Reason: c.Reason, By: c.By}
	return append(out, spell), spell
}

func pick(rule string, keep, move register.Date) register.Date {
	if rule == policy.DateKeep {
		return keep
	}
	return move
}
