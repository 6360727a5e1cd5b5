-- Import by URL (SPEC §9): a job and its items live here, so a job outlives the process that
-- accepted it. Items are claimed with a lease (each fetched by one process at a time); the job's
-- counters are updated in the transaction that finishes an item, so the one that finishes the
-- last item knows it and finishes the job.
CREATE TABLE import_jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    system_name TEXT NOT NULL,
    webhook     TEXT NULL,
    context     TEXT NULL,
    actor_name  TEXT NULL,
    state       TEXT NOT NULL,
    total       INTEGER NOT NULL,
    succeeded   INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT NOT NULL,
    finished_at TEXT NULL
);

CREATE TABLE import_items (
    job_id      TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    url         TEXT NOT NULL,
    host        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT NULL,
    result      TEXT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT NULL,
    worker      TEXT NULL,
    PRIMARY KEY (job_id, position)
);

CREATE INDEX import_items_pending ON import_items (job_id, position) WHERE state = 'pending';
