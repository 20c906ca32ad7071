// Package snapshot is a whole register as plain data — applications, landlords, cycles,
// adverts and bids, and where officers' decisions changed applications their state
// before — and its interchange format, a directory of CSV files.
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
	// Bases are, for each application an officer's recorded decision changed, its state
	// before the first such decision (the store's register_base). The database's record of
	// decisions is replayed from them; Applications hold the state as it now stands. Empty
	// for a register no decision changed (every snapshot made without a database).
	Bases []Base `json:"register_base,omitempty"`
}

// Base is an application's register state before the first recorded decision that
// changed it: the part of the application decisions change (status, band history,
// refusals, overrides), as register.Application holds it.
type Base struct {
	Application  int64                `json:"application"`
	Decision     int64                `json:"decision"` // seq of the first decision that changed it
	Status       register.Status      `json:"status"`
	StatusReason string               `json:"status_reason,omitempty"`
	StatusUntil  register.Date        `json:"status_until,omitempty"`
	History      []register.BandSpell `json:"history,omitempty"`
	Refusals     []register.Refusal   `json:"refusals,omitempty"`
	Overrides    []register.Override  `json:"overrides,omitempty"`
}
