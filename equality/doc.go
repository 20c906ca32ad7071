// Package equality measures outcomes by group: each group's share of the register, of
// bids, of first-five shortlist places, of offers and of lets, and its median wait to a
// let, against its share of the register — what an Equality Impact Assessment asks first
// (the Equality Act 2010's public sector equality duty). Groups come from the register's
// monitoring data (register.Monitoring), the members' ages and sexes, the household type
// derived from them, and the scheme flags.
//
// Like the engine it is a pure function of plain data: the caller (the Postgres store, a
// snapshot, the simulator) gathers who was on the register, who bid, who held a
// first-five place, who was offered and who was let a home; Tabulate counts them.
// Nothing here is read by banding or ranking, and nothing there reads monitoring data.
package equality
