// Package simulate runs weekly lettings cycles end to end through the real engine —
// banding, bidding, shortlist and allocation, not a re-implementation — with a seeded
// behaviour model answering what every advert waits for: verifications, offers and
// replies, nominations and the landlords' decisions.
//
// Week runs one cycle: close it (shortlist.CloseCycle), then walk every advert's
// shortlist (allocation.Walk) to lets. Run runs many cycles from a register, with
// joiners, leavers and changes of circumstances between them; Compare runs the same
// register, supply and draws under two policies and reports the differences;
// ReplayCycles runs a register's recorded cycles, real adverts and bids, under two
// policies and says who would have been offered each home.
//
// # Common random numbers
//
// Every random draw is a stateless hash of (seed, purpose, cycle, household or home),
// never a shared stream, so the same household meets the same luck on the same home
// under either policy: a difference between two runs comes from the policy alone.
// docs/simulation.md describes the model and every default.
package simulate
