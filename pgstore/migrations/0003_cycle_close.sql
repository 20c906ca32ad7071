-- A cycle is closed once: cbl cycle close records when and by whom, in the same
-- transaction as the shortlists, so a cycle with closed_at set has exactly one set of
-- shortlists and closing it again is a no-op.
ALTER TABLE cycles
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN closed_by text NOT NULL DEFAULT '',
    ADD CHECK (closed_at IS NULL OR closed_by <> '');

-- The cycle a shortlist was made at the close of (NULL for shortlists made otherwise).
ALTER TABLE shortlists ADD COLUMN cycle bigint REFERENCES cycles (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX shortlists_cycle_advert ON shortlists (cycle, advert) WHERE cycle IS NOT NULL;
