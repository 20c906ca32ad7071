package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cbl-lettings/cbl"
	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/letters"
	"github.com/cbl-lettings/cbl/memstore"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/spf13/cobra"
)

// bidExplanation is what explain --advert prints: one bid's place on the stored shortlist.
type bidExplanation struct {
	Application int64                 `json:"application"`
	Advert      int64                 `json:"advert"`
	Position    int                   `json:"position,omitempty"`
	Of          int                   `json:"of"`
	Skip        string                `json:"skip,omitempty"`
	Check       string                `json:"check,omitempty"`
	Clause      string                `json:"clause,omitempty"`
	Ahead       map[register.Band]int `json:"ahead,omitempty"`
	Trace       json.RawMessage       `json:"trace"`
}

func newExplainCommand(app *App) *cobra.Command {
	var advert int64
	var letter bool
	var dir, asOf, policyName string
	cmd := &cobra.Command{
		Use:   "explain APP",
		Short: "Explain an application's band, or one bid's shortlist position; --letter writes it in plain English",
		Long: `Print, as JSON, application APP's band assessment (banding.Explain: every rule the
policy checked, whether it applied and the facts it read), as of --as-of (default today).
The application is as it stands after the recorded decisions (a refused final offer may
have withdrawn a criterion), read alone from the register tables they are written back
to; with --register DIR it is read from that snapshot instead, without the database.
With --advert, print instead the bid's position on the advert's stored shortlist (or its
skip reason), how many were ranked ahead by band, and the trace stored at cycle close;
with --register DIR, the advert's cycle is closed in memory from the snapshot, as
cbl shortlist show --register does.
With --letter, write the applicant's letter (plain English): the band and why, the band
effective date and, with --advert, the place on the shortlist.
The JSON does not depend on --output.`,
		Example: `  cbl explain 1002 --advert 7001 --letter
  cbl explain 1001 --register testdata/snapshot/small --as-of 2025-11-12
  cbl explain 1001 --register testdata/snapshot/small --policy my-policy.json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs([]string{"APP"}, args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			// The band is explained unless --advert prints the bid alone.
			band := advert == 0 || letter
			var a *register.Application
			var p *policy.Policy
			if band {
				// Through cbl.Store: the application as it stands (the database's register
				// tables, where decisions are written back; or the snapshot), read alone.
				st, done, err := app.openStore(ctx, dir)
				if err != nil {
					return err
				}
				a, err = st.Application(ctx, ids[0])
				if err != nil && !errors.Is(err, cbl.ErrNoApplication) {
					done()
					return err
				}
				if policyName == "" {
					if p, err = st.Policy(ctx); err != nil {
						done()
						if dir != "" {
							return fmt.Errorf("%s: %w (name one with --policy)", dir, err)
						}
						return err
					}
				}
				done()
			}
			if advert != 0 {
				// The bid's place, through cbl.Store: the stored shortlist, or with
				// --register the advert's cycle closed in memory from the snapshot.
				st, done, err := app.openStore(ctx, dir)
				if err != nil {
					return err
				}
				defer done()
				if mem, ok := st.(*memstore.Store); ok {
					if held, err := mem.CloseCycleOf(ctx, advert, "cbl"); err != nil {
						return err
					} else if !held {
						return fmt.Errorf("%s: advert %d: %w", dir, advert, pgstore.ErrNotFound)
					}
				}
				bp, err := bidPosition(ctx, st, advert, ids[0])
				if err != nil {
					return err
				}
				if !letter {
					return printJSON(app, bidExplanation{Application: ids[0], Advert: advert, Position: bp.Entry.Position,
						Of: bp.Of, Skip: bp.Entry.Skip, Check: bp.Entry.Check, Clause: bp.Entry.Clause,
						Ahead: bp.Ahead, Trace: bp.Trace})
				}
				pos := &letters.Position{Advert: advert, Position: bp.Entry.Position, Of: bp.Of, Skip: bp.Entry.Skip, Ahead: bp.Ahead}
				if bp.Entry.Skip != "" {
					// Saying concretely why ("a 3-bedroom home; you may bid for 2") needs the
					// advert and the decisions that skipped the bid.
					sf, err := app.skipFactsOf(ctx, st, bp, ids[0], advert)
					if err != nil {
						return err
					}
					pos.Home, pos.Reason = sf.Home, letters.SkipReason(sf)
				}
				return app.explainBand(a, ids[0], p, asOf, policyName, true, pos)
			}
			return app.explainBand(a, ids[0], p, asOf, policyName, letter, nil)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&advert, "advert", 0, "explain the application's bid on this advert (from its stored shortlist)")
	f.BoolVar(&letter, "letter", false, "write the applicant's letter in plain English instead of JSON")
	f.StringVar(&dir, "register", "", "read the application from the snapshot in DIR (read-only) for the band")
	f.StringVar(&asOf, "as-of", "", "assess as of this day, YYYY-MM-DD (default today)")
	f.StringVar(&policyName, "policy", "", "assess under this policy (a shipped id or id@version, or a policy file; default the latest closed cycle's, with --register the latest cycle's)")
	return cmd
}

// explainBand assesses application id (a, nil if not found) under p (or --policy) as of
// asOf (default today in p's time zone, else UTC) and prints the explanation as JSON, or
// the letter with the bid's position pos.
func (app *App) explainBand(a *register.Application, id int64, p *policy.Policy, asOf, policyName string,
	letter bool, pos *letters.Position) error {
	if a == nil {
		return fmt.Errorf("application %d: %w", id, pgstore.ErrNoApplication)
	}
	day := p.Day(app.now()) // a nil p counts in UTC
	if asOf != "" {
		d, err := register.ParseDate(asOf)
		if err != nil {
			return usageErrorf("--as-of %q: want YYYY-MM-DD", asOf)
		}
		if err := register.UpTo(app.now(), register.PlanAhead).CheckDate(d); err != nil {
			return usageErrorf("--as-of %v", err)
		}
		day = d
	}
	if policyName != "" {
		var err error
		if policy.IsFileRef(policyName) {
			p, err = policy.ReadFile(policyName)
		} else {
			p, err = pgstore.PolicyByName(policyName, day)
		}
		if err != nil {
			return usageErrorf("--policy: %v", err)
		}
	}
	as, err := banding.Assess(a, p, day)
	if err != nil {
		return fmt.Errorf("assess application %d: %w", a.ID, err)
	}
	e := banding.Explain(as, p)
	if !letter {
		return printJSON(app, e)
	}
	spell, _ := banding.Current(a.History)
	_, err = fmt.Fprint(app.Stdout, letters.Band(letters.Frame{Date: day, Application: a.ID, Policy: p}, e, spell, pos))
	return err
}

// findApplication returns application id from changed, else from apps (nil if in
// neither): over a State's Result and Input, the application as the replay leaves it.
func findApplication(apps, changed []register.Application, id int64) *register.Application {
	for _, list := range [][]register.Application{changed, apps} {
		for i := range list {
			if list[i].ID == id {
				return &list[i]
			}
		}
	}
	return nil
}

func printJSON(app *App, v any) error {
	enc := json.NewEncoder(app.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// bidPosition is app's entry on advert's shortlist held by st, how many were ranked, how
// many ranked ahead of it by band, and its trace.
func bidPosition(ctx context.Context, st cbl.Store, advert, app int64) (*pgstore.BidPosition, error) {
	sl, err := st.Shortlist(ctx, advert)
	if err != nil {
		return nil, err
	}
	bp := &pgstore.BidPosition{Of: len(sl.Ranked)}
	found := false
	for _, e := range slices.Concat(sl.Ranked, sl.Skipped) {
		if e.Application == app {
			bp.Entry, found = e, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("advert %d: application %d did not bid", advert, app)
	}
	if bp.Entry.Position > 0 {
		bp.Ahead = map[register.Band]int{}
		for _, e := range sl.Ranked[:bp.Entry.Position-1] {
			bp.Ahead[e.Band]++
		}
	}
	if bp.Trace, err = st.Trace(ctx, advert, app); err != nil {
		return nil, err
	}
	return bp, nil
}

// skipFactsOf gathers what a letter says about a skipped bid from the store: the
// database's state as kept (with the decisions that skipped it), or the snapshot's
// register.
func (app *App) skipFactsOf(ctx context.Context, st cbl.Store, bp *pgstore.BidPosition, id, advert int64) (letters.SkipFacts, error) {
	if pg, ok := st.(*pgstore.Store); ok {
		state, err := pgstore.LoadState(ctx, pg.DB)
		if err != nil {
			return letters.SkipFacts{}, err
		}
		return skipFacts(state, bp, id, advert)
	}
	reg, err := st.Register(ctx)
	if err != nil {
		return letters.SkipFacts{}, err
	}
	p, err := pgstore.LatestPolicy(reg.Cycles)
	if err != nil {
		return letters.SkipFacts{}, err
	}
	return skipFacts(&pgstore.State{Input: &allocation.Input{Policy: p, Adverts: reg.Adverts}}, bp, id, advert)
}
