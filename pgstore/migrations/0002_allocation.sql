-- What the engine decides: shortlists, offers, nominations and lets, and the append-only
-- audit log of every decision.

CREATE TABLE shortlists (
    id      bigserial   PRIMARY KEY,
    advert  bigint      NOT NULL REFERENCES adverts (id) ON DELETE CASCADE,
    policy  text        NOT NULL CHECK (policy <> ''),
    made_at timestamptz NOT NULL,
    trace   jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX shortlists_advert ON shortlists (advert);

CREATE TABLE shortlist_entries (
    shortlist   bigint      NOT NULL REFERENCES shortlists (id) ON DELETE CASCADE,
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
    trace       jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (shortlist, application),
    UNIQUE (shortlist, position),
    -- Every bid ends ranked or skipped with a reason, never both (SCHEME.md §7).
    CHECK ((position IS NULL) <> (skip IS NULL)),
    CHECK (skip IS DISTINCT FROM 'officer_discretion' OR note <> '')
);

CREATE TABLE offers (
    id           bigserial   PRIMARY KEY,
    advert       bigint      NOT NULL REFERENCES adverts (id) ON DELETE CASCADE,
    application  bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    made_at      timestamptz NOT NULL,
    outcome      text        NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'accepted', 'refused', 'withdrawn')),
    resolved_at  timestamptz CHECK (resolved_at >= made_at),
    refusal_kind text        CHECK (refusal_kind IN ('refused', 'no_reply', 'no_viewing')),
    counted      boolean     NOT NULL DEFAULT false,
    final        boolean     NOT NULL DEFAULT false,
    recorded_by  text        NOT NULL DEFAULT '',
    CHECK ((outcome = 'pending') = (resolved_at IS NULL)),
    CHECK ((outcome = 'refused') = (refusal_kind IS NOT NULL))
);
-- An application is under at most one open offer, and an advert has at most one.
CREATE UNIQUE INDEX offers_open_application ON offers (application) WHERE outcome = 'pending';
CREATE UNIQUE INDEX offers_open_advert ON offers (advert) WHERE outcome = 'pending';

CREATE TABLE nominations (
    id          bigserial   PRIMARY KEY,
    advert      bigint      NOT NULL REFERENCES adverts (id) ON DELETE CASCADE,
    application bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    landlord    text        NOT NULL REFERENCES landlords (id),
    batch       integer     NOT NULL CHECK (batch >= 1),
    sent_at     timestamptz NOT NULL,
    outcome     text        NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'accepted', 'rejected')),
    reason      text        NOT NULL DEFAULT '',
    decided_at  timestamptz CHECK (decided_at >= sent_at),
    UNIQUE (advert, application),
    CHECK (outcome <> 'rejected' OR reason <> '')
);

CREATE TABLE lets (
    advert        bigint  PRIMARY KEY REFERENCES adverts (id) ON DELETE CASCADE,
    application   bigint  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    let_on        date    NOT NULL,
    direct        boolean NOT NULL DEFAULT false,
    direct_reason text    NOT NULL DEFAULT '',
    authorised_by text    NOT NULL DEFAULT '',
    band          text    CHECK (band IN ('A', 'B', 'C', 'D', 'E')),
    effective     date,
    bids_received integer NOT NULL DEFAULT 0 CHECK (bids_received >= 0),
    eligible_bids integer NOT NULL DEFAULT 0 CHECK (eligible_bids >= 0 AND eligible_bids <= bids_received),
    skip_counts   jsonb   NOT NULL DEFAULT '{}',
    -- A direct let needs a reason and an authoriser (SCHEME.md §8).
    CHECK (NOT direct OR (direct_reason <> '' AND authorised_by <> ''))
);

-- The audit log. Rows are only ever added: no foreign keys (the record outlives what it
-- names) and a trigger refuses UPDATE and DELETE.
CREATE TABLE events (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL CHECK (actor <> ''),
    kind        text        NOT NULL CHECK (kind <> ''),
    application bigint,
    advert      bigint,
    reason      text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX events_application ON events (application) WHERE application IS NOT NULL;
CREATE INDEX events_advert ON events (advert) WHERE advert IS NOT NULL;

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
