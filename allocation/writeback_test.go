package allocation_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/register"
	"github.com/stretchr/testify/require"
)

// WriteBack leaves each application as the last step that changed it left it, copies
// what it writes (a later change to a step does not reach the register), and leaves
// applications no step changed, and steps' applications not in the register, alone.
func TestWriteBack_LastStepWinsAndIsCopied(t *testing.T) {
	app := func(id int64, status register.Status, refusals int) register.Application {
		a := register.Application{ID: id, Status: status}
		for range refusals {
			a.Refusals = append(a.Refusals, register.Refusal{Advert: 1, Kind: register.RefusedOffer})
		}
		return a
	}
	apps := []register.Application{app(1, register.StatusActive, 0), app(2, register.StatusActive, 0), app(3, register.StatusActive, 0)}
	steps := []*allocation.Step{
		{Applications: []allocation.Change{{After: app(2, register.StatusSuspended, 1)}, {After: app(9, register.StatusClosed, 0)}}},
		{Applications: []allocation.Change{{After: app(3, register.StatusClosed, 1)}}},
		{Applications: []allocation.Change{{After: app(2, register.StatusClosed, 2)}}},
	}
	allocation.WriteBack(apps, steps)
	require.Equal(t, []register.Application{app(1, register.StatusActive, 0), app(2, register.StatusClosed, 2),
		app(3, register.StatusClosed, 1)}, apps)
	steps[2].Applications[0].After.Refusals[0].Kind = register.RefusedNoReply
	require.Equal(t, register.RefusedOffer, apps[1].Refusals[0].Kind, "the register holds a copy")
	allocation.WriteBack(apps, nil)
	require.Len(t, apps, 3)
}
