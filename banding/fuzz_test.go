package banding_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// FuzzAssess feeds arbitrary applications (as JSON) to Assess under both shipped
// policies: it must never panic, and what it returns must be self-consistent.
func FuzzAssess(f *testing.F) {
	if data, err := os.ReadFile("../testdata/banding/review.json"); err == nil {
		var file struct {
			Base json.RawMessage `json:"base"`
		}
		if json.Unmarshal(data, &file) == nil {
			f.Add([]byte(file.Base), int32(register.MustDate("2024-10-04")))
		}
	}
	f.Add([]byte(`{"members":[{"relationship":"applicant","sex":"F","born":"2000-01-01","pregnancy_due":"2026-12-01"},{"relationship":"child","sex":"M","born":"2016-01-01"}],"home":{"bedrooms":1}}`), int32(register.MustDate("2026-05-27")))
	f.Add([]byte(`{"members":[{"sex":"M"}],"medical":[{"id":1,"assessed":"2020-01-01","conditions":[{"severity":3,"impact":3}]}]}`), int32(register.MustDate("2022-01-08")))
	ps := []*policy.Policy{}
	for _, id := range policy.Builtins().IDs() {
		p, err := policy.Builtin(id)
		if err != nil {
			f.Fatal(err)
		}
		ps = append(ps, p)
	}
	f.Fuzz(func(t *testing.T, data []byte, asOf int32) {
		var a register.Application
		if json.Unmarshal(data, &a) != nil {
			return
		}
		for _, p := range ps {
			got, err := banding.Assess(&a, p, register.Date(asOf))
			if err != nil {
				continue
			}
			if got.Qualifies != (len(got.NotQualifying) == 0) {
				t.Fatalf("qualifies=%v with reasons %v", got.Qualifies, got.NotQualifying)
			}
			if !got.Qualifies && got.Band != register.NoBand {
				t.Fatalf("non-qualifying application has band %s", got.Band)
			}
			if got.Bedrooms.Need < 1 || got.Bedrooms.AllowedMin > got.Bedrooms.AllowedMax {
				t.Fatalf("bedrooms %+v", got.Bedrooms)
			}
			if got.Medical.Points > p.Medical.Cap || got.Medical.Points < 0 {
				t.Fatalf("medical points %d outside 0..%d", got.Medical.Points, p.Medical.Cap)
			}
		}
	})
}
