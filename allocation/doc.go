// Package allocation walks the cycle's shortlists to lets (SCHEME.md §8–9): verification,
// offers, refusals and their sanctions, nominations to housing associations, direct lets,
// the let record and feedback, reviews, register upkeep and the work queue of clocks.
//
// It is a pure function of its inputs. Run takes the register, the cycle's adverts and
// shortlists and an ordered list of officers' Decisions, and returns the offers, lets,
// sanctions, updated applications, an append-only event log and what each advert is
// waiting for. Nothing is stored between calls: to resume a walk weeks later, append the
// new decisions to the recorded ones and Run again; the same inputs always give the same
// output, byte for byte once encoded.
package allocation
