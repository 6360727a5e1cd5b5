-- The lifecycle (SPEC §14): deleting entries, erasing their bytes, sweeping orphan uploads.

-- `mediaLibraryEntry.delete` carries every key the entry ever had (a JSON array): afterwards
-- nobody can ask.
ALTER TABLE events ADD COLUMN keys TEXT NULL;

-- Entries that were ever part of a published document (they were shown to readers): "in use"
-- for ever, even after the document is unpublished. Written when a publication references them.
CREATE TABLE published_entries (
    entry_id           TEXT PRIMARY KEY,
    first_published_at TEXT NOT NULL
) WITHOUT ROWID;

-- What is published now, what was published and then unpublished (the publication keeps its
-- content), and what the usage log saw published.
INSERT INTO published_entries (entry_id, first_published_at)
SELECT r.target_id, MIN(p.first_publication_date)
FROM document_references r JOIN publications p ON p.document_id = r.document_id
GROUP BY r.target_id
ON CONFLICT DO NOTHING;

INSERT INTO published_entries (entry_id, first_published_at)
SELECT t.value, MIN(p.first_publication_date)
FROM publications p, json_tree(p.content) t
WHERE t.key = 'mediaId' AND t.type = 'text'
GROUP BY t.value
ON CONFLICT DO NOTHING;

INSERT INTO published_entries (entry_id, first_published_at)
SELECT t.value, MIN(p.first_publication_date)
FROM publications p, json_tree(p.metadata) t
WHERE ((t.key = 'mediaId') OR (t.key = 'id' AND t.path LIKE '%.reference')) AND t.type = 'text'
GROUP BY t.value
ON CONFLICT DO NOTHING;

INSERT INTO published_entries (entry_id, first_published_at)
SELECT entry_id, MIN(publication_date) FROM usage_log WHERE document_id IS NOT NULL AND publication_date IS NOT NULL
GROUP BY entry_id
ON CONFLICT DO NOTHING;

-- Keys whose bytes (and rendered variants) must leave the blob store: written in the transaction
-- of the delete, worked off by any process after the commit (BlobEraser), removed once done.
CREATE TABLE blob_erasures (
    key             TEXT PRIMARY KEY,
    entry_id        TEXT NOT NULL,
    queued_at       TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL
);

CREATE INDEX blob_erasures_due ON blob_erasures (next_attempt_at);

-- Bytes stored by an upload or an import by URL that no entry has named yet. An entry that takes
-- the key removes its row in its transaction; the sweeper marks a row `swept_at` (in its own
-- transaction, before it removes the bytes), and an entry that would take a swept key fails.
CREATE TABLE uploads (
    key       TEXT PRIMARY KEY,
    stored_at TEXT NOT NULL,
    swept_at  TEXT NULL
);

CREATE INDEX uploads_stored ON uploads (stored_at);

-- One process at a time runs the deletion routines (a lease, as the webhook streams have).
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
