package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/allocation"
	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/letters"
	"github.com/cbl-lettings/cbl/pgstore"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/spf13/cobra"
)

// letterKinds are the letters cbl letter writes, in the order of an application's life.
var letterKinds = []string{"band", "skipped", "offer", "offer-withdrawn", "refusal", "closure", "discharge", "review"}

func newLetterCommand(app *App) *cobra.Command {
	var advert int64
	var asOf, replyBy string
	var final bool
	cmd := &cobra.Command{
		Use:   "letter KIND APP",
		Short: "Write the applicant's letter about a decision, in plain English",
		Long: `Write application APP's letter about one decision, from the register and the
decision record (replayed as cbl decisions does). KIND is one of:

  band             the band and why, or why the application does not qualify (as explain --letter)
  skipped          a bid not considered (--advert): at cycle close, or skipped at verification
  offer            the latest offer of a home (--advert to choose one; --reply-by, --final)
  offer-withdrawn  the latest offer withdrawn
  refusal          the latest refusal an officer counted, and what another would do
  closure          the application closed after counted refusals
  discharge        the homelessness duty ended by a refused final offer
  review           the outcome of the latest decided review

The letter is dated --as-of (default today in the scheme's time zone). Letters give dates
in words, no reason codes or rule ids, and the right to ask for a review within the
policy's days (S9.4) wherever it applies. docs/letters.md shows one of each.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := args[0]
			if !slices.Contains(letterKinds, kind) {
				return usageErrorf("%q is not a letter kind; valid: %s", kind, strings.Join(letterKinds, ", "))
			}
			ids, err := parseIDs([]string{"APP"}, args[1:])
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := app.Open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if kind == "band" {
				p, err := pgstore.AllocationPolicy(ctx, db)
				if err != nil {
					return err
				}
				a, err := pgstore.LoadApplication(ctx, db, ids[0])
				if err != nil {
					return err
				}
				return app.explainBand(a, ids[0], p, asOf, "", true, nil)
			}
			st, err := pgstore.LoadState(ctx, db)
			if err != nil {
				return err
			}
			w := &letterWriter{st: st, app: ids[0], advert: advert, final: final}
			if w.a = findApplication(st.Input.Applications, st.Result.Applications, ids[0]); w.a == nil {
				return fmt.Errorf("application %d: %w", ids[0], pgstore.ErrNoApplication)
			}
			if w.day, err = letterDay(asOf, st.Input.Policy, app.now()); err != nil {
				return err
			}
			if replyBy != "" {
				if w.replyBy, err = register.ParseDate(replyBy); err != nil {
					return usageErrorf("--reply-by %q: want YYYY-MM-DD", replyBy)
				}
			}
			if kind == "skipped" {
				if advert == 0 {
					return usageErrorf("letter skipped needs --advert")
				}
				bp, err := pgstore.LoadBidPosition(ctx, db, advert, ids[0])
				if err != nil {
					return err
				}
				w.bid = bp
			}
			text, err := w.write(kind)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(app.Stdout, text)
			return err
		},
	}
	f := cmd.Flags()
	f.Int64Var(&advert, "advert", 0, "the advert the letter is about (skipped: required; offer and the rest: default the latest)")
	f.StringVar(&asOf, "as-of", "", "date the letter this day, YYYY-MM-DD (default today)")
	f.StringVar(&replyBy, "reply-by", "", "offer: the last day to answer, YYYY-MM-DD (default: as soon as possible)")
	f.BoolVar(&final, "final", false, "offer: a final offer under a homeless duty")
	return cmd
}

// letterDay parses --as-of, or gives p's day at now.
func letterDay(asOf string, p *policy.Policy, now time.Time) (register.Date, error) {
	if asOf == "" {
		return p.Day(now), nil
	}
	d, err := register.ParseDate(asOf)
	if err != nil {
		return 0, usageErrorf("--as-of %q: want YYYY-MM-DD", asOf)
	}
	return d, nil
}

// letterWriter finds, in the replayed record, the facts one letter needs.
type letterWriter struct {
	st      *pgstore.State
	a       *register.Application // as it now stands
	app     int64
	advert  int64
	day     register.Date
	replyBy register.Date
	final   bool
	bid     *pgstore.BidPosition
}

func (w *letterWriter) frame() letters.Frame {
	return letters.Frame{Date: w.day, Application: w.app, Policy: w.st.Input.Policy}
}

func (w *letterWriter) home(id int64) (*bidding.Advert, error) {
	for i := range w.st.Input.Adverts {
		if w.st.Input.Adverts[i].ID == id {
			return &w.st.Input.Adverts[i], nil
		}
	}
	return nil, fmt.Errorf("advert %d is not in the register", id)
}

// latestOffer is the application's latest offer (on --advert if set) whose outcome
// passes keep.
func (w *letterWriter) latestOffer(keep func(o *allocation.Offer) bool, what string) (*allocation.Offer, error) {
	var found *allocation.Offer
	for i := range w.st.Result.Offers {
		o := &w.st.Result.Offers[i]
		if o.Application == w.app && (w.advert == 0 || o.Advert == w.advert) && keep(o) {
			found = o
		}
	}
	if found == nil {
		return nil, fmt.Errorf("application %d has no %s in the decision record", w.app, what)
	}
	return found, nil
}

// counted returns the days of the application's counted refusals in the policy's window
// ending on day (inclusive), oldest first.
func (w *letterWriter) counted(day register.Date) []register.Date {
	from := day.AddMonths(-w.st.Input.Policy.Refusals.WindowMonths)
	var out []register.Date
	for _, r := range w.a.Refusals {
		if r.Counted && r.On > from && r.On <= day {
			out = append(out, r.On)
		}
	}
	slices.Sort(out)
	return out
}

// bandOn is the band the application held on day d by its band history.
func (w *letterWriter) bandOn(d register.Date) register.Band {
	for i := len(w.a.History) - 1; i >= 0; i-- {
		s := w.a.History[i]
		if s.From <= d && (s.To.IsZero() || d < s.To) {
			return s.Band
		}
	}
	return register.NoBand
}

func (w *letterWriter) write(kind string) (string, error) {
	f := w.frame()
	switch kind {
	case "skipped":
		return w.skipped(f)
	case "offer":
		o, err := w.latestOffer(func(*allocation.Offer) bool { return true }, "offer")
		if err != nil {
			return "", err
		}
		h, err := w.home(o.Advert)
		if err != nil {
			return "", err
		}
		facts := letters.OfferFacts{Home: h, Made: o.Made, ReplyBy: w.replyBy, Final: w.final, Counted: w.counted(o.Made - 1)}
		if o.Landlord {
			facts.Landlord = w.landlordName(h.Landlord)
		}
		return letters.Offer(f, facts), nil
	case "offer-withdrawn":
		o, err := w.latestOffer(func(o *allocation.Offer) bool { return o.Outcome == allocation.OfferWithdrawn }, "withdrawn offer")
		if err != nil {
			return "", err
		}
		h, err := w.home(o.Advert)
		if err != nil {
			return "", err
		}
		facts := letters.WithdrawnFacts{Home: h, Made: o.Made, On: o.Resolved}
		for _, d := range w.st.Decisions {
			if d.Kind == allocation.Withdraw && d.Advert == o.Advert && (d.Application == 0 || d.Application == w.app) && d.On == o.Resolved {
				facts.Code, facts.Note = d.Code, d.Reason
			}
		}
		return letters.OfferWithdrawn(f, facts), nil
	case "refusal":
		o, err := w.latestOffer(func(o *allocation.Offer) bool { return o.Counted }, "counted refusal")
		if err != nil {
			return "", err
		}
		h, err := w.home(o.Advert)
		if err != nil {
			return "", err
		}
		return letters.RefusalCounted(f, letters.RefusalFacts{Home: h, On: o.Resolved,
			Kind: register.RefusalKind(o.Outcome), Counted: w.counted(o.Resolved)}), nil
	case "closure", "discharge":
		want := allocation.SanctionClosed
		if kind == "discharge" {
			want = allocation.SanctionDischarge
		}
		var s *allocation.Sanction
		for i := range w.st.Result.Sanctions {
			if x := &w.st.Result.Sanctions[i]; x.Application == w.app && x.Kind == want {
				s = x
			}
		}
		if s == nil {
			return "", fmt.Errorf("application %d has no %s in the decision record", w.app, strings.ReplaceAll(want, "_", " "))
		}
		if kind == "closure" {
			return w.closure(f, s)
		}
		return w.discharge(f, s)
	case "review":
		var r *allocation.Review
		for i := range w.st.Result.Reviews {
			if x := &w.st.Result.Reviews[i]; x.Application == w.app && (x.Outcome != "" || !x.Decided.IsZero()) {
				r = x
			}
		}
		if r == nil {
			return "", fmt.Errorf("application %d has no decided review in the decision record", w.app)
		}
		facts := letters.ReviewFacts{Subject: r.Subject, Of: r.Of, Requested: r.Requested, Decided: r.Decided,
			Outcome: r.Outcome, Reason: r.Reason, Band: w.bandOn(r.Decided)}
		if cur, ok := banding.Current(w.a.History); ok {
			facts.Effective = cur.Effective
		}
		if r.Advert != 0 {
			facts.Home, _ = w.home(r.Advert)
		}
		return letters.ReviewOutcome(f, facts), nil
	}
	return "", usageErrorf("%q is not a letter kind; valid: %s", kind, strings.Join(letterKinds, ", "))
}

func (w *letterWriter) landlordName(id string) string {
	for _, l := range w.st.Input.Landlords {
		if l.ID == id && l.Name != "" {
			return l.Name
		}
	}
	return ""
}

// skipped writes the letter about the bid on --advert that was not considered.
func (w *letterWriter) skipped(f letters.Frame) (string, error) {
	s, err := skipFacts(w.st, w.bid, w.app, w.advert)
	if err != nil {
		return "", err
	}
	if s.Code == "" {
		return "", fmt.Errorf("application %d's bid on advert %d was not skipped (position %d)", w.app, w.advert, w.bid.Entry.Position)
	}
	return letters.Skipped(f, s), nil
}

// skipFacts finds why application app's bid on advert was not considered: skipped at
// verification or by the landlord during the walk (the code and note recorded), else
// skipped at cycle close (the stored entry, with the household's facts from its trace).
// Code is empty when the bid was not skipped.
func skipFacts(st *pgstore.State, bp *pgstore.BidPosition, app, advert int64) (letters.SkipFacts, error) {
	var h *bidding.Advert
	for i := range st.Input.Adverts {
		if st.Input.Adverts[i].ID == advert {
			h = &st.Input.Adverts[i]
		}
	}
	if h == nil {
		return letters.SkipFacts{}, fmt.Errorf("advert %d is not in the register", advert)
	}
	s := letters.SkipFacts{Home: h, Code: bp.Entry.Skip, Check: bp.Entry.Check, Note: bp.Entry.Note}
	for _, d := range st.Decisions {
		if (d.Kind == allocation.VerifySkip || d.Kind == allocation.LandlordReject) && d.Advert == advert && d.Application == app {
			s.Code, s.Check, s.Note = d.Code, "", d.Reason
		}
	}
	var tr shortlist.Trace
	if err := json.Unmarshal(bp.Trace, &tr); err == nil {
		s.AllowedMin, s.AllowedMax, s.Age = tr.Facts.BedroomsAllowed[0], tr.Facts.BedroomsAllowed[1], tr.Facts.Age
	}
	s.MinAge = h.MinAgeFor(st.Input.Policy.Properties.ShelteredMinAge)
	return s, nil
}

func (w *letterWriter) closure(f letters.Frame, s *allocation.Sanction) (string, error) {
	c := letters.ClosureFacts{On: s.On, Until: s.Until}
	for _, id := range s.Adverts {
		h, err := w.home(id)
		if err != nil {
			return "", err
		}
		on := s.On
		for _, r := range w.a.Refusals {
			if r.Advert == id && r.Counted {
				on = r.On
			}
		}
		c.Refused = append(c.Refused, letters.RefusedHome{Home: h, On: on})
	}
	return letters.Closure(f, c), nil
}

func (w *letterWriter) discharge(f letters.Frame, s *allocation.Sanction) (string, error) {
	d := letters.DischargeFacts{On: s.On, Before: w.bandOn(s.On - 1), After: w.bandOn(s.On)}
	if len(s.Adverts) > 0 {
		h, err := w.home(s.Adverts[len(s.Adverts)-1])
		if err != nil {
			return "", err
		}
		d.Home = h
	}
	for _, id := range s.Criteria {
		for _, c := range w.st.Input.Policy.Criteria {
			if c.ID == id {
				d.Withdrawn = append(d.Withdrawn, c.Label)
			}
		}
	}
	return letters.DutyDischarge(f, d), nil
}
