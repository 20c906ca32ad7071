-- Officers' autobid exclusions (SCHEME.md §6): an officer may exclude an advert for an
-- application, and cbl cycle close then places no autobid for it there. One row per
-- (application, advert); no foreign keys to adverts, so an exclusion can be made for an
-- advert listed before the register held is replaced.
CREATE TABLE autobid_exclusions (
    application bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    advert      bigint      NOT NULL CHECK (advert > 0),
    reason      text        NOT NULL CHECK (reason <> ''),
    excluded_by text        NOT NULL CHECK (excluded_by <> ''),
    excluded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application, advert)
);
