CREATE TABLE media_entries (
    id           TEXT PRIMARY KEY,
    version      INTEGER NOT NULL,
    media_type   TEXT NOT NULL,
    system_name  TEXT NULL,
    external_id  TEXT NULL,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE,
    revoke_note  TEXT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    asset        JSONB NOT NULL,
    metadata     JSONB NOT NULL,
    translations JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX media_entries_external ON media_entries (system_name, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX media_entries_revoked ON media_entries (revoked);

-- Every storage key an entry has used (current, translations, replaced): serve-image and CDN purges.
CREATE TABLE media_entry_keys (
    key        TEXT NOT NULL,
    entry_id   TEXT NOT NULL REFERENCES media_entries (id),
    PRIMARY KEY (key, entry_id)
);

CREATE INDEX media_entry_keys_entry ON media_entry_keys (entry_id);
