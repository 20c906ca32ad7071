package snapshot

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/register"
)

// Write writes s as a snapshot directory (docs/snapshot.md), creating dir if needed and
// replacing the snapshot files in it. Every file is written, with its header, even when
// it has no rows. For a valid s, Read(dir) returns s again if s is in canonical form (see
// Canonical), and in any case a snapshot whose Canonical equals s.Canonical().
func Write(dir string, s *Snapshot) error { return WriteMode(dir, s, PrivateFile) }

// A snapshot holds names, dates of birth and domestic-abuse, immigration and medical
// flags: by default only its owner may read it.
const (
	PrivateFile os.FileMode = 0o600 // the files Write creates
	PrivateDir  os.FileMode = 0o700 // a directory Write creates
)

// DirMode is the mode of a directory holding files of mode: the same, with search (x)
// for whoever may read (0600 gives 0700, 0640 gives 0750).
func DirMode(mode os.FileMode) os.FileMode {
	mode &= os.ModePerm
	return mode | (mode&0o444)>>2
}

// WriteMode is Write with the files' permission bits (PrivateFile for Write). A file
// already there gets mode too; a directory it creates gets DirMode(mode), one already
// there is left as it is (it may be a shared parent).
func WriteMode(dir string, s *Snapshot, mode os.FileMode) error {
	if err := os.MkdirAll(dir, DirMode(mode)); err != nil {
		return err
	}
	tables := rowsOf(s)
	for _, f := range Files {
		if err := writeTable(filepath.Join(dir, f.Name), f.Columns, tables[f.Name], mode); err != nil {
			return err
		}
	}
	return nil
}

// Encode returns s as the bytes of each snapshot file, exactly as Write writes them, by
// file name: for a caller that works on files in memory (an intake's overlay).
func Encode(s *Snapshot) (map[string][]byte, error) {
	tables := rowsOf(s)
	out := make(map[string][]byte, len(Files))
	for _, f := range Files {
		var buf bytes.Buffer
		if err := writeCSV(&buf, f.Columns, tables[f.Name]); err != nil {
			return nil, err
		}
		out[f.Name] = buf.Bytes()
	}
	return out, nil
}

// rowsOf is s as the rows of each snapshot file, by name, in Files' columns.
func rowsOf(s *Snapshot) map[string][][]string {
	var app, mem, ass, con, his, ovr, ref [][]string
	for _, a := range s.Applications {
		id := fmtID(a.ID)
		app = append(app, []string{
			id, a.Registered.String(), string(a.Status), a.StatusReason, a.StatusUntil.String(),
			a.Area, string(a.Mobility),
			strconv.Itoa(a.Home.Bedrooms), string(a.Home.Tenure), fmtBool(a.Home.Homeowner),
			fmtBool(a.Home.SharingFacilities), fmtBool(a.Home.Disrepair),
			fmtBool(a.Connection.NN), fmtBool(a.Connection.RightToMove),
			strings.Join(a.Connection.LegalAgreementAreas, listSep),
			fmtBool(a.Flags.ImmigrationIneligible), string(a.Flags.HomelessDuty),
			fmtBool(a.Flags.ArmedForces), fmtBool(a.Flags.CareLeaver), fmtBool(a.Flags.CareLeaverNNC),
			fmtBool(a.Flags.AdultSocialCareMoveOn), fmtBool(a.Flags.DomesticAbuse),
			fmtBool(a.Flags.ShelteredEligible), fmtBool(a.Flags.Connected), fmtBool(a.Flags.Guarantor),
			fmtBool(a.Flags.UnacceptableBehaviour), fmtBool(a.Flags.ExceptionalCircumstances),
			fmtBool(a.Flags.Working), a.Debt.Amount.StringFixed(2), a.Debt.LastOwed.String(),
			string(a.Monitoring.EthnicGroup), string(a.Monitoring.Disability), string(a.Monitoring.EconomicStatus),
		})
		for _, m := range a.Members {
			mem = append(mem, []string{
				id, m.Name, m.Born.String(), string(m.Sex), string(m.Relationship),
				fmtBool(m.Joint), m.PregnancyDue.String(),
			})
		}
		for _, m := range a.Medical {
			r := m.Restrictions
			ass = append(ass, []string{
				fmtID(m.ID), id, m.Requested.String(), m.Assessed.String(), m.Assessor,
				fmtBool(r.GroundFloorOrLift), fmtBool(r.LevelAccess), fmtBool(r.Wheelchair),
				strconv.Itoa(r.ExtraBedrooms),
			})
			for _, c := range m.Conditions {
				con = append(con, []string{fmtID(m.ID), c.Name, strconv.Itoa(c.Severity), strconv.Itoa(c.Impact)})
			}
		}
		his = appendSpells(his, id, a.History)
		ovr = appendOverrides(ovr, id, a.Overrides)
		ref = appendRefusals(ref, id, a.Refusals)
	}
	var base, bhis, bovr, bref [][]string
	for _, b := range s.Bases {
		id := fmtID(b.Application)
		base = append(base, []string{id, fmtID(b.Decision), string(b.Status), b.StatusReason, b.StatusUntil.String()})
		bhis = appendSpells(bhis, id, b.History)
		bovr = appendOverrides(bovr, id, b.Overrides)
		bref = appendRefusals(bref, id, b.Refusals)
	}
	var lan, cyc, adv, let, bid [][]string
	for _, l := range s.Landlords {
		lan = append(lan, []string{l.ID, l.Name, fmtBool(l.Council), strconv.Itoa(l.NominationShare)})
	}
	for _, c := range s.Cycles {
		cyc = append(cyc, []string{fmtID(c.ID), formatTime(c.Opens), formatTime(c.Closes), c.Policy})
	}
	for _, a := range s.Adverts {
		adv = append(adv, []string{
			fmtID(a.ID), fmtID(a.Cycle), a.Landlord, a.Locality, strconv.Itoa(a.Bedrooms),
			strconv.Itoa(a.BedSpaces), a.Type, fmtBool(a.Garden), strconv.Itoa(a.Floor),
			fmtBool(a.Lift), string(a.Access), fmtBool(a.Sheltered), strconv.Itoa(a.MinAge),
			strconv.Itoa(a.MaxAge), a.LegalAgreementArea, string(a.Ordering),
			a.WeeklyRent.StringFixed(2), formatTime(a.Closes), fmtBool(a.Withdrawn),
		})
		for _, l := range a.LocalLettings {
			let = append(let, []string{
				fmtID(a.ID), l.Label, l.Fact, fmtOptBool(l.Is), fmtOptInt(l.Gte), fmtOptInt(l.Lte), l.Value,
			})
		}
	}
	for _, b := range s.Bids {
		bid = append(bid, []string{
			fmtID(b.Application), fmtID(b.Advert), formatTime(b.Placed), fmtBool(b.Autobid),
			formatTime(b.Withdrawn), b.By,
		})
	}
	return map[string][][]string{
		FileApplications: app, FileMembers: mem, FileAssessments: ass, FileConditions: con,
		FileBandHistory: his, FileOverrides: ovr, FileRefusals: ref, FileLandlords: lan,
		FileCycles: cyc, FileAdverts: adv, FileLocalLetting: let, FileBids: bid,
		FileBase: base, FileBaseHistory: bhis, FileBaseOverrides: bovr, FileBaseRefusals: bref,
	}
}

// appendSpells, appendOverrides and appendRefusals add the rows of application id's band
// history, overrides and refusals (in the columns of band_history.csv, overrides.csv and
// refusals.csv).
func appendSpells(rows [][]string, id string, hs []register.BandSpell) [][]string {
	for _, h := range hs {
		rows = append(rows, []string{
			id, h.Band.String(), h.From.String(), h.To.String(), h.Effective.String(), h.Reason, h.By,
		})
	}
	return rows
}

func appendOverrides(rows [][]string, id string, vs []register.Override) [][]string {
	for _, v := range vs {
		rows = append(rows, []string{
			id, string(v.Kind), v.Band.String(), v.Criterion, v.Effective.String(),
			v.Reason, v.By, v.On.String(), v.Removed.String(),
		})
	}
	return rows
}

func appendRefusals(rows [][]string, id string, vs []register.Refusal) [][]string {
	for _, v := range vs {
		rows = append(rows, []string{
			id, fmtID(v.Advert), v.On.String(), string(v.Kind), fmtBool(v.Counted), fmtBool(v.Final), v.By,
		})
	}
	return rows
}

func writeTable(path string, cols []string, rows [][]string, mode os.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	// OpenFile's mode applies only to a new file, less the umask: set it exactly, so an
	// export over an older, world-readable one is not left readable.
	if err := f.Chmod(mode); err != nil {
		return err
	}
	return writeCSV(f, cols, rows)
}

// writeCSV writes a header and rows, each cell escaped against spreadsheet formulas.
func writeCSV(out io.Writer, cols []string, rows [][]string) error {
	w := csv.NewWriter(out)
	if err := w.Write(cols); err != nil {
		return err
	}
	for _, r := range rows {
		for i, c := range r {
			r[i] = escapeCell(c) // against spreadsheet formulas; Read undoes it
		}
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func fmtID(id int64) string { return strconv.FormatInt(id, 10) }

func fmtBool(b bool) string { return strconv.FormatBool(b) }

func fmtOptBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func fmtOptInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

// formatTime writes t in UTC as RFC 3339 with as many fraction digits as needed; the
// zero time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
