-- The register: applications and everything nested in them, landlords, cycles, adverts
-- and bids. Columns mirror the snapshot CSV files (docs/snapshot.md); "seq" keeps the
-- order of rows nested in an application (members.seq = 1 is the main applicant).
-- A NULL date or time is the snapshot's zero value ("not set").

CREATE TABLE applications (
    id                        bigint  PRIMARY KEY CHECK (id > 0),
    registered                date    NOT NULL,
    status                    text    NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'closed')),
    status_reason             text    NOT NULL DEFAULT '',
    status_until              date,
    area                      text    NOT NULL DEFAULT '',
    mobility                  text    NOT NULL CHECK (mobility IN ('none', 'level-access', 'wheelchair')),
    home_bedrooms             integer NOT NULL CHECK (home_bedrooms >= 0),
    tenure                    text    NOT NULL CHECK (tenure IN ('owner', 'social', 'private', 'temporary', 'family', 'none')),
    homeowner                 boolean NOT NULL DEFAULT false,
    sharing_facilities        boolean NOT NULL DEFAULT false,
    disrepair                 boolean NOT NULL DEFAULT false,
    nn_connection             boolean NOT NULL DEFAULT false,
    right_to_move             boolean NOT NULL DEFAULT false,
    legal_agreement_areas     text[]  NOT NULL DEFAULT '{}',
    immigration_ineligible    boolean NOT NULL DEFAULT false,
    homeless_duty             text    NOT NULL DEFAULT '' CHECK (homeless_duty IN ('', 'prevention', 'relief', 'main')),
    armed_forces              boolean NOT NULL DEFAULT false,
    care_leaver               boolean NOT NULL DEFAULT false,
    care_leaver_nnc           boolean NOT NULL DEFAULT false,
    adult_social_care_move_on boolean NOT NULL DEFAULT false,
    domestic_abuse            boolean NOT NULL DEFAULT false,
    sheltered_eligible        boolean NOT NULL DEFAULT false,
    connected                 boolean NOT NULL DEFAULT false,
    guarantor                 boolean NOT NULL DEFAULT false,
    unacceptable_behaviour    boolean NOT NULL DEFAULT false,
    exceptional_circumstances boolean NOT NULL DEFAULT false,
    working                   boolean NOT NULL DEFAULT false,
    debt_amount               numeric(12, 2) NOT NULL DEFAULT 0 CHECK (debt_amount >= 0),
    debt_last_owed            date
);

CREATE TABLE members (
    application   bigint  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    seq           integer NOT NULL CHECK (seq >= 1),
    name          text    NOT NULL DEFAULT '',
    born          date    NOT NULL,
    sex           text    NOT NULL CHECK (sex IN ('F', 'M')),
    relationship  text    NOT NULL CHECK (relationship IN ('applicant', 'partner', 'child', 'other')),
    joint         boolean NOT NULL DEFAULT false,
    pregnancy_due date,
    PRIMARY KEY (application, seq),
    -- The first member, and only the first, is the main applicant.
    CHECK ((seq = 1) = (relationship = 'applicant'))
);

CREATE TABLE medical_assessments (
    id                   bigint  PRIMARY KEY CHECK (id > 0),
    application          bigint  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    seq                  integer NOT NULL CHECK (seq >= 1),
    requested            date    NOT NULL,
    assessed             date    CHECK (assessed >= requested),
    assessor             text    NOT NULL DEFAULT '',
    ground_floor_or_lift boolean NOT NULL DEFAULT false,
    level_access         boolean NOT NULL DEFAULT false,
    wheelchair           boolean NOT NULL DEFAULT false,
    extra_bedrooms       integer NOT NULL DEFAULT 0 CHECK (extra_bedrooms >= 0),
    UNIQUE (application, seq)
);

CREATE TABLE medical_conditions (
    assessment bigint  NOT NULL REFERENCES medical_assessments (id) ON DELETE CASCADE,
    seq        integer NOT NULL CHECK (seq >= 1),
    name       text    NOT NULL CHECK (name <> ''),
    severity   integer NOT NULL CHECK (severity >= 0),
    impact     integer NOT NULL CHECK (impact >= 0),
    PRIMARY KEY (assessment, seq)
);

CREATE TABLE band_history (
    application bigint  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 1),
    band        text    NOT NULL CHECK (band IN ('A', 'B', 'C', 'D', 'E')),
    from_date   date    NOT NULL,
    to_date     date    CHECK (to_date >= from_date),
    effective   date    NOT NULL,
    reason      text    NOT NULL DEFAULT '',
    recorded_by text    NOT NULL DEFAULT '',
    PRIMARY KEY (application, seq)
);

CREATE TABLE overrides (
    application bigint  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 1),
    kind        text    NOT NULL CHECK (kind IN ('set_band', 'award_criterion', 'withdraw_criterion', 'set_effective_date')),
    band        text    CHECK (band IN ('A', 'B', 'C', 'D', 'E')),
    criterion   text    NOT NULL DEFAULT '',
    effective   date,
    reason      text    NOT NULL CHECK (reason <> ''),
    recorded_by text    NOT NULL CHECK (recorded_by <> ''),
    made_on     date    NOT NULL,
    removed_on  date    CHECK (removed_on >= made_on),
    PRIMARY KEY (application, seq),
    CHECK (kind <> 'set_band' OR band IS NOT NULL),
    CHECK (kind NOT IN ('award_criterion', 'withdraw_criterion') OR criterion <> ''),
    CHECK (kind <> 'set_effective_date' OR effective IS NOT NULL)
);

CREATE TABLE refusals (
    application bigint  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 1),
    advert      bigint  NOT NULL CHECK (advert > 0), -- may predate the adverts held
    refused_on  date    NOT NULL,
    kind        text    NOT NULL CHECK (kind IN ('refused', 'no_reply', 'no_viewing')),
    counted     boolean NOT NULL DEFAULT false,
    final       boolean NOT NULL DEFAULT false,
    recorded_by text    NOT NULL DEFAULT '',
    PRIMARY KEY (application, seq)
);

CREATE TABLE landlords (
    id               text    PRIMARY KEY CHECK (id <> ''),
    name             text    NOT NULL CHECK (name <> ''),
    council          boolean NOT NULL DEFAULT false,
    nomination_share integer NOT NULL CHECK (nomination_share BETWEEN 0 AND 100)
);

CREATE TABLE cycles (
    id     bigint      PRIMARY KEY CHECK (id > 0),
    opens  timestamptz NOT NULL,
    closes timestamptz NOT NULL,
    policy text        NOT NULL CHECK (policy <> ''),
    CHECK (opens < closes)
);

CREATE TABLE adverts (
    id                   bigint      PRIMARY KEY CHECK (id > 0),
    cycle                bigint      NOT NULL REFERENCES cycles (id),
    landlord             text        NOT NULL REFERENCES landlords (id),
    locality             text        NOT NULL DEFAULT '',
    bedrooms             integer     NOT NULL CHECK (bedrooms >= 0),
    bed_spaces           integer     NOT NULL CHECK (bed_spaces >= 0),
    type                 text        NOT NULL CHECK (type <> ''),
    garden               boolean     NOT NULL DEFAULT false,
    floor                integer     NOT NULL DEFAULT 0,
    lift                 boolean     NOT NULL DEFAULT false,
    access               text        NOT NULL CHECK (access IN ('general', 'level-access', 'wheelchair')),
    sheltered            boolean     NOT NULL DEFAULT false,
    min_age              integer     NOT NULL DEFAULT 0 CHECK (min_age >= 0),
    max_age              integer     NOT NULL DEFAULT 0 CHECK (max_age >= 0),
    legal_agreement_area text        NOT NULL DEFAULT '',
    ordering             text        NOT NULL CHECK (ordering IN ('band', 'fcfs')),
    weekly_rent          numeric(10, 2) NOT NULL CHECK (weekly_rent >= 0),
    closes               timestamptz NOT NULL,
    withdrawn            boolean     NOT NULL DEFAULT false,
    CHECK (max_age = 0 OR min_age <= max_age)
);
CREATE INDEX adverts_cycle ON adverts (cycle);

CREATE TABLE advert_local_lettings (
    advert   bigint  NOT NULL REFERENCES adverts (id) ON DELETE CASCADE,
    seq      integer NOT NULL CHECK (seq >= 1),
    label    text    NOT NULL DEFAULT '',
    fact     text    NOT NULL CHECK (fact <> ''),
    is_value boolean,
    gte      integer,
    lte      integer,
    value    text    NOT NULL DEFAULT '',
    PRIMARY KEY (advert, seq),
    CHECK (is_value IS NOT NULL OR gte IS NOT NULL OR lte IS NOT NULL OR value <> '')
);

CREATE TABLE bids (
    application bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    advert      bigint      NOT NULL REFERENCES adverts (id) ON DELETE CASCADE,
    placed      timestamptz NOT NULL,
    autobid     boolean     NOT NULL DEFAULT false,
    withdrawn   timestamptz CHECK (withdrawn >= placed),
    placed_by   text        NOT NULL DEFAULT '',
    -- One bid per application per advert.
    PRIMARY KEY (application, advert)
);
CREATE INDEX bids_advert ON bids (advert);
