-- What each cycle's close ranked from (replay.Inputs, docs/scheme.md S7.7), so that
-- cbl cycle verify ranks it again bit for bit whatever the register has become, cbl
-- cycle replay ranks it under another policy, and a bid's trace is rebuilt on request
-- instead of stored with every entry (a national close wrote 637 MB of traces).
--
-- Households' states are kept once per change, not once per cycle: a close keeps in
-- its own row (states) only the states of households whose state differs from the one
-- kept last (recorded_states), and its applications map says, for every household that
-- reached its shortlists, which close's states hold that household's state as it stood.
CREATE TABLE cycle_inputs (
    cycle        bigint      PRIMARY KEY REFERENCES cycles (id) ON DELETE CASCADE,
    policy       text        NOT NULL,
    -- SHA-256 of the inputs' canonical form (replay.Inputs.Digest).
    digest       bytea       NOT NULL CHECK (length(digest) = 32),
    -- gzip of the inputs' JSON without the households: cycle, adverts, bids, exclusions.
    head         bytea       NOT NULL,
    -- gzip of JSON [[application, close whose states hold its state], ...]; NULL once purged.
    applications bytea,
    -- gzip of one line per household state first kept at this close: "id<TAB>JSON".
    states       bytea,
    households   integer     NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    -- When the households' states were removed under the policy's retention
    -- (cycle.inputs_retention_days); the digest stays.
    purged_at    timestamptz,
    CHECK ((purged_at IS NULL) = (applications IS NOT NULL))
);

-- Each household state a close kept, by household and close, to keep the next close's
-- states to those that changed. Rows are only added (and removed by a purge), so closes
-- of two cycles at once never contend for one: one that does not yet see the other's
-- rows keeps a state twice, which costs space, never correctness. No foreign key to
-- cycle_inputs: a national close adds 290k rows, and checking each one's reference
-- cost 3 s; cbl removes them with their cycle (import --replace truncates both).
CREATE TABLE recorded_states (
    application bigint NOT NULL,
    cycle       bigint NOT NULL,
    digest      bytea  NOT NULL CHECK (length(digest) = 32),
    PRIMARY KEY (application, cycle)
);

-- Only cbl writes them (as the kept state of migration 0008): a hand edit of a cycle's
-- inputs is refused, and one made around the guard is what cbl cycle verify reports.
CREATE FUNCTION recorded_inputs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('cbl.writer', true), '') <> 'on' THEN
        RAISE EXCEPTION '% holds what closed cycles were ranked from and is written only by cbl cycle close: % refused',
            TG_TABLE_NAME, TG_OP;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER cycle_inputs_kept BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycle_inputs
    FOR EACH STATEMENT EXECUTE FUNCTION recorded_inputs_guard();
CREATE TRIGGER recorded_states_kept BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON recorded_states
    FOR EACH STATEMENT EXECUTE FUNCTION recorded_inputs_guard();
