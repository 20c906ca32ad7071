-- Officers' decisions are the record (SCHEME.md §8–9): every verification, offer, answer,
-- nomination and direct let is one row here, in order, never changed. Offers, nominations
-- and lets are derived from the register, the stored shortlists and these rows by
-- allocation.Run, and are rewritten from it with each new decision.

CREATE TABLE decisions (
    seq         bigint      PRIMARY KEY CHECK (seq >= 1),
    at          timestamptz NOT NULL,
    actor       text        NOT NULL CHECK (actor <> ''),
    kind        text        NOT NULL CHECK (kind <> ''),
    -- No foreign keys: like events, the record outlives what it names.
    advert      bigint,
    application bigint,
    -- The allocation.Decision as JSON (its "on" is at's local date under the policy).
    payload     jsonb       NOT NULL
);
CREATE INDEX decisions_advert ON decisions (advert) WHERE advert IS NOT NULL;
CREATE INDEX decisions_application ON decisions (application) WHERE application IS NOT NULL;

CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION decisions_append_only();

-- The derived rows carry what the engine reports about them. An application is offered
-- one advert at most once, so (advert, application) identifies an offer.
ALTER TABLE offers
    ADD COLUMN position integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    ADD COLUMN landlord boolean NOT NULL DEFAULT false; -- made by a housing association to a nominee
CREATE UNIQUE INDEX offers_advert_application ON offers (advert, application);

-- A nominee the landlord never decided on is closed when the walk skips it (the reason is
-- the skip code) or when the advert is let to someone else (reason advert_let).
ALTER TABLE nominations DROP CONSTRAINT nominations_outcome_check;
ALTER TABLE nominations
    ADD CONSTRAINT nominations_outcome_check CHECK (outcome IN ('pending', 'accepted', 'rejected', 'closed')),
    ADD CONSTRAINT nominations_closed_reason CHECK (outcome <> 'closed' OR reason <> ''),
    ADD COLUMN position integer NOT NULL DEFAULT 0 CHECK (position >= 0);

-- The let record as published (SCHEME.md §8 "after a let").
ALTER TABLE lets
    ADD COLUMN route                    text    NOT NULL DEFAULT 'shortlist' CHECK (route IN ('shortlist', 'nomination', 'direct')),
    ADD COLUMN category                 text    NOT NULL DEFAULT '',
    ADD COLUMN position                 integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    ADD COLUMN offered                  date,
    ADD COLUMN days_effective_to_offer  integer NOT NULL DEFAULT 0,
    ADD COLUMN offers_before_acceptance integer NOT NULL DEFAULT 0 CHECK (offers_before_acceptance >= 0),
    ADD CONSTRAINT lets_direct_route CHECK (direct = (route = 'direct'));
