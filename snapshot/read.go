package snapshot

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// Read loads the snapshot in directory dir. See ReadFS.
func Read(dir string) (*Snapshot, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		// Otherwise every file of the snapshot would fail alone with "not a directory".
		return nil, fmt.Errorf("%s: not a directory: a snapshot is a directory of CSV files (docs/snapshot.md); give the directory that holds it", dir)
	}
	return ReadFS(os.DirFS(dir))
}

// ReadFS loads a snapshot from the CSV files at the root of fsys (docs/snapshot.md).
// A missing file is an empty table; any other .csv file is an error. It reads several
// files at once: fsys must be safe for concurrent use, as os.DirFS and fstest.MapFS are.
//
// It parses and validates everything before returning: on any bad value it returns a
// nil Snapshot and a *ValidationError listing every bad row (file, line, column, value,
// reason), in file order. Rows keep their file order: Members[0] of an application is
// its first row in members.csv.
func ReadFS(fsys fs.FS) (*Snapshot, error) {
	e := &errs{byLine: true}
	if names, err := fs.Glob(fsys, "*"); err == nil {
		for _, n := range names {
			if strings.EqualFold(path.Ext(n), ".csv") && !knownFile(n) {
				e.add(RowError{File: n, Column: "-", Reason: "not a snapshot file (see docs/snapshot.md)"})
			}
		}
	}
	s := &Snapshot{}
	o := &origin{}
	// The tables that do not hang off applications are read on a goroutine of their own,
	// with errors of their own merged after (their files are theirs alone), while the
	// applications are: reading one file after another on one core was most of the time
	// a simulation waits before it starts.
	rest := &errs{byLine: true}
	done := make(chan struct{})
	go func() {
		defer close(done)
		readLandlords(fsys, s, o, rest)
		readCycles(fsys, s, o, rest)
		readAdverts(fsys, s, o, rest)
		readBids(fsys, s, o, rest)
		readBases(fsys, s, o, rest)
	}()
	readApplications(fsys, s, o, e)
	<-done
	e.merge(rest)
	validate(s, o, e)
	if err := e.err(); err != nil {
		return nil, err
	}
	return s, nil
}

func knownFile(name string) bool {
	for _, f := range Files {
		if f.Name == name {
			return true
		}
	}
	return false
}

func readApplications(fsys fs.FS, s *Snapshot, o *origin, e *errs) {
	// The files of rows nested in applications are read and parsed on goroutines of their
	// own while applications.csv is, then attached to their applications in file order.
	members := readAhead(fsys, FileMembers, memberColumns, "application", memberRow)
	assessments := readAhead(fsys, FileAssessments, assessmentColumns, "application", assessmentRow)
	conditions := readAhead(fsys, FileConditions, conditionColumns, "assessment", conditionRow)
	history := readAhead(fsys, FileBandHistory, bandHistoryColumns, "application", spellRow)
	overrides := readAhead(fsys, FileOverrides, overrideColumns, "application", overrideRow)
	refusals := readAhead(fsys, FileRefusals, refusalColumns, "application", refusalRow)

	byID := map[int64]int{}
	for r := range readTable(fsys, FileApplications, applicationColumns, e) {
		a := register.Application{
			ID:           r.id("id"),
			Registered:   r.date("registered"),
			Status:       register.Status(r.str("status")),
			StatusReason: r.str("status_reason"),
			StatusUntil:  r.date("status_until"),
			Area:         r.str("area"),
			Mobility:     register.Mobility(r.str("mobility")),
			Home: register.CurrentHome{
				Bedrooms:          r.int("home_bedrooms"),
				Tenure:            register.Tenure(r.str("tenure")),
				Homeowner:         r.bool("homeowner"),
				SharingFacilities: r.bool("sharing_facilities"),
				Disrepair:         r.bool("disrepair"),
			},
			Connection: register.LocalConnection{
				NN:                  r.bool("nn_connection"),
				RightToMove:         r.bool("right_to_move"),
				LegalAgreementAreas: splitList(r.str("legal_agreement_areas")),
			},
			Flags: register.Flags{
				ImmigrationIneligible:    r.bool("immigration_ineligible"),
				HomelessDuty:             register.HomelessDuty(r.str("homeless_duty")),
				ArmedForces:              r.bool("armed_forces"),
				CareLeaver:               r.bool("care_leaver"),
				CareLeaverNNC:            r.bool("care_leaver_nnc"),
				AdultSocialCareMoveOn:    r.bool("adult_social_care_move_on"),
				DomesticAbuse:            r.bool("domestic_abuse"),
				ShelteredEligible:        r.bool("sheltered_eligible"),
				Connected:                r.bool("connected"),
				Guarantor:                r.bool("guarantor"),
				UnacceptableBehaviour:    r.bool("unacceptable_behaviour"),
				ExceptionalCircumstances: r.bool("exceptional_circumstances"),
				Working:                  r.bool("working"),
			},
			Debt: register.HousingDebt{
				Amount:   r.money("debt_amount"),
				LastOwed: r.date("debt_last_owed"),
			},
			Monitoring: register.Monitoring{
				EthnicGroup:    register.EthnicGroup(r.str("ethnic_group")),
				Disability:     register.Disability(r.str("disability")),
				EconomicStatus: register.EconomicStatus(r.str("economic_status")),
			},
		}
		if s.Applications == nil {
			s.Applications, o.apps = make([]register.Application, 0, r.most), make([]int, 0, r.most)
			byID = make(map[int64]int, r.most)
		}
		if _, dup := byID[a.ID]; !dup && a.ID != 0 {
			byID[a.ID] = len(s.Applications)
		}
		s.Applications = append(s.Applications, a)
		o.apps = append(o.apps, r.line)
	}
	n := len(s.Applications)
	o.members, o.assessments, o.conditions = make([][]int, n), make([][]int, n), make([][][]int, n)
	o.history, o.overrides, o.refusals = make([][]int, n), make([][]int, n), make([][]int, n)

	// owner finds the application a child row belongs to, recording an error if none.
	owner := func(file string, r *parsed) (int, bool) {
		i, ok := byID[r.parent]
		if !ok && r.parent != 0 {
			e.add(RowError{File: file, Line: r.line, Column: "application", Value: r.parentCell,
				Reason: "no such application in " + FileApplications})
		}
		return i, ok
	}
	for _, r := range members.wait(e) {
		if i, ok := owner(FileMembers, &r.parsed); ok {
			s.Applications[i].Members = append(s.Applications[i].Members, r.v)
			o.members[i] = append(o.members[i], r.line)
		}
	}
	type place struct{ app, n int }
	byAssessment := map[int64]place{}
	for _, r := range assessments.wait(e) {
		m := r.v
		if i, ok := owner(FileAssessments, &r.parsed); ok {
			if _, dup := byAssessment[m.ID]; !dup && m.ID != 0 {
				byAssessment[m.ID] = place{i, len(s.Applications[i].Medical)}
			}
			s.Applications[i].Medical = append(s.Applications[i].Medical, m)
			o.assessments[i] = append(o.assessments[i], r.line)
			o.conditions[i] = append(o.conditions[i], nil)
		}
	}
	for _, r := range conditions.wait(e) {
		p, ok := byAssessment[r.parent]
		if !ok {
			if r.parent != 0 {
				e.add(RowError{File: FileConditions, Line: r.line, Column: "assessment", Value: r.parentCell,
					Reason: "no such assessment in " + FileAssessments})
			}
			continue
		}
		m := &s.Applications[p.app].Medical[p.n]
		m.Conditions = append(m.Conditions, r.v)
		o.conditions[p.app][p.n] = append(o.conditions[p.app][p.n], r.line)
	}
	for _, r := range history.wait(e) {
		if i, ok := owner(FileBandHistory, &r.parsed); ok {
			s.Applications[i].History = append(s.Applications[i].History, r.v)
			o.history[i] = append(o.history[i], r.line)
		}
	}
	for _, r := range overrides.wait(e) {
		if i, ok := owner(FileOverrides, &r.parsed); ok {
			s.Applications[i].Overrides = append(s.Applications[i].Overrides, r.v)
			o.overrides[i] = append(o.overrides[i], r.line)
		}
	}
	for _, r := range refusals.wait(e) {
		if i, ok := owner(FileRefusals, &r.parsed); ok {
			s.Applications[i].Refusals = append(s.Applications[i].Refusals, r.v)
			o.refusals[i] = append(o.refusals[i], r.line)
		}
	}
}

// ahead is a file of rows nested in a parent (members.csv in applications.csv), read
// and parsed on a goroutine of its own with errors of its own (readAhead); wait hands
// over its rows once it is done, to be attached to their parents.
type ahead[T any] struct {
	rows []aheadRow[T]
	e    *errs
	done chan struct{}
}

// aheadRow is one row of an ahead file: its value and parsed.
type aheadRow[T any] struct {
	v T
	parsed
}

// parsed is where a nested row sits and the parent it names: the id in its parent
// column (0 when that did not parse, an error already recorded) and the cell as
// written, for the error when there is no such parent.
type parsed struct {
	line       int
	parent     int64
	parentCell string
}

// readAhead starts reading file: each row is row(r) and then its parent column's id,
// in that order, so a row's errors are found in the order a read of one file after
// another found them.
func readAhead[T any](fsys fs.FS, file string, cols []string, parentCol string, row func(*row) T) *ahead[T] {
	a := &ahead[T]{e: &errs{byLine: true}, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for r := range readTable(fsys, file, cols, a.e) {
			if a.rows == nil {
				a.rows = make([]aheadRow[T], 0, r.most)
			}
			v := row(r)
			a.rows = append(a.rows, aheadRow[T]{v, parsed{r.line, r.id(parentCol), r.str(parentCol)}})
		}
	}()
	return a
}

// wait waits for the file to be read, moves its errors into e (after e's own: none of
// them are the file's yet) and returns its rows.
func (a *ahead[T]) wait(e *errs) []aheadRow[T] {
	<-a.done
	e.merge(a.e)
	return a.rows
}

func memberRow(r *row) register.Member {
	return register.Member{
		Name:         r.str("name"),
		Born:         r.date("born"),
		Sex:          register.Sex(r.str("sex")),
		Relationship: register.Relationship(r.str("relationship")),
		Joint:        r.bool("joint"),
		PregnancyDue: r.date("pregnancy_due"),
	}
}

func assessmentRow(r *row) register.MedicalAssessment {
	return register.MedicalAssessment{
		ID:        r.id("id"),
		Requested: r.date("requested"),
		Assessed:  r.date("assessed"),
		Assessor:  r.str("assessor"),
		Restrictions: register.Restrictions{
			GroundFloorOrLift: r.bool("ground_floor_or_lift"),
			LevelAccess:       r.bool("level_access"),
			Wheelchair:        r.bool("wheelchair"),
			ExtraBedrooms:     r.int("extra_bedrooms"),
		},
	}
}

func conditionRow(r *row) register.Condition {
	return register.Condition{
		Name:     r.str("name"),
		Severity: r.int("severity"),
		Impact:   r.int("impact"),
	}
}

// The rows of band_history.csv, overrides.csv and refusals.csv, also the columns of the
// register_base_*.csv files.

func spellRow(r *row) register.BandSpell {
	return register.BandSpell{
		Band:      r.band("band"),
		From:      r.date("from"),
		To:        r.date("to"),
		Effective: r.date("effective"),
		Reason:    r.str("reason"),
		By:        r.str("by"),
	}
}

func overrideRow(r *row) register.Override {
	return register.Override{
		Kind:      register.OverrideKind(r.str("kind")),
		Band:      r.band("band"),
		Criterion: r.str("criterion"),
		Effective: r.date("effective"),
		Reason:    r.str("reason"),
		By:        r.str("by"),
		On:        r.date("on"),
		Removed:   r.date("removed"),
	}
}

func refusalRow(r *row) register.Refusal {
	return register.Refusal{
		Advert:  r.id("advert"),
		On:      r.date("on"),
		Kind:    register.RefusalKind(r.str("kind")),
		Counted: r.bool("counted"),
		Final:   r.bool("final"),
		By:      r.str("by"),
	}
}

// readBases reads register_base.csv and the nested rows of each base. That a base's
// application is in applications.csv is checked by validate (as for a snapshot built in
// memory).
func readBases(fsys fs.FS, s *Snapshot, o *origin, e *errs) {
	byApp := map[int64]int{}
	for r := range readTable(fsys, FileBase, baseColumns, e) {
		b := Base{
			Application:  r.id("application"),
			Decision:     r.id("decision"),
			Status:       register.Status(r.str("status")),
			StatusReason: r.str("status_reason"),
			StatusUntil:  r.date("status_until"),
		}
		if _, dup := byApp[b.Application]; !dup && b.Application != 0 {
			byApp[b.Application] = len(s.Bases)
		}
		s.Bases = append(s.Bases, b)
		o.bases = append(o.bases, r.line)
	}
	n := len(s.Bases)
	o.baseHistory, o.baseOverrides, o.baseRefusals = make([][]int, n), make([][]int, n), make([][]int, n)
	owner := func(r *row) (int, bool) {
		id := r.id("application")
		i, ok := byApp[id]
		if !ok && id != 0 {
			r.bad("application", "no such application in "+FileBase)
		}
		return i, ok
	}
	for r := range readTable(fsys, FileBaseHistory, bandHistoryColumns, e) {
		h := spellRow(r)
		if i, ok := owner(r); ok {
			s.Bases[i].History = append(s.Bases[i].History, h)
			o.baseHistory[i] = append(o.baseHistory[i], r.line)
		}
	}
	for r := range readTable(fsys, FileBaseOverrides, overrideColumns, e) {
		v := overrideRow(r)
		if i, ok := owner(r); ok {
			s.Bases[i].Overrides = append(s.Bases[i].Overrides, v)
			o.baseOverrides[i] = append(o.baseOverrides[i], r.line)
		}
	}
	for r := range readTable(fsys, FileBaseRefusals, refusalColumns, e) {
		v := refusalRow(r)
		if i, ok := owner(r); ok {
			s.Bases[i].Refusals = append(s.Bases[i].Refusals, v)
			o.baseRefusals[i] = append(o.baseRefusals[i], r.line)
		}
	}
}

func readLandlords(fsys fs.FS, s *Snapshot, o *origin, e *errs) {
	for r := range readTable(fsys, FileLandlords, landlordColumns, e) {
		s.Landlords = append(s.Landlords, bidding.Landlord{
			ID:              r.str("id"),
			Name:            r.str("name"),
			Council:         r.bool("council"),
			NominationShare: r.int("nomination_share"),
		})
		o.landlords = append(o.landlords, r.line)
	}
}

func readCycles(fsys fs.FS, s *Snapshot, o *origin, e *errs) {
	for r := range readTable(fsys, FileCycles, cycleColumns, e) {
		s.Cycles = append(s.Cycles, bidding.Cycle{
			ID:     r.id("id"),
			Opens:  r.time("opens"),
			Closes: r.time("closes"),
			Policy: r.str("policy"),
		})
		o.cycles = append(o.cycles, r.line)
	}
}

func readAdverts(fsys fs.FS, s *Snapshot, o *origin, e *errs) {
	byID := map[int64]int{}
	for r := range readTable(fsys, FileAdverts, advertColumns, e) {
		a := bidding.Advert{
			ID:                 r.id("id"),
			Cycle:              r.id("cycle"),
			Landlord:           r.str("landlord"),
			Locality:           r.str("locality"),
			Bedrooms:           r.int("bedrooms"),
			BedSpaces:          r.int("bed_spaces"),
			Type:               r.str("type"),
			Garden:             r.bool("garden"),
			Floor:              r.int("floor"),
			Lift:               r.bool("lift"),
			Access:             bidding.Accessibility(r.str("access")),
			Sheltered:          r.bool("sheltered"),
			MinAge:             r.int("min_age"),
			MaxAge:             r.int("max_age"),
			LegalAgreementArea: r.str("legal_agreement_area"),
			Ordering:           bidding.Ordering(r.str("ordering")),
			WeeklyRent:         r.money("weekly_rent"),
			Closes:             r.time("closes"),
			Withdrawn:          r.bool("withdrawn"),
		}
		if _, dup := byID[a.ID]; !dup && a.ID != 0 {
			byID[a.ID] = len(s.Adverts)
		}
		s.Adverts = append(s.Adverts, a)
		o.adverts = append(o.adverts, r.line)
	}
	o.lettings = make([][]int, len(s.Adverts))
	for r := range readTable(fsys, FileLocalLetting, localLettingColumns, e) {
		l := bidding.LocalLetting{
			Label: r.str("label"),
			Fact:  r.str("fact"),
			Is:    r.optBool("is"),
			Gte:   r.optInt("gte"),
			Lte:   r.optInt("lte"),
			Value: r.str("value"),
		}
		id := r.id("advert")
		i, ok := byID[id]
		if !ok {
			if id != 0 {
				r.bad("advert", "no such advert in "+FileAdverts)
			}
			continue
		}
		s.Adverts[i].LocalLettings = append(s.Adverts[i].LocalLettings, l)
		o.lettings[i] = append(o.lettings[i], r.line)
	}
}

func readBids(fsys fs.FS, s *Snapshot, o *origin, e *errs) {
	for r := range readTable(fsys, FileBids, bidColumns, e) {
		s.Bids = append(s.Bids, bidding.Bid{
			Application: r.id("application"),
			Advert:      r.id("advert"),
			Placed:      r.time("placed"),
			Autobid:     r.bool("autobid"),
			Withdrawn:   r.time("withdrawn"),
			By:          r.str("by"),
		})
		o.bids = append(o.bids, r.line)
	}
}

// listSep separates the items of a list-valued cell (legal_agreement_areas).
const listSep = ";"

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, listSep)
}
