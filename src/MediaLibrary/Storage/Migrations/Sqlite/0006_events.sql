-- The event log (SPEC §8). `position` is the public event id. SQLite has one writer at a time,
-- so transactions commit in the order they wrote: the position is given as the row is inserted
-- (PostgreSQL numbers events after they commit; see its script).
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    position    BIGINT NULL,
    name        TEXT NOT NULL,
    media_id    TEXT NULL,
    document_id BIGINT NULL,
    media_type  TEXT NULL,
    version     INTEGER NULL,
    actor_type  TEXT NOT NULL,
    actor_name  TEXT NULL,
    changed     TEXT NULL,
    created_at  TEXT NOT NULL
);

CREATE UNIQUE INDEX events_position ON events (position);
CREATE INDEX events_unpositioned ON events (seq) WHERE position IS NULL;
CREATE INDEX events_media ON events (media_id, position);
CREATE INDEX events_created ON events (created_at);

-- How far webhook deliveries have been created: events up to this position are dispatched.
CREATE TABLE event_dispatch (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position BIGINT NOT NULL
);

INSERT INTO event_dispatch (id, position) VALUES (1, 0);

-- One row per (event, webhook) and per import-job callback: the outbox the senders claim.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    event_id        BIGINT NULL,
    webhook         TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT NULL,
    last_status     INTEGER NULL,
    last_error      TEXT NULL,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT NULL
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook, created_at);

-- Future li-datetime-validity boundaries: the validity clock emits active/invalid when one passes.
CREATE TABLE validity_boundaries (
    entry_id TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (entry_id, at)
);

CREATE INDEX validity_boundaries_at ON validity_boundaries (at);
