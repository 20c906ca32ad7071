package pgstore

import (
	"context"
	"errors"
	"testing"

	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

// TestBoth_FirstErrorStopsTheOther: whichever side fails first, both returns its error
// (not the other's cancellation) once the other, cancelled, has returned.
func TestBoth_FirstErrorStopsTheOther(t *testing.T) {
	t.Parallel()
	bad := errors.New("bad row")
	fails := func(context.Context) error { return bad }
	waits := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	require.Equal(t, bad, both(context.Background(), fails, waits))
	require.Equal(t, bad, both(context.Background(), waits, fails))
	ok := func(context.Context) error { return nil }
	require.NoError(t, both(context.Background(), ok, ok))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, both(ctx, waits, waits), context.Canceled)
}

// TestAttach_RunsOfTheirOwn: each application gets its own run of a child table's rows,
// none a slice with room to append over the next application's rows; one without rows
// keeps nil; a row for an application not read is an error naming the table.
func TestAttach_RunsOfTheirOwn(t *testing.T) {
	t.Parallel()
	apps := []register.Application{{ID: 1}, {ID: 2}, {ID: 4}}
	var c appChildren
	c.members.add(1, register.Member{Name: "a"})
	c.members.add(1, register.Member{Name: "b"})
	c.members.add(4, register.Member{Name: "c"})
	c.medical.add(2, register.MedicalAssessment{ID: 8})
	c.medical.add(2, register.MedicalAssessment{ID: 9})
	c.conditions.add(9, register.Condition{Name: "x"})
	require.NoError(t, c.attach(apps))
	require.Equal(t, []register.Member{{Name: "a"}, {Name: "b"}}, apps[0].Members)
	require.Nil(t, apps[1].Members)
	require.Equal(t, []register.MedicalAssessment{{ID: 8}, {ID: 9, Conditions: []register.Condition{{Name: "x"}}}}, apps[1].Medical)
	apps[0].Members = append(apps[0].Members, register.Member{Name: "new"})
	require.Equal(t, []register.Member{{Name: "c"}}, apps[2].Members)

	c = appChildren{}
	c.history.add(3, register.BandSpell{})
	require.EqualError(t, c.attach([]register.Application{{ID: 1}, {ID: 2}, {ID: 4}}),
		"band_history: row for application 3, not in the register or out of order")
	c = appChildren{}
	c.medical.add(2, register.MedicalAssessment{ID: 8})
	c.conditions.add(7, register.Condition{})
	require.EqualError(t, c.attach([]register.Application{{ID: 2}}),
		"medical_conditions: rows for assessment 7, not among the assessments read or out of order")
}
