-- Rendered variants of serve-image (SPEC §11), kept in the blob store under `key`. The cache
-- has a size cap: the least recently used go first (`last_used_at` is written in batches).
CREATE TABLE image_variants (
    key          TEXT PRIMARY KEY,
    source_key   TEXT NOT NULL,
    mime_type    TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL
);

CREATE INDEX image_variants_last_used ON image_variants (last_used_at);
CREATE INDEX image_variants_source ON image_variants (source_key);
