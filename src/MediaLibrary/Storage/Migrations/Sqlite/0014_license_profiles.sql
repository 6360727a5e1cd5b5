-- Licence profiles and billing (SPEC §15).

-- What a use was recorded under, as it was then (a later config change does not alter it), and
-- whether it is billed: 1, 0, or NULL while a person has not decided.
ALTER TABLE usage_log ADD COLUMN license_profile TEXT NULL;
ALTER TABLE usage_log ADD COLUMN license_rule TEXT NULL;
ALTER TABLE usage_log ADD COLUMN billing INTEGER NULL;

-- A person approved an entry with an approval-requiring profile for one document: it lasts for
-- the document.
CREATE TABLE license_approvals (
    document_id INTEGER NOT NULL,
    entry_id    TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    approved_by TEXT NULL,
    PRIMARY KEY (document_id, entry_id)
) WITHOUT ROWID;
