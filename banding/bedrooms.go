package banding

import (
	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Unborn is the member index a Room uses for an unborn child.
const Unborn = -1

// Room is one bedroom of the need and who is in it. Members are indexes into
// Application.Members (Unborn for an unborn child).
type Room struct {
	Members []int  `json:"members"`
	Why     string `json:"why"`
}

// Bedrooms is the household's bedroom need and the pairing that produced it (S5.1–S5.4).
type Bedrooms struct {
	HouseholdType     string `json:"household_type"`
	DependentChildren bool   `json:"dependent_children"`
	Rooms             []Room `json:"rooms"`
	ExtraForMedical   int    `json:"extra_for_medical,omitempty"`
	Need              int    `json:"need"`
	Current           int    `json:"current"`
	Shortfall         int    `json:"shortfall"`
	// AllowedMin and AllowedMax are the sizes the household may bid for.
	AllowedMin int `json:"allowed_min"`
	AllowedMax int `json:"allowed_max"`
}

type child struct {
	idx  int           // member index or Unborn
	born register.Date // for the unborn, the due date
	age  int
	sex  register.Sex // "" for the unborn
}

// BedroomNeed applies the Keyways bedroom rule: one room for the applicant and partner;
// two children under rules.ShareAnySexUnder share whatever their sex; two children of the
// same sex share unless the age gap is rules.SameSexGapYears or more and the elder is
// rules.SameSexGapElderMinAge or over; anyone else aged rules.AdultAge or over has a room;
// children are paired to use the fewest rooms. A pregnancy counts from its due date less
// rules.PregnancyWeeks, as a child of 0 who shares with any child under ShareAnySexUnder.
func BedroomNeed(members []register.Member, r *policy.BedroomRules, asOf register.Date) Bedrooms {
	b := Bedrooms{Rooms: make([]Room, 1, len(members)+1)}
	var kidBuf [8]child
	kids := kidBuf[:0]
	partnered := false
	// One backing array for every room's member list: a household is assessed often.
	// slots[0] is the applicant, slots[1] the partner if any; adults follow.
	slots := make([]int, 2, len(members)+2)
	applicantRoom := Room{Members: slots[0:1:1], Why: "applicant"}
	for i, m := range members {
		if !m.PregnancyDue.IsZero() && asOf >= m.PregnancyDue.AddDays(-7*r.PregnancyWeeks) {
			kids = append(kids, child{idx: Unborn, born: m.PregnancyDue, age: 0})
		}
		if i == 0 {
			continue
		}
		age := asOf.YearsSince(m.Born)
		switch {
		case m.Relationship == register.RelPartner && !partnered:
			partnered = true
			slots[1] = i
			applicantRoom.Members = slots[0:2:2]
			applicantRoom.Why = "applicant and partner"
		case age >= r.AdultAge || m.Relationship == register.RelPartner:
			slots = append(slots, i)
			n := len(slots)
			b.Rooms = append(b.Rooms, Room{Members: slots[n-1 : n : n], Why: "adult (not the partner): a room of their own"})
		default:
			kids = append(kids, child{idx: i, born: m.Born, age: age, sex: m.Sex})
		}
	}
	b.Rooms[0] = applicantRoom
	b.Rooms = append(b.Rooms, pairChildren(kids, r)...)
	b.DependentChildren = len(kids) > 0
	switch {
	case b.DependentChildren:
		b.HouseholdType = "family"
	case len(members) == 1:
		b.HouseholdType = "single"
	case len(members) == 2 && partnered:
		b.HouseholdType = "couple"
	default:
		b.HouseholdType = "other"
	}
	b.Need = len(b.Rooms)
	return b
}

// canShare reports whether two children may share a bedroom under the rule.
func canShare(a, c child, r *policy.BedroomRules) bool {
	if a.age < r.ShareAnySexUnder && c.age < r.ShareAnySexUnder {
		return true
	}
	if a.sex == "" || a.sex != c.sex {
		return false
	}
	elder, younger := a, c
	if younger.born < elder.born {
		elder, younger = younger, elder
	}
	gap := younger.born.YearsSince(elder.born)
	return !(gap >= r.SameSexGapYears && elder.age >= r.SameSexGapElderMinAge)
}

// pairChildren finds a maximum set of sharing pairs (fewest rooms). Households rarely
// have more than a handful of children, so an exact search over who the first unplaced
// child shares with is cheap; past 12 children it falls back to first-fit.
func pairChildren(kids []child, r *policy.BedroomRules) []Room {
	n := len(kids)
	switch {
	case n == 0:
		return nil
	case n == 1:
		return []Room{{Members: []int{kids[0].idx}, Why: aloneWhy}}
	case n == 2 && canShare(kids[0], kids[1], r): // most families: no search needed
		return []Room{{Members: []int{kids[0].idx, kids[1].idx}, Why: shareWhy(kids[0], kids[1], r)}}
	}
	share := make([][]bool, n)
	cells := make([]bool, n*n)
	for i := range kids {
		share[i] = cells[i*n : (i+1)*n]
		for j := range kids {
			share[i][j] = i != j && canShare(kids[i], kids[j], r)
		}
	}
	partner := make([]int, n)
	for i := range partner {
		partner[i] = -1
	}
	if n <= 12 {
		best := make([]int, n)
		copy(best, partner)
		bestPairs := -1
		var search func(i, pairs int)
		search = func(i, pairs int) {
			for i < n && partner[i] != -1 {
				i++
			}
			if i == n {
				if pairs > bestPairs {
					bestPairs = pairs
					copy(best, partner)
				}
				return
			}
			// Upper bound: even pairing every remaining child cannot beat the best.
			remaining := 0
			for k := i; k < n; k++ {
				if partner[k] == -1 {
					remaining++
				}
			}
			if pairs+remaining/2 <= bestPairs {
				return
			}
			for j := i + 1; j < n; j++ {
				if partner[j] == -1 && share[i][j] {
					partner[i], partner[j] = j, i
					search(i+1, pairs+1)
					partner[i], partner[j] = -1, -1
				}
			}
			partner[i] = i // alone
			search(i+1, pairs)
			partner[i] = -1
		}
		search(0, 0)
		partner = best
	} else {
		for i := range kids {
			if partner[i] != -1 {
				continue
			}
			partner[i] = i
			for j := i + 1; j < n; j++ {
				if partner[j] == -1 && share[i][j] {
					partner[i], partner[j] = j, i
					break
				}
			}
		}
	}
	var rooms []Room
	for i, p := range partner {
		switch {
		case p == i || p == -1:
			rooms = append(rooms, Room{Members: []int{kids[i].idx}, Why: aloneWhy})
		case p > i:
			rooms = append(rooms, Room{Members: []int{kids[i].idx, kids[p].idx}, Why: shareWhy(kids[i], kids[p], r)})
		}
	}
	return rooms
}

const aloneWhy = "child: no one to share with under the rule"

func shareWhy(a, c child, r *policy.BedroomRules) string {
	if a.age < r.ShareAnySexUnder && c.age < r.ShareAnySexUnder {
		return "two young children share whatever their sex"
	}
	return "two children of the same sex share"
}
