package snapshot_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

const (
	smallDir = "../testdata/snapshot/small"
	badDir   = "../testdata/snapshot/bad"
)

// TestFull_SetsEveryField guards the round-trip test: if a field is added to a register
// or bidding type, snapshottest.Full() (and the CSV columns) must learn it.
func TestFull_SetsEveryField(t *testing.T) {
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Type() == reflect.TypeOf(decimal.Decimal{}) || v.Type() == reflect.TypeOf(time.Time{}) {
			require.False(t, v.IsZero(), "%s is zero in snapshottest.Full()", path)
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		case reflect.Slice:
			require.NotZero(t, v.Len(), "%s is empty in snapshottest.Full()", path)
			for i := range v.Len() {
				walk(path, v.Index(i))
			}
		case reflect.Pointer:
			require.False(t, v.IsNil(), "%s is nil in snapshottest.Full()", path)
		default:
			require.False(t, v.IsZero(), "%s is zero in snapshottest.Full()", path)
		}
	}
	walk("Snapshot", reflect.ValueOf(*snapshottest.Full()))
}

func TestWriteRead_RoundTrip(t *testing.T) {
	t.Run("every field", func(t *testing.T) {
		want := snapshottest.Full().Canonical()
		dir := t.TempDir()
		require.NoError(t, snapshot.Write(dir, want))
		got, err := snapshot.Read(dir)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, "2025-11-11T22:59:00Z", got.Adverts[0].Closes.Format(time.RFC3339), "times are read in UTC")
	})
	t.Run("small example", func(t *testing.T) {
		want, err := snapshot.Read(smallDir)
		require.NoError(t, err)
		dir := t.TempDir()
		require.NoError(t, snapshot.Write(dir, want))
		got, err := snapshot.Read(dir)
		require.NoError(t, err)
		require.Equal(t, want, got)
		// Writing what was read reproduces the hand-written files byte for byte. The
		// example has no register_base*.csv files (no decision changed it, as for every
		// snapshot made before decisions existed): they are written with the header only.
		for _, f := range snapshot.Files {
			a, err := os.ReadFile(filepath.Join(smallDir, f.Name))
			if errors.Is(err, os.ErrNotExist) && strings.HasPrefix(f.Name, "register_base") {
				a = []byte(strings.Join(f.Columns, ",") + "\n")
			} else {
				require.NoError(t, err)
			}
			b, err := os.ReadFile(filepath.Join(dir, f.Name))
			require.NoError(t, err)
			require.Equal(t, string(a), string(b), f.Name)
		}
	})
	t.Run("empty", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, snapshot.Write(dir, &snapshot.Snapshot{}))
		got, err := snapshot.Read(dir)
		require.NoError(t, err)
		require.Equal(t, &snapshot.Snapshot{}, got)
	})
}

func TestRead_Small(t *testing.T) {
	s, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	require.Len(t, s.Applications, 6)
	require.Len(t, s.Landlords, 2)
	require.Len(t, s.Cycles, 2)
	require.Len(t, s.Adverts, 5)
	require.Len(t, s.Bids, 9)

	shah := s.Applications[1]
	require.Equal(t, int64(1002), shah.ID)
	require.Len(t, shah.Members, 4)
	require.Equal(t, register.RelApplicant, shah.Main().Relationship)
	require.Equal(t, register.MustDate("2026-03-15"), shah.Members[1].PregnancyDue)
	require.Equal(t, register.OverrideSetEffective, shah.Overrides[0].Kind)

	marsh := s.Applications[2]
	require.Len(t, marsh.Medical, 1)
	require.Len(t, marsh.Medical[0].Conditions, 2)
	require.Equal(t, 1, marsh.Medical[0].Restrictions.ExtraBedrooms)

	require.Equal(t, []string{"Stanion", "Gretton"}, s.Applications[3].Connection.LegalAgreementAreas)
	require.Equal(t, "412.50", s.Applications[4].Debt.Amount.StringFixed(2))

	stanion := s.Adverts[3]
	require.Len(t, stanion.LocalLettings, 3)
	require.Equal(t, 3, *stanion.LocalLettings[1].Lte)
	require.Nil(t, stanion.LocalLettings[1].Gte)
	require.True(t, decimal.RequireFromString("131.99").Equal(stanion.WeeklyRent))

	require.Equal(t, 250*time.Millisecond, time.Duration(s.Bids[2].Placed.Nanosecond()))
	require.False(t, s.Bids[5].Live())
	require.NoError(t, snapshot.Validate(s))
}

// TestRead_Bad checks that every bad row of the broken example is reported, in file
// order, with file, line, column, value and reason, and that nothing is returned.
func TestRead_Bad(t *testing.T) {
	s, err := snapshot.Read(badDir)
	require.Nil(t, s)
	var ve *snapshot.ValidationError
	require.True(t, errors.As(err, &ve), "want a *ValidationError, got %v", err)
	var got []string
	for _, e := range ve.Errors {
		got = append(got, e.Error())
	}
	want := []string{
		`notes.csv: -: "": not a snapshot file (see docs/snapshot.md)`,
		`applications.csv:3: status: "actve": want pending, active, suspended or closed`,
		`applications.csv:8: id: "1001": duplicate application id (first at line 2)`,
		`members.csv:5: born: "1985-13-01": want a date YYYY-MM-DD`,
		`members.csv:17: application: "9999": no such application in applications.csv`,
		`medical_conditions.csv:3: severity: "high": want a whole number`,
		`band_history.csv:5: band: "F": want a band A, B, C, D or E`,
		`band_history.csv:8: to: "2019-04-01": before from 2020-11-20`,
		`overrides.csv:3: reason: "": required: an override needs a reason`,
		`landlords.csv:3: nomination_share: "150": want a percentage 0 to 100`,
		`cycles.csv:3: closes: "2025-11-12T23:59:00Z": must be after opens 2025-11-13T00:00:00Z`,
		`adverts.csv:3: cycle: "99": no such cycle in cycles.csv`,
		`adverts.csv:4: landlord: "ha-nobody": no such landlord in landlords.csv`,
		`bids.csv:11: advert: "7001": application already bid on this advert (first at line 3)`,
		`bids.csv:12: advert: "7999": no such advert in adverts.csv`,
		`bids.csv:13: placed: "yesterday": want a time like 2025-04-03T09:30:00Z (RFC 3339)`,
		`bids.csv:13: application: "4242": no such application in applications.csv`,
	}
	require.Equal(t, want, got)
	require.Contains(t, err.Error(), "snapshot: 17 bad values:\n  notes.csv")
}

func TestCanonical_DoesNotShareWithOriginal(t *testing.T) {
	s := snapshottest.Full()
	c := s.Canonical()
	c.Applications[0].Members[0].Name = "changed"
	*c.Adverts[0].LocalLettings[0].Gte = 42
	c.Applications[0].Connection.LegalAgreementAreas[0] = "changed"
	require.Equal(t, snapshottest.Full(), s)
	require.Equal(t, c, c.Canonical(), "canonical form is a fixed point")
}
