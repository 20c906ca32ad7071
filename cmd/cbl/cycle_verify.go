package main

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/replay"
	"github.com/cbl-lettings/cbl/shortlist"
)

// cycleArg reads a CYCLE argument.
func cycleArg(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("CYCLE %q: want a cycle number", s)
	}
	return id, nil
}

func newCycleVerifyCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "verify CYCLE",
		Short: "Rank a closed cycle again from what its close recorded, and prove it gives the stored shortlists",
		Long: `Read what the cycle's close was ranked from (docs/scheme.md S7.7: every household that
reached a shortlist as it stood then, the cycle's adverts, bids and autobid exclusions,
and the policy), check it against the digest recorded with it, rank it again and compare
the result with the stored shortlists entry for entry. The register as it stands now
plays no part: the cycle verifies the same after any number of weeks of changes.

Prints the cycle, its policy, the inputs' SHA-256 digest, the households, adverts and
entries compared. Exits 1 naming the first difference if the shortlists or the recorded
inputs were changed after the close. Writes nothing.`,
		Example: `  cbl cycle verify 42
  cbl cycle verify 42 -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := cycleArg(args[0])
			if err != nil {
				return err
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			roomyGC(400) // as cycle close
			v, err := pgstore.VerifyCycle(cmd.Context(), db, id)
			if err != nil {
				return err
			}
			if err := app.PrintRows([]pgstore.CycleVerification{*v}); err != nil {
				return err
			}
			if v.Difference != "" {
				return fmt.Errorf("cycle verify %d: %s", id, v.Difference)
			}
			app.Logf("verified: cycle %d's recorded inputs rank to its stored shortlists exactly (%d entries)", id, v.Entries)
			return nil
		},
	}
}

// replayRow is one advert of a cycle ranked again under another policy, beside what
// its close stored.
type replayRow struct {
	Advert       int64  `json:"advert"`
	Bids         int    `json:"bids"`          // entries at the close
	BidsReplay   int    `json:"bids_replay"`   // entries in the replay (autobids may differ)
	Ranked       int    `json:"ranked"`        // at the close
	RankedReplay int    `json:"ranked_replay"` // in the replay
	First        *int64 `json:"first"`         // ranked first at the close, null when none was
	FirstReplay  *int64 `json:"first_replay"`
	Moved        int    `json:"moved"` // households on both whose position or skip differs
}

// moveRow is one household whose place on an advert differs in a replay.
type moveRow struct {
	Advert         int64   `json:"advert"`
	Application    int64   `json:"application"`
	Band           *string `json:"band"` // as ranked at the close; null if none
	BandReplay     *string `json:"band_replay"`
	Position       *int    `json:"position"` // null when skipped
	PositionReplay *int    `json:"position_replay"`
	Skip           string  `json:"skip"`
	SkipReplay     string  `json:"skip_replay"`
}

// moveRows lists, advert by advert, the households on both a stored and a replayed
// shortlist whose position or skip differs, in the replay's order.
func moveRows(stored, got []shortlist.Shortlist) []moveRow {
	was := map[int64]map[int64]shortlist.Entry{}
	for _, sl := range stored {
		m := map[int64]shortlist.Entry{}
		for _, e := range append(slices.Clone(sl.Ranked), sl.Skipped...) {
			m[e.Application] = e
		}
		was[sl.Advert] = m
	}
	rows := []moveRow{}
	for _, sl := range got {
		for _, e := range append(slices.Clone(sl.Ranked), sl.Skipped...) {
			w, ok := was[sl.Advert][e.Application]
			if !ok || (w.Position == e.Position && w.Skip == e.Skip) {
				continue
			}
			rows = append(rows, moveRow{Advert: sl.Advert, Application: e.Application, Band: optBand(w.Band),
				BandReplay: optBand(e.Band), Position: optPos(w.Position), PositionReplay: optPos(e.Position),
				Skip: w.Skip, SkipReplay: e.Skip})
		}
	}
	return rows
}

func optBand(b register.Band) *string {
	if b == register.NoBand {
		return nil
	}
	s := b.String()
	return &s
}

func optPos(p int) *int {
	if p == 0 {
		return nil
	}
	return &p
}

func newCycleReplayCommand(app *App) *cobra.Command {
	var (
		policyArg string
		moves     bool
	)
	cmd := &cobra.Command{
		Use:   "replay CYCLE --policy POLICY",
		Short: "Rank a closed cycle's recorded inputs under another policy: a counterfactual for one real week",
		Long: `Rank what the cycle's close was ranked from (docs/scheme.md S7.7) under POLICY, a
shipped id, id@version or a policy file, and print each advert beside what its close
stored: entries, ranked, the household ranked first, and how many households' position
or skip code moved. The same bids, households and exclusions as the real week; autobids
are placed again under POLICY among the households the close recorded (one that neither
bid nor was autobid that week is not recorded, so cannot be autobid in the replay).
Writes nothing.`,
		Example: `  cbl cycle replay 42 --policy nn-2025-proposed
  cbl cycle replay 42 --policy my-policy.json -o csv > week-42-what-if.csv
  cbl cycle replay 42 --policy my-policy.json --moves -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := cycleArg(args[0])
			if err != nil {
				return err
			}
			if policyArg == "" {
				return usageErrorf("--policy is required (a shipped id or a policy file)")
			}
			p, err := policy.Lookup(policyArg)
			if err != nil {
				return usageErrorf("--policy: %v", err)
			}
			rules, err := bidding.Compile(p)
			if err != nil {
				return err
			}
			db, err := app.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			roomyGC(400) // as cycle close
			in, rec, err := pgstore.CycleInputs(cmd.Context(), db, id)
			if err != nil {
				return err
			}
			stored, err := pgstore.CycleShortlists(cmd.Context(), db, id)
			if err != nil {
				return err
			}
			got, rebands, err := replay.Counterfactual(cmd.Context(), rules, in)
			if err != nil {
				return err
			}
			app.Logf("cycle %d (closed under %s) ranked again under %s: %d of its %d recorded households banded differently",
				id, rec.Policy, p.Name(), len(rebands), rec.Households)
			if moves {
				return app.PrintRows(moveRows(stored, got.Shortlists))
			}
			return app.PrintRows(replayRows(stored, got.Shortlists))
		},
	}
	cmd.Flags().StringVar(&policyArg, "policy", "", "the policy to rank under: a shipped id, id@version or a policy file")
	cmd.Flags().BoolVar(&moves, "moves", false, "list each household whose position or skip moved, with its band before and after, instead of a row per advert")
	return cmd
}

// replayRows sets each advert's replayed shortlist beside its stored one.
func replayRows(stored, got []shortlist.Shortlist) []replayRow {
	byAdvert := map[int64]*shortlist.Shortlist{}
	for i := range got {
		byAdvert[got[i].Advert] = &got[i]
	}
	moved := map[int64]int{}
	for _, m := range moveRows(stored, got) {
		moved[m.Advert]++
	}
	rows := make([]replayRow, 0, len(stored))
	for _, s := range stored {
		r := replayRow{Advert: s.Advert, Bids: len(s.Ranked) + len(s.Skipped), Ranked: len(s.Ranked), Moved: moved[s.Advert]}
		if len(s.Ranked) > 0 {
			r.First = optID(s.Ranked[0].Application)
		}
		if g := byAdvert[s.Advert]; g != nil {
			r.BidsReplay, r.RankedReplay = len(g.Ranked)+len(g.Skipped), len(g.Ranked)
			if len(g.Ranked) > 0 {
				r.FirstReplay = optID(g.Ranked[0].Application)
			}
		}
		rows = append(rows, r)
	}
	return rows
}
