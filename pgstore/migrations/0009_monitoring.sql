-- Equality monitoring (issue 15): the main applicant's ethnic group (the 2021 Census
-- groups for England), whether anyone in the household is disabled, and the main
-- applicant's economic status (CORE's categories). All optional: '' is "not recorded",
-- the value every application already held gets. No rule reads them; they feed
-- cbl equality and cbl export core only. Sex and age are already per member, household
-- type is derived from the members, and the scheme flags are the applications' own.
--
-- Columns on applications rather than a table of their own: they are one value each per
-- application, read with it, and a snapshot carries them in applications.csv.
ALTER TABLE applications
    ADD COLUMN ethnic_group text NOT NULL DEFAULT '' CHECK (ethnic_group IN ('',
        'white_british', 'white_irish', 'white_gypsy_traveller', 'white_roma', 'white_other',
        'mixed_white_black_caribbean', 'mixed_white_black_african', 'mixed_white_asian', 'mixed_other',
        'asian_indian', 'asian_pakistani', 'asian_bangladeshi', 'asian_chinese', 'asian_other',
        'black_caribbean', 'black_african', 'black_other', 'other_arab', 'other_any',
        'prefer_not_to_say')),
    ADD COLUMN disability text NOT NULL DEFAULT '' CHECK (disability IN ('', 'yes', 'no', 'prefer_not_to_say')),
    ADD COLUMN economic_status text NOT NULL DEFAULT '' CHECK (economic_status IN ('',
        'full_time', 'part_time', 'training', 'job_seeker', 'retired', 'not_seeking', 'student',
        'unable', 'child', 'other', 'prefer_not_to_say'));
