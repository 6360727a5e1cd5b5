CREATE TABLE documents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    system_name  TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    content_type TEXT NOT NULL,
    title        TEXT NULL,
    metadata     TEXT NOT NULL,
    content      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (system_name, external_id)
);

-- The latest publication of a document; `live` is false after an unpublish.
CREATE TABLE publications (
    document_id            INTEGER PRIMARY KEY REFERENCES documents (id),
    publication_id         INTEGER NOT NULL,
    live                   INTEGER NOT NULL DEFAULT 1,
    content_type           TEXT NOT NULL,
    metadata               TEXT NOT NULL,
    content                TEXT NOT NULL,
    first_publication_date TEXT NOT NULL,
    last_publication_date  TEXT NOT NULL
);

-- References index (SPEC §5), kept in the transaction of the write that changes it.
-- kind: 'directive' or 'metadata'; the reference's type comes from the referenced entry at read time.
CREATE TABLE document_references (
    target_id      TEXT NOT NULL,
    document_id    INTEGER NOT NULL,
    ordinal        INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    component_id   TEXT NULL,
    component_name TEXT NULL,
    directive_name TEXT NULL,
    property_name  TEXT NULL,
    PRIMARY KEY (target_id, document_id, ordinal)
);
CREATE INDEX document_references_source ON document_references (document_id);

CREATE TABLE media_references (
    target_id     TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    ordinal       INTEGER NOT NULL,
    property_name TEXT NOT NULL,
    PRIMARY KEY (target_id, source_id, ordinal)
);
CREATE INDEX media_references_source ON media_references (source_id);

-- Distinct sources per target, so `total` is one row read at any depth.
CREATE TABLE reference_counts (
    target_id   TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    sources     INTEGER NOT NULL,
    PRIMARY KEY (target_id, source_kind)
);
