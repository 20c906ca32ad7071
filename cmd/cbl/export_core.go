package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/corereturn"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/spf13/cobra"
)

// coreKeyEnv names the environment variable holding the CORE pseudonymisation secret
// when --key-file is not given.
const coreKeyEnv = "CBL_CORE_KEY"

func newExportCoreCommand(app *App) *cobra.Command {
	var from, to, keyFile string
	cmd := &cobra.Command{
		Use:   "core --from D --to D OUT.csv",
		Short: "Write the CORE lettings return: one row per let in the period",
		Long: `Write OUT.csv with one row per home let from --from to --to (both included) and
every field of the national CORE lettings log the register can fill: the letting, the
property, each household member's age and sex, ethnic group, economic status and
disability where recorded, reasonable preference reasons, band, time on the register,
homelessness and the referral route (CBL, nomination or direct let). docs/core.md maps
every column to its source and lists the CORE fields the register cannot fill.

No name, date of birth or application number is written: households and adverts are
named by a keyed hash (HMAC-SHA256) under a secret the council holds, read from
--key-file or else the CBL_CORE_KEY environment variable (at least 16 bytes; e.g.
openssl rand -hex 32 > core.key). The same key gives the same codes in every return;
the secret is never printed. OUT.csv is created readable by you only (0600).`,
		Example: `  cbl export core --from 2025-04-01 --to 2026-03-31 --key-file /secure/core.key core-2025-26.csv
  CBL_CORE_KEY=... cbl export core --from 2026-01-01 --to 2026-01-31 core-jan.csv`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || to == "" {
				return usageErrorf("give the period: --from D --to D")
			}
			f, err := dayFlag("--from", from, 0)
			if err != nil {
				return err
			}
			t, err := dayFlag("--to", to, 0)
			if err != nil {
				return err
			}
			if f > t {
				return usageErrorf("--from %s is after --to %s", f, t)
			}
			key, err := coreKey(keyFile)
			if err != nil {
				return err
			}
			ps, err := corereturn.NewPseudonymiser(key)
			if err != nil {
				return usageErrorf("%v", err)
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			in, res, err := pgstore.LoadLets(cmd.Context(), db)
			if err != nil {
				return err
			}
			adverts := map[int64]bidding.Advert{}
			for _, a := range in.Adverts {
				adverts[a.ID] = a
			}
			landlords := map[string]bidding.Landlord{}
			for _, l := range in.Landlords {
				landlords[l.ID] = l
			}
			var ls []corereturn.Letting
			for _, l := range res.Lets {
				if l.On < f || l.On > t {
					continue
				}
				a, err := pgstore.LoadApplication(cmd.Context(), db, l.Application)
				if err != nil {
					return err
				}
				ls = append(ls, corereturn.Letting{Let: l, Advert: adverts[l.Advert], Landlord: landlords[l.Landlord], Application: *a})
			}
			if err := writeCoreReturn(args[0], ls, ps); err != nil {
				return err
			}
			app.Logf("%d let(s) from %s to %s written to %s", len(ls), f, t, args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD")
	cmd.Flags().StringVar(&keyFile, "key-file", "", "file holding the pseudonymisation secret (default $"+coreKeyEnv+")")
	return cmd
}

// coreKey reads the secret from path, else from $CBL_CORE_KEY. A file's trailing line
// break is not part of the secret. Errors never include it.
func coreKey(path string) ([]byte, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("--key-file %s: %w", path, pe.Err)
			}
			return nil, fmt.Errorf("--key-file %s: cannot read it", path)
		}
		return []byte(strings.TrimRight(string(data), "\r\n")), nil
	}
	if v := os.Getenv(coreKeyEnv); v != "" {
		return []byte(v), nil
	}
	return nil, usageErrorf("no pseudonymisation secret: give --key-file PATH or set %s (docs/core.md)", coreKeyEnv)
}

// writeCoreReturn writes the return to path, created (or truncated and set) 0600: it is
// pseudonymised, but ages, sexes and ethnic groups of small households in small places
// can still point to people.
func writeCoreReturn(path string, ls []corereturn.Letting, ps *corereturn.Pseudonymiser) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, snapshot.PrivateFile)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if err := f.Chmod(snapshot.PrivateFile); err != nil {
		return err
	}
	return corereturn.Write(f, ls, ps)
}
