// Package allocation walks the cycle's shortlists to lets (S8, S9): verification,
// offers, refusals and their sanctions, nominations to housing associations, direct lets,
// the let record and feedback, reviews, register upkeep and the work queue of clocks.
//
// It is a pure function of its inputs: no I/O, no clock. Run takes the register, the
// cycle's adverts, landlords and shortlists (Input) and an ordered list of Decisions, and
// returns the offers, nominations, lets, sanctions, reviews, the applications the
// decisions changed, an append-only event log (who, when, what, why) and what each open
// advert is waiting for (Result.Pending). The same inputs always give the same Result,
// byte for byte once encoded, whatever order the input lists come in. Walk is the same
// engine for callers that decide as they go.
//
// # Steps
//
// Walk.Apply hands back the Step a decision made (like etcd raft's Ready): the events,
// the offers, nominations, lets, sanctions, reviews and renewals it made or changed, each
// application it changed (before and after), and each advert's walk that moved
// (AdvertWalk). A store persists the steps and, for the next decision, loads only what
// that decision reads back as Input (Walks, Offers, Nominations, Reviews, Households):
// Ledger.Slice states what, and is the in-memory reference of such a store. A decision
// then costs what it touches, not the length of the record; replaying the whole record
// with Run is the audit, and gives the same steps (TestLedger_StepsEqualTheFullReplay).
// WriteBack applies steps to a register held in memory, as a store writes them back.
//
// # The walk
//
// Adverts are processed in order of closing time, then advert id. On a council advert the
// next ranked candidate is verified (verify_pass, or verify_skip with an S7.5
// code), offered (offer), and answers (accept, refuse, or withdraw). On a housing
// association's advert the council verifies the top N (policy nominations.batch_size),
// sends them (nominate); the landlord offers to one (landlord_accept) or rejects each with
// a code (landlord_reject), and may ask for the next N (request_more). An application
// under offer is skipped on any other advert whose walk reaches it (under_offer_elsewhere,
// recorded by the actor "engine"); one no longer active is skipped as not_active. A
// direct_let lets an advert outside the shortlist with a category and an authoriser.
//
// # Refusals
//
// refuse records the kind (refused, no_reply, no_viewing), whether the officer judged
// the offer reasonable and suitable (counted) and whether it was a final offer under a
// homeless duty (final). The policy's refusals section decides whether no-reply and
// no-viewing count, how many counted refusals within how many months close the
// application and for how long, and which criteria a refused suitable final offer
// withdraws. A duty discharge is recorded as withdraw_criterion overrides on the
// application (the duty flag is left as recorded) and the application is re-banded with
// banding.Transition, so banding.Assess on the result no longer finds the criterion.
//
// # Upkeep and clocks
//
// renew records an annual renewal; upkeep (usually by a scheduler's actor) closes
// applications not renewed within the policy's window after their registration
// anniversary and flags, once, housing-need applications with no bid for the policy's
// months. request_review opens a review if made within the policy's days of the decision
// (else it is recorded as out of time); decide_review upholds or changes a band, an
// effective date or a skip. WorkQueue lists the clocks that are due: new applications not
// answered within the working days (Calendar: weekends and England and Wales bank
// holidays), medical assessments, reviews, Band A or temporary accommodation households
// with no offer, renewals, no-bid reviews and Band A review dates.
//
// # Reassessments
//
// reband records a re-assessment made outside the walk: the band moves to the decision's
// band (none: no longer qualifying) on its day, with the effective date the
// re-assessment gave. The store records one when it re-bands an application earlier
// decisions changed, so that replaying the record from the register as it stood before
// them keeps the spell.
package allocation
