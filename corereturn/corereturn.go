// Package corereturn writes the CORE lettings return: one row per let with every field
// of the national lettings log (CORE, COntinuous REcording of lettings, MHCLG) the
// register can fill. docs/core.md maps each column to its source and lists the CORE
// fields the register cannot fill.
//
// No name, date of birth or raw application id is written. Households and adverts are
// named by a keyed hash (HMAC-SHA256 under a secret the council holds, Pseudonymiser),
// so the same household has the same code in every return made with the same key, the
// council can find it again, and nobody without the key can link it to the register.
// Ages are whole years on the let day.
package corereturn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
)

// MinKeyBytes is the shortest secret accepted: 16 bytes (128 bits), the HMAC key length
// below which a brute force of the key becomes thinkable.
const MinKeyBytes = 16

// ErrKey is wrapped by every problem with the secret.
var ErrKey = errors.New("pseudonymisation key")

// Pseudonymiser names records by a keyed hash. Its key is never printed (String and
// GoString say only that it is set).
type Pseudonymiser struct{ key []byte }

// NewPseudonymiser returns a Pseudonymiser keyed by key (at least MinKeyBytes).
func NewPseudonymiser(key []byte) (*Pseudonymiser, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("%w: %d bytes: want at least %d (a random secret the council holds, e.g. openssl rand -hex 32)",
			ErrKey, len(key), MinKeyBytes)
	}
	return &Pseudonymiser{key: append([]byte(nil), key...)}, nil
}

func (p *Pseudonymiser) String() string   { return "corereturn.Pseudonymiser{key: [set]}" }
func (p *Pseudonymiser) GoString() string { return p.String() }

// Code is the pseudonym of record id of kind ("application", "advert"): the first 16
// bytes of HMAC-SHA256(key, kind ":" id), as 32 hex digits.
func (p *Pseudonymiser) Code(kind string, id int64) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind + ":" + strconv.FormatInt(id, 10)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Letting is one let with what the return reads: the let record, the advert, its
// landlord and the household let the home (as the register holds it).
type Letting struct {
	Let         allocation.Let
	Advert      bidding.Advert
	Landlord    bidding.Landlord
	Application register.Application
}

// MaxMembers is how many household members CORE records (age1..8, sex1..8, relat2..8).
const MaxMembers = 8

// Columns are the return's columns in order: CORE variable names where CORE has the
// field, then cbl's own (band, band_effective, position, route) prefixed "cbl_".
var Columns = func() []string {
	cols := []string{"tenancycode", "propcode", "owning_organisation", "startdate", "renewal", "cbl",
		"referral", "needstype", "sheltered", "beds", "unittype_gn", "wchair", "brent", "period",
		"offered", "hhmemb"}
	for i := 1; i <= MaxMembers; i++ {
		cols = append(cols, "age"+strconv.Itoa(i), "sex"+strconv.Itoa(i))
		if i > 1 {
			cols = append(cols, "relat"+strconv.Itoa(i))
		}
	}
	cols = append(cols, "ecstat1", "ethnic", "ethnic_group", "totchild", "totadult", "totelder", "hhtype",
		"preg_occ", "illness", "housingneeds_a", "housingneeds_b", "prevten", "homeless", "armedforces",
		"reasonpref", "rp_homeless", "rp_insan_unsat", "rp_medwel", "waityear", "reason",
		"cbl_band", "cbl_band_effective", "cbl_position", "cbl_route", "cbl_bids", "cbl_locality")
	return cols
}()

// Write writes the return for ls to w as CSV: a header (Columns) and one row per let.
func Write(w io.Writer, ls []Letting, p *Pseudonymiser) error {
	if p == nil {
		return fmt.Errorf("%w: none given", ErrKey)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for i := range ls {
		row := Row(&ls[i], p)
		for j, c := range row {
			row[j] = snapshot.Neutralise(c) // types and localities come from outside: no spreadsheet formulas
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Row is one let's cells, in Columns order. An empty cell is a field the register does
// not hold for this let.
func Row(l *Letting, p *Pseudonymiser) []string {
	a, ad, on := &l.Application, &l.Advert, l.Let.On
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	cbl, referral := "yes", "cbl_waiting_list"
	switch l.Let.Route {
	case allocation.RouteNomination:
		referral = "nomination_from_la_waiting_list"
	case allocation.RouteDirect:
		cbl = "no"
		referral = "direct_let_" + l.Let.Category
	}
	needs := "general_needs"
	if ad.Sheltered {
		needs = "supported_housing"
	}
	row := []string{
		p.Code("application", a.ID), p.Code("advert", ad.ID), l.Landlord.ID, on.String(), "no", cbl,
		referral, needs, yes(ad.Sheltered), strconv.Itoa(ad.Bedrooms), ad.Type, yes(ad.Access == bidding.AccessWheelchair),
		ad.WeeklyRent.StringFixed(2), "weekly", strconv.Itoa(l.Let.OffersBeforeAcceptance), strconv.Itoa(len(a.Members)),
	}
	children, adults, elders := 0, 0, 0
	for i := range MaxMembers {
		if i >= len(a.Members) {
			row = append(row, "", "")
			if i > 0 {
				row = append(row, "")
			}
			continue
		}
		m := a.Members[i]
		age := on.YearsSince(m.Born)
		switch {
		case age < 16:
			children++
		case age >= 60:
			elders++
		default:
			adults++
		}
		row = append(row, strconv.Itoa(age), string(m.Sex))
		if i > 0 {
			row = append(row, relat(m.Relationship, age))
		}
	}
	pregnant := false
	for _, m := range a.Members {
		pregnant = pregnant || !m.PregnancyDue.IsZero()
	}
	mon := a.Monitoring
	ethnicGroup := ""
	if mon.EthnicGroup != "" && mon.EthnicGroup != register.EthnicRefused {
		ethnicGroup = mon.EthnicGroup.Broad()
	}
	medwel := false
	for _, m := range a.Medical {
		medwel = medwel || (!m.Pending() && len(m.Conditions) > 0)
	}
	rpHomeless := a.Flags.HomelessDuty != register.DutyNone
	rpInsan := a.Home.Disrepair || a.Home.SharingFacilities
	reason := ""
	if a.Flags.DomesticAbuse {
		reason = "domestic_abuse"
	}
	position := ""
	if l.Let.Position > 0 {
		position = strconv.Itoa(l.Let.Position)
	}
	row = append(row,
		string(mon.EconomicStatus), string(mon.EthnicGroup), ethnicGroup,
		strconv.Itoa(children), strconv.Itoa(adults), strconv.Itoa(elders),
		string(register.HouseholdTypeOf(a, on)), yes(pregnant), illness(mon.Disability),
		yes(a.Mobility == register.MobilityWheelchair), yes(a.Mobility == register.MobilityLevelAccess),
		string(a.Home.Tenure), homeless(a.Flags.HomelessDuty), yes(a.Flags.ArmedForces),
		yes(rpHomeless || rpInsan || medwel), yes(rpHomeless), yes(rpInsan), yes(medwel),
		waitYear(a.Registered, on), reason,
		l.Let.Band.String(), dateOrEmpty(l.Let.Effective), position, l.Let.Route, strconv.Itoa(l.Let.BidsReceived),
		ad.Locality,
	)
	return row
}

// relat is CORE's relationship to the lead tenant: P partner, C child (under 16, or a
// child in full-time education — the register does not say, so only under 16), X other.
func relat(r register.Relationship, age int) string {
	switch {
	case r == register.RelPartner:
		return "P"
	case r == register.RelChild && age < 16:
		return "C"
	}
	return "X"
}

func illness(d register.Disability) string {
	switch d {
	case register.DisabilityYes:
		return "yes"
	case register.DisabilityNo:
		return "no"
	case register.DisabilityRefused:
		return "prefer_not_to_say"
	}
	return ""
}

func homeless(d register.HomelessDuty) string {
	switch d {
	case register.DutyMain:
		return "main_duty"
	case register.DutyRelief:
		return "relief_duty"
	case register.DutyPrevention:
		return "prevention_duty"
	}
	return "no"
}

// waitYear is CORE's waityear band of the time from registration to the let.
func waitYear(registered, on register.Date) string {
	if registered.IsZero() {
		return ""
	}
	y := on.YearsSince(registered)
	switch {
	case y < 1:
		return "less_than_1_year"
	case y < 5:
		return strconv.Itoa(y) + "_to_" + strconv.Itoa(y+1) + "_years"
	case y < 10:
		return "5_to_10_years"
	}
	return "10_years_or_more"
}

func dateOrEmpty(d register.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
