-- The usage log (SPEC §10, API 2026-05): where and when an entry was used, for rights and royalty
-- billing. `seq` keeps the order entries were reported in (an entry's log is listed oldest first);
-- `id` is the public id. Entries recorded on publish carry the document and publication, and
-- there is at most one per (entry, document, purpose): publishing again adds none.
CREATE TABLE usage_log (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    entry_id         TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    state            TEXT NOT NULL,
    params           TEXT NOT NULL,
    url              TEXT NULL,
    document_id      BIGINT NULL,
    publication_id   BIGINT NULL,
    publication_date TEXT NULL,
    reporting_date   TEXT NOT NULL,
    reported_by      TEXT NULL
);

CREATE INDEX usage_log_entry ON usage_log (entry_id, seq);
CREATE UNIQUE INDEX usage_log_publication ON usage_log (entry_id, document_id, purpose) WHERE document_id IS NOT NULL;
-- The billing export: by publication date then id, and the undated ones after them by id.
CREATE INDEX usage_log_billing ON usage_log (publication_date, id) WHERE publication_date IS NOT NULL;
CREATE INDEX usage_log_undated ON usage_log (id) WHERE publication_date IS NULL;
