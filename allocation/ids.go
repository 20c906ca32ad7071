package allocation

import (
	"fmt"

	"github.com/cbl-lettings/cbl/register"
)

// idIndex finds an application's index in Input.Applications by id. A walk looks up
// few applications, but a map of every one, built at every start, was a tenth of a
// simulated week; registers number applications in sequence, so when the ids are
// dense (a table at most twice the applications) it is a table by id, else a map.
type idIndex struct {
	first int64
	table []int32 // table[id-first]: 1 + the index; 0 for none
	m     map[int64]int32
}

// newIDIndex indexes apps; an id that appears twice is an error.
func newIDIndex(apps []register.Application) (idIndex, error) {
	var x idIndex
	if len(apps) == 0 {
		return x, nil
	}
	lo, hi := apps[0].ID, apps[0].ID
	for i := range apps {
		lo, hi = min(lo, apps[i].ID), max(hi, apps[i].ID)
	}
	dense := uint64(hi-lo) < 2*uint64(len(apps))
	if dense {
		x.first, x.table = lo, make([]int32, hi-lo+1)
	} else {
		x.m = make(map[int64]int32, len(apps))
	}
	for i := range apps {
		id := apps[i].ID
		if _, dup := x.get(id); dup {
			return x, fmt.Errorf("applications[%d]: id %d appears twice", i, id)
		}
		if dense {
			x.table[id-lo] = int32(i + 1)
		} else {
			x.m[id] = int32(i)
		}
	}
	return x, nil
}

// get returns the index of application id.
func (x *idIndex) get(id int64) (int32, bool) {
	if x.table == nil {
		k, ok := x.m[id]
		return k, ok
	}
	if id < x.first || id-x.first >= int64(len(x.table)) || x.table[id-x.first] == 0 {
		return 0, false
	}
	return x.table[id-x.first] - 1, true
}
