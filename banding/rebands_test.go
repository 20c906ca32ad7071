package banding_test

import (
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
)

// TestS3_5_OfficerDateTakesEffectWithoutABandChange: an officer sets an application's
// effective date (an in-force set_effective_date override) while its band stays the
// same: re-assessment writes a spell with that date, so the next close ranks by it. An
// application whose band and date stand is left alone.
func TestS3_5_OfficerDateTakesEffectWithoutABandChange(t *testing.T) {
	cfg := synth.Keyways()
	cfg.Register.Applications = 200
	reg, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		t.Fatal(err)
	}
	asOf := register.DateOf(reg.Cycles[0].Closes)
	// Settle the register first: what re-assessment alone would change.
	base, err := banding.Rebands(reg.Applications, p, asOf, "t")
	if err != nil {
		t.Fatal(err)
	}
	changed := map[int64]bool{}
	for _, c := range base {
		changed[c.Application] = true
	}
	var a *register.Application
	for i := range reg.Applications {
		x := &reg.Applications[i]
		if cur, ok := banding.Current(x.History); ok && !changed[x.ID] && cur.Band != register.NoBand && x.Status == register.StatusActive {
			a = x
			break
		}
	}
	if a == nil {
		t.Fatal("no settled banded application")
	}
	cur, _ := banding.Current(a.History)
	officer := cur.Effective - 400
	a.Overrides = append(a.Overrides, register.Override{Kind: register.OverrideSetEffective, Effective: officer,
		Reason: "review: first application date", By: "officer", On: asOf - 1})
	got, err := banding.Rebands([]register.Application{*a}, p, asOf, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].New.Band != cur.Band || got[0].New.Effective != officer {
		t.Fatalf("re-assessment gives %+v; want band %s effective %s", got, cur.Band, officer)
	}
	// Once written, the same re-assessment changes nothing.
	a.History = got[0].History
	if again, _ := banding.Rebands([]register.Application{*a}, p, asOf, "t"); len(again) != 0 {
		t.Fatalf("a second re-assessment changes %+v", again)
	}
}
