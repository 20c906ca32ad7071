package pgstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/snapshot/snapshottest"
	"github.com/stretchr/testify/require"
)

// TestExport_GeneratedRegisterRoundTrip checks the row-walking reader on a register with
// many applications, each with several members, assessments, spells and bids: what
// Import wrote comes back unchanged.
func TestExport_GeneratedRegisterRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	s := snapshottest.Register(3, 1500, 2, 40)
	require.NoError(t, pgstore.Import(ctx, db, s))
	got, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	require.Equal(t, s.Canonical(), got)
}

// TestExport_EachApplicationFlag sets one boolean column at a time and checks that it,
// and only it, comes back as its field.
func TestExport_EachApplicationFlag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	s := snapshottest.Full()
	require.NoError(t, pgstore.Import(ctx, db, s))
	id := s.Canonical().Applications[0].ID
	fields := map[string]func(a *register.Application) bool{
		"homeowner":                 func(a *register.Application) bool { return a.Home.Homeowner },
		"sharing_facilities":        func(a *register.Application) bool { return a.Home.SharingFacilities },
		"disrepair":                 func(a *register.Application) bool { return a.Home.Disrepair },
		"nn_connection":             func(a *register.Application) bool { return a.Connection.NN },
		"right_to_move":             func(a *register.Application) bool { return a.Connection.RightToMove },
		"immigration_ineligible":    func(a *register.Application) bool { return a.Flags.ImmigrationIneligible },
		"armed_forces":              func(a *register.Application) bool { return a.Flags.ArmedForces },
		"care_leaver":               func(a *register.Application) bool { return a.Flags.CareLeaver },
		"care_leaver_nnc":           func(a *register.Application) bool { return a.Flags.CareLeaverNNC },
		"adult_social_care_move_on": func(a *register.Application) bool { return a.Flags.AdultSocialCareMoveOn },
		"domestic_abuse":            func(a *register.Application) bool { return a.Flags.DomesticAbuse },
		"sheltered_eligible":        func(a *register.Application) bool { return a.Flags.ShelteredEligible },
		"connected":                 func(a *register.Application) bool { return a.Flags.Connected },
		"guarantor":                 func(a *register.Application) bool { return a.Flags.Guarantor },
		"unacceptable_behaviour":    func(a *register.Application) bool { return a.Flags.UnacceptableBehaviour },
		"exceptional_circumstances": func(a *register.Application) bool { return a.Flags.ExceptionalCircumstances },
		"working":                   func(a *register.Application) bool { return a.Flags.Working },
	}
	var cols []string
	for col := range fields {
		cols = append(cols, col+" = false")
	}
	for col := range fields {
		_, err := db.ExecContext(ctx, `UPDATE applications SET `+strings.Join(cols, ", ")+` WHERE id = $1`, id)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `UPDATE applications SET `+col+` = true WHERE id = $1`, id)
		require.NoError(t, err, col)
		got, err := pgstore.Export(ctx, db)
		require.NoError(t, err)
		for other, field := range fields {
			require.Equal(t, other == col, field(&got.Applications[0]), "%s set, %s read", col, other)
		}
	}
}

// TestLoadApplication_ReadsOneAsExportDoes: each application read alone, with all its
// nested rows, is what Export reads for it; one not held is ErrNoApplication.
func TestLoadApplication_ReadsOneAsExportDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	s := snapshottest.Register(5, 200, 1, 10)
	full := snapshottest.Full()
	for _, a := range full.Applications {
		a.ID += 1000 // beside the generated ones
		for j := range a.Medical {
			a.Medical[j].ID += 10_000_000
		}
		s.Applications = append(s.Applications, a)
	}
	require.NoError(t, pgstore.Import(ctx, db, s))
	all, err := pgstore.Export(ctx, db)
	require.NoError(t, err)
	for i := range all.Applications {
		want := &all.Applications[i]
		got, err := pgstore.LoadApplication(ctx, db, want.ID)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}

	_, err = pgstore.LoadApplication(ctx, db, 999999)
	require.ErrorIs(t, err, pgstore.ErrNoApplication)
	require.EqualError(t, err, "application 999999: not in the register")
}
