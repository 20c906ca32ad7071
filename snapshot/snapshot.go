// Package snapshot is a whole register as plain data — applications, landlords, cycles,
// adverts and bids — and its interchange format, a directory of CSV files.
package snapshot

import (
	"github.com/cbl-lettings/cbl/bidding"
	"github.com/cbl-lettings/cbl/register"
)

// Snapshot is a register at a point in time.
type Snapshot struct {
	Applications []register.Application `json:"applications"`
	Landlords    []bidding.Landlord     `json:"landlords"`
	Cycles       []bidding.Cycle        `json:"cycles"`
	Adverts      []bidding.Advert       `json:"adverts"`
	Bids         []bidding.Bid          `json:"bids"`
}
