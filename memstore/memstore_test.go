package memstore_test

import (
	"testing"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/conformance"
	"github.com/cbl-lettings/cbl/memstore"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, func(t *testing.T, reg *cbl.Register) cbl.Store { return memstore.New(reg) })
}
