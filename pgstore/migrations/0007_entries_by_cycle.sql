-- Shortlist entries are partitioned by the cycle whose close made them.
--
-- Why: a close writes every entry of the cycle at once (757k at England scale). Copied
-- into a table with foreign keys, PostgreSQL checks each row with its own query and
-- locks each referenced application row (8 s of a 31 s England close). cbl cycle close
-- instead copies the entries into a new table shortlist_entries_c<cycle> and attaches it
-- as that cycle's partition: attaching checks the same foreign keys with one join and
-- builds the indexes by sorting. Every constraint below still holds for every row.
--
-- The trace is json, not jsonb: it is written once per entry at the close and read back
-- whole, never queried inside; json stores the text as given after checking it (a
-- national cycle's 757k traces: COPY 4.3-4.8 s as json, 7.4-7.8 s as jsonb, and 637 MB
-- instead of 750 MB).
--
-- Each entry carries its shortlist's cycle, and (shortlist, cycle) references the
-- shortlist, so an entry cannot sit in another cycle's partition. Keys lead with the
-- shortlist so that reading one shortlist uses each partition's index.

-- Every shortlist belongs to a cycle: those made otherwise (none in production, some
-- in tests) take their advert's.
UPDATE shortlists s SET cycle = a.cycle FROM adverts a WHERE s.cycle IS NULL AND a.id = s.advert;
ALTER TABLE shortlists ALTER COLUMN cycle SET NOT NULL;
ALTER TABLE shortlists ADD CONSTRAINT shortlists_id_cycle UNIQUE (id, cycle);

ALTER TABLE shortlist_entries RENAME TO shortlist_entries_v6;
ALTER INDEX shortlist_entries_pkey RENAME TO shortlist_entries_v6_pkey;
ALTER INDEX shortlist_entries_shortlist_position_key RENAME TO shortlist_entries_v6_position;

CREATE TABLE shortlist_entries (
    shortlist   bigint      NOT NULL,
    cycle       bigint      NOT NULL,
    application bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    position    integer     CHECK (position >= 1),
    skip        text        CHECK (skip IN (
        'unsuitable_property', 'bedroom_mismatch', 'property_type', 'age_restriction',
        'mobility_mismatch', 'local_lettings_policy', 'legal_agreement_area', 'not_active',
        'no_guarantor', 'under_offer_elsewhere', 'undisclosed_change', 'checks_reveal_issues',
        'not_qualifying', 'unaffordable', 'no_rent_in_advance', 'current_home_failed_inspection',
        'arrears', 'no_contact', 'landlord_policy', 'property_withdrawn', 'officer_discretion')),
    check_name  text        NOT NULL DEFAULT '',
    clause      text        NOT NULL DEFAULT '',
    note        text        NOT NULL DEFAULT '',
    skipped_by  text        NOT NULL DEFAULT '',
    skipped_at  timestamptz,
    band        text        CHECK (band IN ('A', 'B', 'C', 'D', 'E')),
    effective   date,
    registered  date        NOT NULL,
    autobid     boolean     NOT NULL DEFAULT false,
    placed      timestamptz NOT NULL,
    trace       json        NOT NULL DEFAULT '{}',
    CONSTRAINT shortlist_entries_shortlist FOREIGN KEY (shortlist, cycle)
        REFERENCES shortlists (id, cycle) ON DELETE CASCADE,
    CONSTRAINT shortlist_entries_pkey PRIMARY KEY (shortlist, application, cycle),
    CONSTRAINT shortlist_entries_position UNIQUE (shortlist, position, cycle),
    -- Every bid ends ranked or skipped with a reason, never both (SCHEME.md §7).
    CHECK ((position IS NULL) <> (skip IS NULL)),
    CHECK (skip IS DISTINCT FROM 'officer_discretion' OR note <> '')
) PARTITION BY LIST (cycle);

DO $$
DECLARE
    c bigint;
BEGIN
    FOR c IN SELECT DISTINCT s.cycle FROM shortlist_entries_v6 e JOIN shortlists s ON s.id = e.shortlist LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF shortlist_entries FOR VALUES IN (%s)', 'shortlist_entries_c' || c, c);
    END LOOP;
END
$$;

INSERT INTO shortlist_entries (shortlist, cycle, application, position, skip, check_name, clause, note,
    skipped_by, skipped_at, band, effective, registered, autobid, placed, trace)
SELECT e.shortlist, s.cycle, e.application, e.position, e.skip, e.check_name, e.clause, e.note,
    e.skipped_by, e.skipped_at, e.band, e.effective, e.registered, e.autobid, e.placed, e.trace::json
FROM shortlist_entries_v6 e JOIN shortlists s ON s.id = e.shortlist;

DROP TABLE shortlist_entries_v6;
