-- Webhooks read the event log like a feed (SPEC §8): each webhook has a stream, its place in the
-- log, sent by one process at a time (the lease). A delivery gets a row in webhook_deliveries only
-- when its first attempt fails (then it is retried from there); first-attempt successes go to the
-- narrow webhook_delivered log, appended in the same transaction that moves the stream. Before,
-- every (event, webhook) was a row written when dispatched and written again when delivered.
CREATE TABLE webhook_streams (
    webhook     TEXT PRIMARY KEY,
    position    BIGINT NOT NULL,
    owner       TEXT NULL,
    lease_until TIMESTAMPTZ NULL
);

-- Webhooks that had deliveries continue where the dispatcher stopped: every event up to there has its row.
INSERT INTO webhook_streams (webhook, position)
SELECT DISTINCT webhook, (SELECT position FROM event_dispatch WHERE id = 1) FROM webhook_deliveries WHERE event_id IS NOT NULL;

DROP TABLE event_dispatch;

CREATE TABLE webhook_delivered (
    webhook      TEXT NOT NULL,
    event_id     BIGINT NOT NULL,
    status       INTEGER NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (webhook, event_id)
);
