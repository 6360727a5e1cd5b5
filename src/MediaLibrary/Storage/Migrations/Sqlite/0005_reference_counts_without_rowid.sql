-- Every entry read looks up its two usage counts here: keyed by the primary key itself (no
-- rowid), one b-tree search each instead of an index search plus a row lookup.
CREATE TABLE reference_counts_keyed (
    target_id   TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    sources     INTEGER NOT NULL,
    PRIMARY KEY (target_id, source_kind)
) WITHOUT ROWID;

INSERT INTO reference_counts_keyed (target_id, source_kind, sources)
SELECT target_id, source_kind, sources FROM reference_counts;

DROP TABLE reference_counts;
ALTER TABLE reference_counts_keyed RENAME TO reference_counts;
