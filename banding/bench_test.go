package banding_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

// benchRegister makes n distinct applications with a spread of households, flags and
// medical assessments (seeded), so each iteration assesses a different application.
func benchRegister(n int, seed uint64) []register.Application {
	r := rand.New(rand.NewPCG(seed, 1))
	apps := make([]register.Application, n)
	sex := func() register.Sex {
		if r.IntN(2) == 0 {
			return register.Female
		}
		return register.Male
	}
	for i := range apps {
		a := &apps[i]
		a.ID = int64(i + 1)
		a.Registered = day.AddDays(-r.IntN(6 * 365))
		a.Status = register.StatusActive
		a.Members = []register.Member{{Relationship: register.RelApplicant, Sex: sex(), Born: day.AddDays(-(18*365 + r.IntN(60*365)))}}
		if r.IntN(3) == 0 {
			a.Members = append(a.Members, register.Member{Relationship: register.RelPartner, Sex: sex(), Born: day.AddDays(-(20*365 + r.IntN(40*365)))})
		}
		for k := r.IntN(4); k > 0 && r.IntN(2) == 0; k-- {
			a.Members = append(a.Members, register.Member{Relationship: register.RelChild, Sex: sex(), Born: day.AddDays(-r.IntN(17 * 365))})
		}
		a.Home = register.CurrentHome{Bedrooms: 1 + r.IntN(3), Tenure: []register.Tenure{register.TenurePrivate, register.TenureSocial, register.TenureFamily, register.TenureTemporary}[r.IntN(4)],
			SharingFacilities: r.IntN(5) == 0, Disrepair: r.IntN(50) == 0}
		a.Connection = register.LocalConnection{NN: r.IntN(10) != 0}
		a.Flags = register.Flags{DomesticAbuse: r.IntN(30) == 0, ShelteredEligible: r.IntN(8) == 0, CareLeaver: r.IntN(60) == 0}
		if r.IntN(4) == 0 {
			a.Medical = []register.MedicalAssessment{{ID: int64(i), Requested: day.AddDays(-100), Assessed: day.AddDays(-50),
				Conditions: []register.Condition{{Name: "c", Severity: r.IntN(4), Impact: r.IntN(4)}}}}
		}
		a.Area = "Corby"
	}
	return apps
}

// BenchmarkAssess assesses a 100k-application register; ns/op is per application.
func BenchmarkAssess(b *testing.B) {
	for _, id := range []string{"nn-2021", "nn-2025-proposed"} {
		b.Run(id, func(b *testing.B) {
			p := nn2021(b)
			if id != "nn-2021" {
				p = mustPolicy(b, id)
			}
			apps := benchRegister(100_000, 42)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := banding.Assess(&apps[i%len(apps)], p, day); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
