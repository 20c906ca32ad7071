package allocation

import (
	"fmt"
)

// nominate sends the advert's verified batch to the housing association (S8.7).
func (e *engine) nominate(d *Decision) error {
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	if s.council {
		return e.fail("advert", fmt.Sprintf("%d is the council's own: nothing to nominate", s.ad.ID))
	}
	if s.verified == 0 {
		return e.fail("advert", fmt.Sprintf("%d has no verified candidates to nominate", s.ad.ID))
	}
	var apps []int64
	for i := s.lo; i < len(s.entries); i++ {
		en := &s.entries[i]
		if en.state != stVerified {
			continue
		}
		e.setState(s, en, stNominated)
		e.res.Nominations = append(e.res.Nominations, Nomination{Advert: s.ad.ID, Landlord: s.ad.Landlord,
			Round: s.round, Application: en.e.Application, Position: en.e.Position, Sent: d.On})
		en.nom = len(e.res.Nominations)
		e.noteNom(en.nom - 1)
		apps = append(apps, en.e.Application)
	}
	s.verifying = false
	e.decided("nominated", 0, s.ad.ID, d.Reason, fmt.Sprintf("round %d to %s: applications %s", s.round, s.ad.Landlord, joinIDs(apps)))
	return nil
}

// landlordDecides records the landlord's acceptance (an offer) or rejection of a nominee.
func (e *engine) landlordDecides(d *Decision) error {
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	en, err := e.entryOf(s, d.Application)
	if err != nil {
		return err
	}
	if en.state != stNominated {
		return e.fail("application", fmt.Sprintf("%d is not awaiting the landlord's decision on advert %d", d.Application, s.ad.ID))
	}
	n := &e.res.Nominations[en.nom-1]
	e.noteNom(en.nom - 1)
	if d.Kind == LandlordReject {
		if err := e.checkCode(d); err != nil {
			return err
		}
		n.Outcome, n.Code, n.Decided = "rejected", d.Code, d.On
		e.decided("nominee_rejected", d.Application, s.ad.ID, d.Code, d.Reason)
		e.skip(s, en, d.Code, d.Actor, "rejected by the landlord: "+d.Reason, d.On)
		return nil
	}
	for i := range s.entries {
		if s.entries[i].state == stOffered {
			return e.fail("advert", fmt.Sprintf("%d already has an open offer to %d", s.ad.ID, s.entries[i].e.Application))
		}
	}
	n.Outcome, n.Decided = "accepted", d.On
	e.decided("nominee_accepted", d.Application, s.ad.ID, d.Reason, "")
	e.open(s, en, true)
	return nil
}

// requestMore starts the next round: the council verifies and nominates the next batch.
func (e *engine) requestMore(d *Decision) error {
	s, err := e.advertOf(d)
	if err != nil {
		return err
	}
	if s.council || s.verifying {
		return e.fail("advert", fmt.Sprintf("%d is not waiting for the landlord", s.ad.ID))
	}
	s.verifying = true
	s.round++
	e.decided("more_requested", 0, s.ad.ID, d.Reason, fmt.Sprintf("round %d", s.round))
	return nil
}
