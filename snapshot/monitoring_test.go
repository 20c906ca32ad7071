package snapshot_test

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

// copyWithApplications copies the small example to a new directory, replacing
// applications.csv by edit's result on its records (header first).
func copyWithApplications(t *testing.T, edit func([][]string) [][]string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(smallDir)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(smallDir, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600))
	}
	f, err := os.Open(filepath.Join(smallDir, snapshot.FileApplications))
	require.NoError(t, err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	out, err := os.Create(filepath.Join(dir, snapshot.FileApplications))
	require.NoError(t, err)
	w := csv.NewWriter(out)
	require.NoError(t, w.WriteAll(edit(recs)))
	require.NoError(t, out.Close())
	return dir
}

// A snapshot written before equality monitoring (no ethnic_group, disability or
// economic_status column) still reads: the same register, with nothing recorded.
func TestRead_SnapshotWithoutMonitoringColumns(t *testing.T) {
	want, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	require.Equal(t, register.EthnicWhiteBritish, want.Applications[0].Monitoring.EthnicGroup, "the example records monitoring data")
	dir := copyWithApplications(t, func(recs [][]string) [][]string {
		for i := range recs {
			recs[i] = recs[i][:len(recs[i])-3] // the three monitoring columns are last
		}
		return recs
	})
	got, err := snapshot.Read(dir)
	require.NoError(t, err)
	for i := range want.Applications {
		want.Applications[i].Monitoring = register.Monitoring{}
	}
	require.Equal(t, want, got)
}

func TestRead_BadMonitoringValuesAreNamed(t *testing.T) {
	dir := copyWithApplications(t, func(recs [][]string) [][]string {
		n := len(recs[0])
		recs[1][n-3] = "white"         // ethnic_group: a broad group, not a Census group
		recs[2][n-2] = "Y"             // disability
		recs[3][n-1] = "self_employed" // economic_status: not a CORE category
		recs[4][n-3] = "White British" // the label, not the code
		return recs
	})
	_, err := snapshot.Read(dir)
	var ve *snapshot.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	lines := ve.Lines()
	require.Len(t, lines, 4, "%v", lines)
	require.Contains(t, lines[0], `applications.csv:2: ethnic_group: "white": want empty or a 2021 Census group: white_british, white_irish`)
	require.Contains(t, lines[1], `applications.csv:3: disability: "Y": want empty, yes, no or prefer_not_to_say`)
	require.Contains(t, lines[2], `applications.csv:4: economic_status: "self_employed": want empty or full_time, part_time`)
	require.Contains(t, lines[3], `applications.csv:5: ethnic_group: "White British": want empty or a 2021 Census group`)
}

func TestHouseholdTypeOf_SmallExample(t *testing.T) {
	s, err := snapshot.Read(smallDir)
	require.NoError(t, err)
	on := register.MustDate("2025-11-01")
	var got []register.HouseholdType
	for i := range s.Applications {
		got = append(got, register.HouseholdTypeOf(&s.Applications[i], on))
	}
	// 1001 mother and two children; 1002 couple, two children; 1003 alone; 1004 alone;
	// 1005 mother and a 16-year-old; 1006 couple, a 17- and a 12-year-old.
	require.Equal(t, []register.HouseholdType{register.HouseholdLoneParent, register.HouseholdCoupleWithChildren,
		register.HouseholdSingle, register.HouseholdSingle, register.HouseholdLoneParent,
		register.HouseholdCoupleWithChildren}, got)
	// Kit Kerr turns 18 on 2027-06-06: then Jo and Kit are two adults, "other".
	require.Equal(t, register.HouseholdOther, register.HouseholdTypeOf(&s.Applications[4], register.MustDate("2027-06-06")))
}
