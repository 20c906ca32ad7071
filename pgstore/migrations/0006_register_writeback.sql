-- Officers' decisions change the register (a let closes the application as rehoused,
-- two counted refusals close it for 12 months, a refused final offer withdraws the
-- homeless criteria and re-bands it). store.Decide writes those changes to applications,
-- band_history, overrides and refusals, so everything reading the register sees them.
--
-- The record is replayed from the register as it stood before any decision changed it:
-- register_base keeps, for each application a decision changed, the status and the
-- nested rows decisions change (status, status_reason, status_until, history, refusals,
-- overrides as JSON, register.Application's field names) as they were before the first
-- such decision. store.LoadState replays from these facts, so replaying the record over
-- a register that already reflects it gives the same result. The row goes with its
-- application (import --replace clears it with the register it describes).
CREATE TABLE register_base (
    application bigint NOT NULL PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    decision    bigint NOT NULL CHECK (decision >= 1), -- the first decision that changed it
    state       jsonb  NOT NULL
);
