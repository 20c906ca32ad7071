package snapshot_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

const (
	appHeader = "id,registered,status,status_reason,status_until,area,mobility,home_bedrooms,tenure,homeowner,sharing_facilities,disrepair,nn_connection,right_to_move,legal_agreement_areas,immigration_ineligible,homeless_duty,armed_forces,care_leaver,care_leaver_nnc,adult_social_care_move_on,domestic_abuse,sheltered_eligible,connected,guarantor,unacceptable_behaviour,exceptional_circumstances,working,debt_amount,debt_last_owed\n"
	appRow    = "1,2024-01-01,active,,,corby,none,1,social,,,,true,,,,,,,,,,,,,,,,%s,\n"
	memHeader = "application,name,born,sex,relationship,joint,pregnancy_due\n"
	memRow    = "1,A,1990-01-01,F,applicant,,\n"
)

func bad(t *testing.T, files map[string]string) []string {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	s, err := snapshot.ReadFS(fsys)
	if err == nil {
		return nil
	}
	require.Nil(t, s)
	var ve *snapshot.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var out []string
	for _, e := range ve.Errors {
		out = append(out, e.Error())
	}
	return out
}

func app(debt string) string { return strings.Replace(appRow, "%s", debt, 1) }

func TestReadFS_Cells(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string
	}{
		"valid, with a byte-order mark and money without pence": {
			files: map[string]string{"applications.csv": "\xef\xbb\xbf" + appHeader + app("12"), "members.csv": memHeader + memRow},
		},
		"money with three decimal places": {
			files: map[string]string{"applications.csv": appHeader + app("1.005"), "members.csv": memHeader + memRow},
			want:  []string{`applications.csv:2: debt_amount: "1.005": more than two decimal places`},
		},
		"money that is not a number": {
			files: map[string]string{"applications.csv": appHeader + app("£5"), "members.csv": memHeader + memRow},
			want:  []string{`applications.csv:2: debt_amount: "£5": want an amount in pounds like 123.45`},
		},
		"unknown and missing columns": {
			files: map[string]string{"members.csv": "application,name,born,sex,relation,joint,pregnancy_due\n"},
			want: []string{
				`members.csv:1: header: "relation": unknown column (want application,name,born,sex,relationship,joint,pregnancy_due)`,
				`members.csv:1: header: "relationship": missing column`,
			},
		},
		"wrong number of fields": {
			files: map[string]string{"applications.csv": appHeader + app("0") + "2,2024-01-01\n", "members.csv": memHeader + memRow},
			want:  []string{`applications.csv:3: -: "2,2024-01-01": 2 fields, want 30`},
		},
		"bad quoting": {
			files: map[string]string{"members.csv": memHeader + "1,\"A\"x,1990-01-01,F,applicant,,\n"},
			want:  []string{`members.csv:2: -: "": extraneous or missing " in quoted-field (character 5 of the line); the rest of the file is not read`},
		},
		"empty file": {
			files: map[string]string{"landlords.csv": ""},
			want:  []string{`landlords.csv:1: header: "": empty file: want a header row`},
		},
		"boolean spelt yes": {
			files: map[string]string{"landlords.csv": "id,name,council,nomination_share\nnnc,NNC,yes,100\n"},
			want:  []string{`landlords.csv:2: council: "yes": want true or false`},
		},
		"main applicant not first": {
			files: map[string]string{"applications.csv": appHeader + app("0"), "members.csv": memHeader + "1,B,2010-01-01,M,child,,\n" + memRow},
			want: []string{
				`members.csv:2: relationship: "child": the first member of an application must be the applicant`,
				`members.csv:3: relationship: "applicant": only the first member of an application is the applicant`,
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, tc.want, bad(t, tc.files))
		})
	}
}

func TestValidate_InMemory(t *testing.T) {
	s := &snapshot.Snapshot{Applications: []register.Application{{
		ID: 9, Registered: register.MustDate("2024-01-01"), Status: "active", Mobility: "none", Home: register.CurrentHome{Tenure: "social"},
		Members: []register.Member{{Born: register.MustDate("1990-01-01"), Sex: "X", Relationship: register.RelApplicant}},
	}, {
		ID: 9, Registered: register.MustDate("2024-01-01"), Status: "active", Mobility: "",
		Home:    register.CurrentHome{Tenure: "social"},
		Members: []register.Member{{Born: register.MustDate("1990-01-01"), Sex: "F", Relationship: register.RelApplicant}},
	}}}
	err := snapshot.Validate(s)
	var ve *snapshot.ValidationError
	require.True(t, errors.As(err, &ve))
	var got []string
	for _, e := range ve.Errors {
		got = append(got, e.Error())
	}
	require.Equal(t, []string{
		`members.csv: application 9 member 1: sex: "X": want F or M`,
		`applications.csv: application 9: id: "9": duplicate application id (first at an earlier row of applications.csv)`,
		`applications.csv: application 9: mobility: "": want none, level-access or wheelchair`,
	}, got)
}

// TestReadFS_Bases checks register_base.csv and its nested files as strictly as the
// register's own: every bad row named, references to applications.csv and to
// register_base.csv checked.
func TestReadFS_Bases(t *testing.T) {
	const (
		baseHeader    = "application,decision,status,status_reason,status_until\n"
		refusalHeader = "application,advert,on,kind,counted,final,by\n"
		spellHeader   = "application,band,from,to,effective,reason,by\n"
	)
	register1 := map[string]string{"applications.csv": appHeader + app("0"), "members.csv": memHeader + memRow}
	with := func(files map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range register1 {
			out[k] = v
		}
		for k, v := range files {
			out[k] = v
		}
		return out
	}
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string
	}{
		"absent: no application was changed by decisions": {files: with(nil)},
		"valid": {files: with(map[string]string{
			"register_base.csv":              baseHeader + "1,4,active,,\n",
			"register_base_refusals.csv":     refusalHeader + "1,7001,2025-04-09,refused,true,false,kp\n",
			"register_base_band_history.csv": spellHeader + "1,C,2024-01-01,,2024-01-01,registration,import\n",
		})},
		"bad rows": {
			files: with(map[string]string{
				"register_base.csv": baseHeader + "1,4,active,,\n" + "2,1,active,,\n" + "1,5,active,,\n" +
					"1,0,gone,,2025-13-01\n",
				"register_base_refusals.csv":     refusalHeader + "3,7001,2025-04-09,refused,true,false,kp\n" + "1,7001,,declined,true,false,kp\n",
				"register_base_band_history.csv": spellHeader + "1,C,2024-02-01,2024-01-01,2024-01-01,registration,import\n",
			}),
			want: []string{
				`register_base.csv:3: application: "2": no such application in applications.csv`,
				`register_base.csv:4: application: "1": a second base for this application (first at line 2)`,
				`register_base.csv:5: decision: "0": want a positive whole number`,
				`register_base.csv:5: status_until: "2025-13-01": want a date YYYY-MM-DD`,
				`register_base.csv:5: application: "1": a second base for this application (first at line 2)`,
				`register_base.csv:5: status: "gone": want pending, active, suspended or closed`,
				`register_base_band_history.csv:2: to: "2024-01-01": before from 2024-02-01`,
				`register_base_refusals.csv:2: application: "3": no such application in register_base.csv`,
				`register_base_refusals.csv:3: on: "": required`,
				`register_base_refusals.csv:3: kind: "declined": want refused, no_reply or no_viewing`,
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, tc.want, bad(t, tc.files))
		})
	}
}

// ReadFS reads several files at once, each with errors of its own merged after: the
// errors must come out as a read of one file after another gives them, by file and
// line, a row's parse errors before its "no such application", knock-on errors last.
func TestReadFS_ErrorsInFileOrderAcrossFilesReadAtOnce(t *testing.T) {
	got := bad(t, map[string]string{
		"applications.csv": appHeader + app("") + strings.Replace(app(""), "1,2024-01-01,active", "2,2024-13-01,active", 1),
		"members.csv": memHeader + memRow + "9,B,1990-02-30,F,applicant,,\n" + "1,C,1991-01-01,X,child,,\n" +
			"x,D,1992-01-01,F,child,,\n",
		"medical_assessments.csv": "id,application,requested,assessed,assessor,ground_floor_or_lift,level_access,wheelchair,extra_bedrooms\n" +
			"5,1,2024-01-01,,,,,,\n",
		"medical_conditions.csv": "assessment,name,severity,impact\n" + "6,asthma,1,1\n" + "5,asthma,x,1\n",
		"band_history.csv":       "application,band,from,to,effective,reason,by\n" + "8,C,2024-01-01,,2024-01-01,registration,import\n",
		"landlords.csv":          "id,name,council,nomination_share\n" + "NNC,North Northants,maybe,100\n",
		"bids.csv":               "application,advert,placed,autobid,withdrawn,by\n" + "1,7,2024-01-01T10:00:00Z,,,applicant\n",
	})
	require.Equal(t, []string{
		`applications.csv:3: registered: "2024-13-01": want a date YYYY-MM-DD`,
		`members.csv:3: born: "1990-02-30": want a date YYYY-MM-DD`,
		`members.csv:3: application: "9": no such application in applications.csv`,
		`members.csv:4: sex: "X": want F or M`,
		`members.csv:5: application: "x": want a positive whole number`,
		`medical_conditions.csv:2: assessment: "6": no such assessment in medical_assessments.csv`,
		`medical_conditions.csv:3: severity: "x": want a whole number`,
		`band_history.csv:2: application: "8": no such application in applications.csv`,
		`landlords.csv:2: council: "maybe": want true or false`,
		`bids.csv:2: advert: "7": no such advert in adverts.csv`,
		`applications.csv:3: id: "2": no members: want at least the main applicant in members.csv`,
	}, got)
}
