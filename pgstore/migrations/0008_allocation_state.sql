-- What each decision changed, kept so that the next decision reads only what it touches.
--
-- Before, every decision replayed the whole record twice (the cost grew with every cycle
-- ever closed). Now allocation.Walk.Apply hands back a Step and Decide writes it: each
-- advert's walk, the reviews, renewals, sanctions, household clocks and no-bid flags join
-- the offers, nominations and lets already kept. The record (decisions) stays the
-- authority: cbl decisions verify replays it whole and compares with these tables, and
-- cbl decisions --rebuild rewrites them from it.

-- Where an advert's walk stands (allocation.AdvertWalk). An advert with no row has not
-- been reached by any decision: its walk is at the head of its shortlist.
CREATE TABLE walks (
    advert    bigint  PRIMARY KEY REFERENCES adverts (id) ON DELETE CASCADE,
    status    text    NOT NULL CHECK (status IN ('open', 'let', 'withdrawn')),
    round     integer NOT NULL CHECK (round >= 1),
    verifying boolean NOT NULL,
    offers    integer NOT NULL CHECK (offers >= 0),
    tenant    bigint,
    since     date    NOT NULL,
    last      date
);

-- The entries a walk has reached; an entry not here is still open.
CREATE TABLE walk_entries (
    advert      bigint NOT NULL REFERENCES walks (advert) ON DELETE CASCADE,
    application bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    state       text   NOT NULL CHECK (state IN ('verified', 'nominated', 'offered', 'skipped', 'refused', 'let')),
    code        text   NOT NULL DEFAULT '',
    PRIMARY KEY (advert, application),
    CHECK ((state = 'skipped') = (code <> ''))
);

CREATE TABLE reviews (
    application bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    subject     text   NOT NULL CHECK (subject IN ('band', 'effective_date', 'skip')),
    of_date     date   NOT NULL,
    advert      bigint NOT NULL DEFAULT 0, -- 0: none (a skip review names its advert)
    requested   date   NOT NULL,
    decided     date,
    outcome     text   NOT NULL DEFAULT '' CHECK (outcome IN ('', 'upheld', 'changed', 'out_of_time')),
    decided_by  text   NOT NULL DEFAULT '',
    reason      text   NOT NULL DEFAULT '',
    PRIMARY KEY (application, subject, of_date, advert, requested),
    CHECK ((outcome = '') = (decided IS NULL))
);

CREATE TABLE renewals (
    id          bigserial PRIMARY KEY,
    application bigint    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    renewed_on  date      NOT NULL,
    renewed_by  text      NOT NULL DEFAULT ''
);
CREATE INDEX renewals_application ON renewals (application);

CREATE TABLE sanctions (
    id          bigserial PRIMARY KEY,
    application bigint    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind        text      NOT NULL CHECK (kind IN ('closed_refusals', 'duty_discharged')),
    imposed_on  date      NOT NULL,
    until       date,
    reason      text      NOT NULL CHECK (reason <> ''),
    adverts     bigint[]  NOT NULL,
    criteria    text[]    NOT NULL DEFAULT '{}'
);
CREATE INDEX sanctions_application ON sanctions (application);

-- The day of each household's last decision of the kinds that change its own record
-- (allocation.Household): later ones may not be dated before it.
CREATE TABLE household_clocks (
    application bigint PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    last        date   NOT NULL
);

-- Applications upkeep has flagged for a no-bid review (once each).
CREATE TABLE no_bid_flags (
    application bigint PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE
);

-- The policy each decision was applied under ("id@version"), so the audit replays it
-- under the same one. NULL for decisions recorded before this column.
ALTER TABLE decisions ADD COLUMN policy text;

-- Whether the tables above hold what the record implies. A database that recorded
-- decisions before this migration has never written them, and import --replace empties
-- them under a record it keeps: then decisions are refused until
-- cbl decisions --rebuild has rewritten them from the record.
CREATE TABLE allocation_state (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    stale boolean NOT NULL
);
INSERT INTO allocation_state (stale) SELECT EXISTS (SELECT 1 FROM decisions);

-- The kept state is derived from the record: only cbl writes it. A hand edit would make
-- the next decision continue from a walk the record does not give, so the database
-- refuses it unless the transaction says it is cbl's (SET LOCAL cbl.writer = 'on', as
-- Decide, Rebuild, assess and import do). The register tables themselves stay open to
-- hand edits: decisions read them as they stand (docs/cli.md, "Hand edits").
CREATE FUNCTION kept_state_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('cbl.writer', true), '') <> 'on' THEN
        RAISE EXCEPTION '% is kept by cbl from the record of decisions: % refused (record a decision, or run cbl decisions --rebuild)',
            TG_TABLE_NAME, TG_OP;
    END IF;
    RETURN NULL;
END;
$$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['walks', 'walk_entries', 'offers', 'nominations', 'lets', 'reviews', 'renewals',
        'sanctions', 'household_clocks', 'no_bid_flags', 'allocation_state']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION kept_state_guard()', t || '_kept', t);
    END LOOP;
END
$$;
