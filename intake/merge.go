// Package intake merges a partial snapshot — the week's intake — into the register
// held (cbl import --merge). It reads and checks; a store writes what it returns.
//
// The delta is any subset of a snapshot's files, in the format cbl export writes. Its rows
// are inserts or updates, keyed as the files are: an application by id (its members and
// medical assessments, when the delta gives them, replace the ones held), a landlord,
// cycle or advert by id (an advert's local lettings likewise), a bid by application and
// advert. The files decisions and assessment own — band history, overrides, refusals,
// register_base — are not taken. The merged register is validated exactly as an import
// is, every bad row named by the delta's own file and line; new live bids are held to the
// rules cbl bid place applies (window, cap, duplicates, hard checks); an advert of a
// closed cycle may only be withdrawn; an application's status is left to decisions.
// Nothing is written on any error. Stored shortlists and the record of decisions are not
// touched: a store writes Plan.Delta and nothing else.
package intake

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
)

// Result counts what a merge added and updated.
type Result struct {
	ApplicationsAdded   int `json:"applications_added"`
	ApplicationsUpdated int `json:"applications_updated"`
	AdvertsAdded        int `json:"adverts_added"`
	AdvertsUpdated      int `json:"adverts_updated"`
	BidsAdded           int `json:"bids_added"`
	BidsUpdated         int `json:"bids_updated"`
	Landlords           int `json:"landlords"` // added or updated
	Cycles              int `json:"cycles"`    // added or updated
}

// Plan is what merging a delta into a register changes.
type Plan struct {
	Register *snapshot.Snapshot // the whole register after the merge
	Delta    *snapshot.Snapshot // the rows to write: those the delta gave, as merged
	Added    []int64            // applications new to the register
	Updated  []int64            // applications held that the delta changed
	Result   Result
}

// Merge merges the partial snapshot in delta into held, whose cycles closed are closed
// (their adverts shortlisted). held is not changed. Any bad row gives a
// *snapshot.ValidationError naming the delta's file and line.
func Merge(held *snapshot.Snapshot, delta fs.FS, closed []int64) (*Plan, error) {
	merged, keys, err := mergeSnapshot(held, delta)
	if err != nil {
		return nil, err
	}
	if err := checkMerge(held, merged, keys, closed); err != nil {
		return nil, err
	}
	d, res := mergeDelta(held, merged, keys)
	p := &Plan{Register: merged, Delta: d, Result: *res}
	for _, a := range d.Applications {
		if keys.heldApp[a.ID] {
			p.Updated = append(p.Updated, a.ID)
		} else {
			p.Added = append(p.Added, a.ID)
		}
	}
	return p, nil
}

// mergeKeys are, for each file a merge takes, the columns that key its rows.
var mergeKeys = map[string][]string{
	snapshot.FileApplications: {"id"},
	snapshot.FileMembers:      {"application"},
	snapshot.FileAssessments:  {"application"},
	snapshot.FileConditions:   {"assessment"},
	snapshot.FileLandlords:    {"id"},
	snapshot.FileCycles:       {"id"},
	snapshot.FileAdverts:      {"id"},
	snapshot.FileLocalLetting: {"advert"},
	snapshot.FileBids:         {"application", "advert"},
}

// mergeKeysSeen are the keys the delta gives, file by file, and the applications held.
type mergeKeysSeen struct {
	apps, members, assessments, adverts, lettings map[int64]bool
	conditions                                    map[int64]bool // assessment ids
	landlords                                     map[string]bool
	cycles                                        map[int64]bool
	bids                                          map[[2]int64]int // delta line of each bid
	appLine                                       map[int64]int    // delta line of each application
	heldApp                                       map[int64]bool
}

// mergeSnapshot reads held with delta's rows first in each file (so a bad row is named
// by the delta's own line), held rows the delta replaces left out, and validates it all.
func mergeSnapshot(held *snapshot.Snapshot, delta fs.FS) (*snapshot.Snapshot, *mergeKeysSeen, error) {
	files, err := snapshot.Encode(held)
	if err != nil {
		return nil, nil, err
	}
	k := &mergeKeysSeen{apps: map[int64]bool{}, members: map[int64]bool{}, assessments: map[int64]bool{},
		adverts: map[int64]bool{}, lettings: map[int64]bool{}, conditions: map[int64]bool{}, landlords: map[string]bool{},
		cycles: map[int64]bool{}, bids: map[[2]int64]int{}, appLine: map[int64]int{}, heldApp: map[int64]bool{}}
	for _, a := range held.Applications {
		k.heldApp[a.ID] = true
	}
	// Conditions go with their assessments: those of an application whose assessments
	// the delta replaces go too.
	dropAssessment := map[int64]bool{}
	var bad []snapshot.RowError
	overlay := fstest.MapFS{}
	for _, f := range snapshot.Files {
		data, err := fs.ReadFile(delta, f.Name)
		if errors.Is(err, fs.ErrNotExist) {
			overlay[f.Name] = &fstest.MapFile{Data: files[f.Name]}
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		rows, header, err := readCSV(data)
		if err != nil {
			bad = append(bad, snapshot.RowError{File: f.Name, Column: "-", Reason: err.Error()})
			continue
		}
		if _, ok := mergeKeys[f.Name]; !ok {
			if len(rows) > 0 {
				bad = append(bad, snapshot.RowError{File: f.Name, Line: 2, Column: "-",
					Reason: "not taken in a merge: band history, overrides, refusals and register_base are kept by cbl (assess, decisions)"})
			}
			overlay[f.Name] = &fstest.MapFile{Data: files[f.Name]}
			continue
		}
		heldData := files[f.Name]
		heldRows, heldHeader, err := readCSV(heldData)
		if err != nil {
			return nil, nil, err
		}
		if len(heldHeader) > 0 && !slices.Equal(header, heldHeader) {
			// Columns in any order, as an import takes them; every one present.
			order := make([]int, len(heldHeader))
			ok := len(header) == len(heldHeader)
			for i, c := range heldHeader {
				order[i] = slices.Index(header, c)
				ok = ok && order[i] >= 0
			}
			if !ok {
				bad = append(bad, snapshot.RowError{File: f.Name, Line: 1, Column: "-", Value: strings.Join(header, ","),
					Reason: "header: want the columns cbl export writes, in any order: " + strings.Join(heldHeader, ",")})
				continue
			}
			for i, r := range rows {
				out := make([]string, len(order))
				for j, from := range order {
					if from < len(r) {
						out[j] = r[from]
					}
				}
				rows[i] = out
			}
			header = heldHeader
		}
		key := func(hdr []string, r []string) string {
			var parts []string
			for _, c := range mergeKeys[f.Name] {
				if i := slices.Index(hdr, c); i >= 0 && i < len(r) {
					parts = append(parts, r[i])
				}
			}
			return strings.Join(parts, "/")
		}
		given := map[string]bool{}
		for i, r := range rows {
			kv := key(header, r)
			given[kv] = true
			k.note(f.Name, kv, i+2)
		}
		if f.Name == snapshot.FileAssessments {
			for _, a := range held.Applications {
				if given[fmt.Sprint(a.ID)] {
					for _, m := range a.Medical {
						dropAssessment[m.ID] = true
					}
				}
			}
		}
		var kept [][]string
		for _, r := range heldRows {
			kv := key(heldHeader, r)
			if given[kv] {
				continue
			}
			if f.Name == snapshot.FileConditions && dropAssessment[parseID(kv)] {
				continue
			}
			kept = append(kept, r)
		}
		// The delta's rows first, so a bad one is named by the delta's own line.
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(slices.Concat([][]string{header}, rows, kept)); err != nil {
			return nil, nil, err
		}
		overlay[f.Name] = &fstest.MapFile{Data: buf.Bytes()}
	}
	// Conditions held for assessments the delta replaced, when the delta gave no
	// conditions file of its own.
	if _, err := fs.Stat(delta, snapshot.FileConditions); errors.Is(err, fs.ErrNotExist) && len(dropAssessment) > 0 {
		rows, header, err := readCSV(overlay[snapshot.FileConditions].Data)
		if err != nil {
			return nil, nil, err
		}
		col := slices.Index(header, "assessment")
		out := [][]string{header}
		for _, r := range rows {
			if !dropAssessment[parseID(r[col])] {
				out = append(out, r)
			}
		}
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(out); err != nil {
			return nil, nil, err
		}
		overlay[snapshot.FileConditions] = &fstest.MapFile{Data: buf.Bytes()}
	}
	if len(bad) > 0 {
		return nil, nil, &snapshot.ValidationError{Errors: bad}
	}
	merged, err := snapshot.ReadFS(overlay)
	if err != nil {
		return nil, nil, err
	}
	return merged, k, nil
}

func (k *mergeKeysSeen) note(file, kv string, line int) {
	switch file {
	case snapshot.FileApplications:
		k.apps[parseID(kv)] = true
		k.appLine[parseID(kv)] = line
	case snapshot.FileMembers:
		k.members[parseID(kv)] = true
	case snapshot.FileAssessments:
		k.assessments[parseID(kv)] = true
	case snapshot.FileConditions:
		k.conditions[parseID(kv)] = true
	case snapshot.FileLandlords:
		k.landlords[kv] = true
	case snapshot.FileCycles:
		k.cycles[parseID(kv)] = true
	case snapshot.FileAdverts:
		k.adverts[parseID(kv)] = true
	case snapshot.FileLocalLetting:
		k.lettings[parseID(kv)] = true
	case snapshot.FileBids:
		a, b, _ := strings.Cut(kv, "/")
		k.bids[[2]int64{parseID(a), parseID(b)}] = line
	}
}

func parseID(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

// readCSV reads a CSV file's header and rows.
func readCSV(data []byte) (rows [][]string, header []string, err error) {
	if len(data) == 0 {
		return nil, nil, nil
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))) // a spreadsheet's byte-order mark
	r.FieldsPerRecord = -1
	header, err = r.Read()
	if err == io.EOF {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	rows, err = r.ReadAll()
	return rows, header, err
}

// checkMerge holds the merge to the rules a live register keeps: new live bids as cbl bid
// place would take them, and adverts of closed cycles changed only by being withdrawn.
func checkMerge(held, merged *snapshot.Snapshot, k *mergeKeysSeen, closed []int64) error {
	var bad []snapshot.RowError
	heldAdvert := map[int64]bidding.Advert{}
	for _, a := range held.Adverts {
		heldAdvert[a.ID] = a
	}
	for _, a := range merged.Adverts {
		old, ok := heldAdvert[a.ID]
		if !k.adverts[a.ID] || !ok || !slices.Contains(closed, a.Cycle) {
			continue
		}
		was, now := old, a
		was.Withdrawn, now.Withdrawn = false, false
		if fmt.Sprint(was) != fmt.Sprint(now) {
			bad = append(bad, snapshot.RowError{File: snapshot.FileAdverts, Key: fmt.Sprintf("advert %d", a.ID), Column: "-",
				Reason: fmt.Sprintf("its cycle %d is closed and shortlisted: only withdrawn may change", a.Cycle)})
		}
	}
	// An application's status is the record's: decisions set it (application verify,
	// cancel, reinstate; lets and refusals), so the audit can replay it.
	heldApp := map[int64]register.Application{}
	for _, a := range held.Applications {
		heldApp[a.ID] = a
	}
	for _, a := range merged.Applications {
		old, ok := heldApp[a.ID]
		if !ok || !k.apps[a.ID] {
			continue
		}
		if old.Status != a.Status || old.StatusReason != a.StatusReason || old.StatusUntil != a.StatusUntil {
			bad = append(bad, snapshot.RowError{File: snapshot.FileApplications, Line: k.appLine[a.ID], Key: fmt.Sprintf("application %d", a.ID),
				Column: "status", Value: string(a.Status),
				Reason: fmt.Sprintf("held as %q: a status is changed by a decision (cbl application verify|cancel|reinstate), not by intake", old.Status)})
		}
	}
	heldBid := map[[2]int64]bidding.Bid{}
	for _, b := range held.Bids {
		heldBid[[2]int64{b.Application, b.Advert}] = b
	}
	apps := map[int64]*register.Application{}
	for i := range merged.Applications {
		apps[merged.Applications[i].ID] = &merged.Applications[i]
	}
	// Indexes of the merged register, and each cycle's rules compiled once.
	mergedBid := map[[2]int64]bidding.Bid{}
	bidsOf := map[int64][]bidding.Bid{}
	for _, b := range merged.Bids {
		mergedBid[[2]int64{b.Application, b.Advert}] = b
		bidsOf[b.Application] = append(bidsOf[b.Application], b)
	}
	cycleOf := map[int64]bidding.Cycle{}
	for _, c := range merged.Cycles {
		cycleOf[c.ID] = c
	}
	advertCycle := map[int64]int64{}
	for _, a := range merged.Adverts {
		advertCycle[a.ID] = a.Cycle
	}
	type compiled struct {
		p     *policy.Policy
		rules *bidding.Rules
	}
	rulesOf := map[int64]compiled{}
	for key, line := range k.bids {
		b, ok := mergedBid[key]
		if !ok {
			continue
		}
		at := snapshot.RowError{File: snapshot.FileBids, Line: line, Key: fmt.Sprintf("bid (application %d, advert %d)", b.Application, b.Advert)}
		if b.Autobid {
			at.Column, at.Value, at.Reason = "autobid", "true", "autobids are placed by cbl cycle close, not merged"
			bad = append(bad, at)
			continue
		}
		if old, ok := heldBid[key]; (ok && old.Live() == b.Live()) || !b.Live() {
			continue // a withdrawal, or a bid held already: nothing to place
		}
		c := cycleOf[advertCycle[b.Advert]]
		cr, ok := rulesOf[c.ID]
		if !ok {
			p, err := policy.Builtins().ByName(c.Policy, register.DateOf(c.Closes))
			if err != nil {
				return err
			}
			rules, err := bidding.Compile(p)
			if err != nil {
				return err
			}
			cr = compiled{p, rules}
			rulesOf[c.ID] = cr
		}
		ix, err := bidding.Assess(cr.rules, []register.Application{*apps[b.Application]}, cr.p.Day(b.Placed))
		if err != nil {
			return err
		}
		var others []bidding.Bid
		for _, o := range bidsOf[b.Application] {
			if o.Advert != b.Advert {
				others = append(others, o)
			}
		}
		if _, _, err := bidding.PlaceBid(cr.rules, c, merged.Adverts, &ix.Profiles[0], others, b.Placed, b.Advert, b.By); err != nil {
			at.Column, at.Value, at.Reason = "placed", b.Placed.Format("2006-01-02T15:04:05Z07:00"), "refused as cbl bid place would refuse it: "+err.Error()
			bad = append(bad, at)
		}
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(x, y snapshot.RowError) int { return x.Line - y.Line })
		return &snapshot.ValidationError{Errors: bad}
	}
	return nil
}

// mergeDelta is what the merge writes: the applications, landlords, cycles, adverts and
// bids the delta gives, as merged. An application held keeps its band history,
// overrides and refusals (the register's, not the delta's).
func mergeDelta(held, merged *snapshot.Snapshot, k *mergeKeysSeen) (*snapshot.Snapshot, *Result) {
	d := &snapshot.Snapshot{}
	res := &Result{}
	for _, a := range merged.Applications {
		if !k.apps[a.ID] && !k.members[a.ID] && !k.assessments[a.ID] {
			continue
		}
		if k.heldApp[a.ID] {
			a.History, a.Overrides, a.Refusals = nil, nil, nil
			res.ApplicationsUpdated++
		} else {
			res.ApplicationsAdded++
		}
		d.Applications = append(d.Applications, a)
	}
	for _, l := range merged.Landlords {
		if k.landlords[l.ID] {
			d.Landlords = append(d.Landlords, l)
			res.Landlords++
		}
	}
	for _, c := range merged.Cycles {
		if k.cycles[c.ID] {
			d.Cycles = append(d.Cycles, c)
			res.Cycles++
		}
	}
	heldAd := map[int64]bool{}
	for _, a := range held.Adverts {
		heldAd[a.ID] = true
	}
	for _, a := range merged.Adverts {
		if k.adverts[a.ID] || k.lettings[a.ID] {
			d.Adverts = append(d.Adverts, a)
			if heldAd[a.ID] {
				res.AdvertsUpdated++
			} else {
				res.AdvertsAdded++
			}
		}
	}
	heldBid := map[[2]int64]bool{}
	for _, b := range held.Bids {
		heldBid[[2]int64{b.Application, b.Advert}] = true
	}
	for _, b := range merged.Bids {
		if _, ok := k.bids[[2]int64{b.Application, b.Advert}]; ok {
			d.Bids = append(d.Bids, b)
			if heldBid[[2]int64{b.Application, b.Advert}] {
				res.BidsUpdated++
			} else {
				res.BidsAdded++
			}
		}
	}
	return d, res
}
