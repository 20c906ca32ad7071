-- A close's autobids are kept once, as its shortlist entries (autobid = true, with the
-- time placed), and no longer copied into bids as well. At national scale a close
-- placed 266k autobids, and copying them into bids — a foreign-key check and a row lock
-- on each one's application, two index entries — took 5–8 s of the close and about
-- 230 MB of its WAL, for rows the entries already held. Bids placed by applicants and
-- officers (and autobids brought in by an import) stay in bids; bids_all is every bid,
-- autobids included, and is what cbl reads bids from.

-- Autobids earlier closes copied into bids are held once, in their entries.
DELETE FROM bids b USING shortlists s, shortlist_entries e
WHERE b.autobid AND s.advert = b.advert AND e.shortlist = s.id AND e.cycle = s.cycle
    AND e.application = b.application AND e.autobid;

-- An application's autobids, for its bid list and for the adverts a decision about it
-- touches.
CREATE INDEX shortlist_entries_autobids ON shortlist_entries (application) WHERE autobid;

CREATE VIEW bids_all AS
SELECT application, advert, placed, autobid, withdrawn, placed_by FROM bids
UNION ALL
SELECT e.application, s.advert, e.placed, true, NULL::timestamptz, 'autobid'
FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist AND s.cycle = e.cycle
WHERE e.autobid;

-- Positions are written once, by the close, from a shortlist the engine ranked (nothing
-- updates an entry after it), and cbl cycle verify ranks the record again and compares
-- every entry; the unique index on (shortlist, position) cost a national close 29 MB and
-- a sort of 757k entries at the attach, to guard against a writer that does not exist.
ALTER TABLE shortlist_entries DROP CONSTRAINT shortlist_entries_position;

-- A close's recorded inputs are gzipped already: PostgreSQL's own compression of them
-- (tried on every value over 2 kB) spent a national close's CPU for nothing.
ALTER TABLE cycle_inputs ALTER COLUMN head SET STORAGE EXTERNAL,
    ALTER COLUMN applications SET STORAGE EXTERNAL, ALTER COLUMN states SET STORAGE EXTERNAL;
