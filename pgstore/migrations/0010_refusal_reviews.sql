-- A review may be of whether a refusal counted (S9.4, S8.4): review request --subject
-- refusal. The constraint 0008 added is named by PostgreSQL's default.
ALTER TABLE reviews DROP CONSTRAINT reviews_subject_check;
ALTER TABLE reviews ADD CONSTRAINT reviews_subject_check
    CHECK (subject IN ('band', 'effective_date', 'skip', 'refusal'));
