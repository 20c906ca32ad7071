package snapshot_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// advert rows for the limit tests: a landlord and cycle to hang them on.
const (
	landlords  = "id,name,council,nomination_share\nnnc,NNC,true,100\n"
	cycles     = "id,opens,closes,policy\n1,2025-11-06T00:00:00Z,2025-11-11T23:59:00Z,nn-2021@1\n"
	advHeader  = "id,cycle,landlord,locality,bedrooms,bed_spaces,type,garden,floor,lift,access,sheltered,min_age,max_age,legal_agreement_area,ordering,weekly_rent,closes,withdrawn\n"
	advRowTmpl = "7001,1,nnc,Corby,%s,4,house,true,0,false,general,false,0,0,,band,%s,2025-11-11T23:59:00Z,false\n"
)

func advert(bedrooms, rent string) map[string]string {
	return map[string]string{
		"landlords.csv": landlords, "cycles.csv": cycles,
		"adverts.csv": advHeader + fmt.Sprintf(advRowTmpl, bedrooms, rent),
	}
}

func members(rows ...string) map[string]string {
	return map[string]string{"applications.csv": appHeader + app("0"), "members.csv": memHeader + strings.Join(rows, "")}
}

// TestReadFS_DatabaseLimits: values that parse but that the database would refuse are
// reported with file, line, column and value before anything is written (issue 13).
func TestReadFS_DatabaseLimits(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string
	}{
		"debt beyond numeric(12,2)": {
			files: map[string]string{"applications.csv": appHeader + app("99999999999.99"), "members.csv": memHeader + memRow},
			want:  []string{`applications.csv:2: debt_amount: "99999999999.99": too large: want at most 9999999999.99 (the database's numeric(12,2))`},
		},
		"debt at the limit": {
			files: map[string]string{"applications.csv": appHeader + app("9999999999.99"), "members.csv": memHeader + memRow},
		},
		"rent beyond numeric(10,2)": {
			files: advert("2", "123456789.00"),
			want:  []string{`adverts.csv:2: weekly_rent: "123456789.00": too large: want at most 99999999.99 (the database's numeric(10,2))`},
		},
		"bedrooms beyond integer": {
			files: advert("3000000000", "98.40"),
			want:  []string{`adverts.csv:2: bedrooms: "3000000000": out of range: want a whole number from -2147483648 to 2147483647`},
		},
		"bedrooms beyond any whole number": {
			files: advert("99999999999999999999", "98.40"),
			want:  []string{`adverts.csv:2: bedrooms: "99999999999999999999": out of range: want a whole number from -2147483648 to 2147483647`},
		},
		"id beyond bigint": {
			files: map[string]string{"landlords.csv": landlords, "cycles.csv": "id,opens,closes,policy\n99999999999999999999,2025-11-06T00:00:00Z,2025-11-11T23:59:00Z,nn-2021@1\n"},
			want:  []string{`cycles.csv:2: id: "99999999999999999999": out of range: want a positive whole number up to 9223372036854775807`},
		},
		"Latin-1 name": {
			files: members("1,Jos\xe9,1990-01-01,F,applicant,,\n"),
			want:  []string{`members.csv:2: name: "Jos\xe9": not UTF-8 text (a Latin-1 or Windows-1252 character?); save the file as CSV UTF-8`},
		},
		"NUL in a name": {
			files: members("1,A\x00B,1990-01-01,F,applicant,,\n"),
			want:  []string{`members.csv:2: name: "A\x00B": contains a NUL byte`},
		},
		"Latin-1 in an enum column is not reported twice": {
			files: members("1,A,1990-01-01,F,applic\xe9nt,,\n"),
			want:  []string{`members.csv:2: relationship: "applic\xe9nt": not UTF-8 text (a Latin-1 or Windows-1252 character?); save the file as CSV UTF-8`},
		},
		"name too long": {
			files: members("1," + strings.Repeat("é", snapshot.MaxText+1) + ",1990-01-01,F,applicant,,\n"),
			want:  []string{`members.csv:2: name: "` + strings.Repeat("é", 50) + `… (2002 bytes)": 1001 characters: want at most 1000`},
		},
		"landlord id too long for a key": {
			files: map[string]string{"landlords.csv": "id,name,council,nomination_share\n" + strings.Repeat("x", 101) + ",NNC,true,100\n"},
			want:  []string{`landlords.csv:2: id: "` + strings.Repeat("x", 100) + `… (101 bytes)": 101 characters: want at most 100`},
		},
		"registered in 2999": {
			files: map[string]string{"applications.csv": appHeader + strings.Replace(app("0"), "2024-01-01", "2999-01-01", 1), "members.csv": memHeader + memRow},
			want:  []string{`applications.csv:2: registered: "2999-01-01": want a date from 1900-01-01 to ` + tomorrow() + ` (today plus 1 day)`},
		},
		"born before 1900": {
			files: members("1,A,1899-12-31,F,applicant,,\n"),
			want:  []string{`members.csv:2: born: "1899-12-31": want a date from 1900-01-01 to ` + tomorrow() + ` (today plus 1 day)`},
		},
		"a cycle closing in year 9999": {
			files: map[string]string{"cycles.csv": "id,opens,closes,policy\n1,2025-11-06T00:00:00Z,9999-12-31T23:59:00Z,nn-2021@1\n"},
			want:  []string{`cycles.csv:2: closes: "9999-12-31T23:59:00Z": want a time from 1900-01-01T00:00:00Z to `},
		},
		"year 0": {
			files: members("1,A,0000-12-31,F,applicant,,\n"),
			want:  []string{`members.csv:2: born: "0000-12-31": year 0: want a year from 1 on`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got := bad(t, tc.files)
			if len(tc.want) == 1 && strings.HasSuffix(tc.want[0], " to ") {
				// The end of a time range is now plus five years, to the second.
				require.Len(t, got, 1)
				require.True(t, strings.HasPrefix(got[0], tc.want[0]), got[0])
				require.True(t, strings.HasSuffix(got[0], "(now plus 5 years)"), got[0])
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// tomorrow is the last date that has happened somewhere (register.DateSkew).
func tomorrow() string {
	return register.DateOf(time.Now().UTC().Add(register.DateSkew)).String()
}

// TestReadFS_Encodings: a file in another encoding is one error, not junk columns.
func TestReadFS_Encodings(t *testing.T) {
	utf16 := func(s string, bom bool) string {
		var b []byte
		if bom {
			b = append(b, 0xff, 0xfe)
		}
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return string(b)
	}
	for name, tc := range map[string]struct {
		body, want string
	}{
		"UTF-16 with a byte-order mark": {utf16(memHeader+memRow, true),
			`members.csv:1: -: "": not UTF-8: the file looks like UTF-16 little-endian (it starts with a UTF-16 byte-order mark); save it as CSV UTF-8`},
		"UTF-16 without one": {utf16(memHeader+memRow, false),
			`members.csv:1: -: "": not UTF-8: the file looks like UTF-16 or another encoding with NUL bytes (its first line has NUL bytes); save it as CSV UTF-8`},
		"UTF-16 big-endian": {"\xfe\xff" + memHeader,
			`members.csv:1: -: "": not UTF-8: the file looks like UTF-16 big-endian (it starts with a UTF-16 byte-order mark); save it as CSV UTF-8`},
	} {
		t.Run(name, func(t *testing.T) {
			got := bad(t, map[string]string{"applications.csv": appHeader + app("0"), "members.csv": tc.body})
			require.Equal(t, []string{tc.want, `applications.csv:2: id: "1": no members: want at least the main applicant in members.csv`}, got)
		})
	}
}

// TestReadFS_UnclosedQuote: the error is at the line where the quote opens, and the
// applications it leaves without members are listed after it.
func TestReadFS_UnclosedQuote(t *testing.T) {
	var rows strings.Builder
	rows.WriteString("1,\"Ada,1990-01-01,F,applicant,,\n")
	for i := 0; i < 14; i++ {
		rows.WriteString("1,B,2010-01-01,M,child,,\n")
	}
	got := bad(t, members(rows.String()))
	require.Equal(t, []string{
		`members.csv:2: -: "": a quoted field starting on this line is never closed (read to line 16); the rest of the file is not read`,
		`applications.csv:2: id: "1": no members: want at least the main applicant in members.csv`,
	}, got)
}

// TestReadFS_ErrorCap: a file of bad rows lists its first ErrorsPerFile, in line order,
// and counts the rest.
func TestReadFS_ErrorCap(t *testing.T) {
	var rows strings.Builder
	rows.WriteString(memRow)
	const n = 5000
	for i := 0; i < n; i++ {
		rows.WriteString("1,B,2010-01-01,X,child,,\n") // bad sex
	}
	s, err := snapshotFS(members(rows.String()))
	require.Nil(t, s)
	var ve *snapshot.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Len(t, ve.Errors, snapshot.ErrorsPerFile)
	for i, e := range ve.Errors {
		require.Equal(t, 3+i, e.Line)
	}
	require.Equal(t, []snapshot.Omitted{{File: "members.csv", Count: n - snapshot.ErrorsPerFile}}, ve.Omitted)
	require.Equal(t, n, ve.Total())
	lines := ve.Lines()
	require.Equal(t, "… and 4980 more in members.csv", lines[len(lines)-1])
}

func TestRead_NotADirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "members.csv")
	require.NoError(t, os.WriteFile(f, []byte(memHeader+memRow), 0o600))
	_, err := snapshot.Read(f)
	require.EqualError(t, err, f+": not a directory: a snapshot is a directory of CSV files (docs/snapshot.md); give the directory that holds it")
}

func snapshotFS(files map[string]string) (*snapshot.Snapshot, error) {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return snapshot.ReadFS(fsys)
}
