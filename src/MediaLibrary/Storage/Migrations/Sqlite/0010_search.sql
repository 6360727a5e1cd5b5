-- Search (SPEC §12). `media_search` is an FTS5 index keyed by media_entries' rowid: `title`
-- (title and translated titles) ranks above `body` (caption, credit, description, tags,
-- filename, translated texts). Triggers keep it in the writer's transaction, whatever the path.
-- It holds no copy of the text (contentless, with deletes): a write that changes words touches
-- fewer pages, and one that does not change them (a revoke, a priority) touches none.
CREATE VIRTUAL TABLE media_search USING fts5(
    title, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');

-- Every change of an entry, in commit order (SQLite has one writer), with the updatedAt it had
-- before (NULL: the entry was created). A search cursor remembers the last `seq` it saw, so a
-- later page can put an entry changed since at the place it had on the first page: paging never
-- skips or repeats while others write. Rows older than a cursor may live are deleted, except the
-- newest (`seq` is the rowid: it must never start again below a number a cursor holds).
CREATE TABLE search_changes (
    seq            INTEGER PRIMARY KEY,
    entry_id       TEXT NOT NULL,
    old_updated_at TEXT NULL,
    at             TEXT NOT NULL
);

CREATE INDEX search_changes_entry ON search_changes (entry_id, seq);
-- A later page walks the changed entries by the updatedAt they had, from its cursor.
CREATE INDEX search_changes_old ON search_changes (old_updated_at, entry_id) WHERE old_updated_at IS NOT NULL;

CREATE INDEX media_entries_updated ON media_entries (updated_at, id);
CREATE INDEX media_entries_created ON media_entries (created_at, id);

-- The indexed words of each entry, written once: the backfill and both triggers read them here.
CREATE VIEW media_search_words AS
SELECT rowid AS entry_rowid,
       concat_ws(' ', json_extract(metadata, '$.title'),
                  (SELECT group_concat(json_extract(t.value, '$.metadata.title'), ' ') FROM json_each(translations) t)) AS title,
       concat_ws(' ', json_extract(metadata, '$.caption'), json_extract(metadata, '$.credit'), json_extract(metadata, '$.description'),
                  (SELECT group_concat(g.value, ' ') FROM json_each(metadata, '$.tags') g),
                  json_extract(asset, '$.filename'),
                  (SELECT group_concat(concat_ws(' ', json_extract(t.value, '$.metadata.caption'), json_extract(t.value, '$.metadata.credit'),
                                                 json_extract(t.value, '$.metadata.description'), json_extract(t.value, '$.asset.filename')), ' ')
                   FROM json_each(translations) t)) AS body
FROM media_entries;

INSERT INTO media_search (rowid, title, body) SELECT entry_rowid, title, body FROM media_search_words;

CREATE TRIGGER media_entries_search_insert AFTER INSERT ON media_entries
BEGIN
    INSERT INTO search_changes (entry_id, old_updated_at, at) VALUES (new.id, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO media_search (rowid, title, body) SELECT entry_rowid, title, body FROM media_search_words WHERE entry_rowid = new.rowid;
END;

CREATE TRIGGER media_entries_search_change AFTER UPDATE ON media_entries
BEGIN
    INSERT INTO search_changes (entry_id, old_updated_at, at) VALUES (new.id, old.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

-- Only when the indexed words change (the cheap JSON comparison first; the old row's words are
-- no longer in the view, so the comparison spells them out).
CREATE TRIGGER media_entries_search_text AFTER UPDATE OF metadata, translations, asset ON media_entries
WHEN (old.metadata IS NOT new.metadata OR old.translations IS NOT new.translations OR old.asset IS NOT new.asset)
 AND (concat_ws(' ', json_extract(old.metadata, '$.title'),
                  (SELECT group_concat(json_extract(t.value, '$.metadata.title'), ' ') FROM json_each(old.translations) t)) IS NOT concat_ws(' ', json_extract(new.metadata, '$.title'),
                  (SELECT group_concat(json_extract(t.value, '$.metadata.title'), ' ') FROM json_each(new.translations) t))
      OR concat_ws(' ', json_extract(old.metadata, '$.caption'), json_extract(old.metadata, '$.credit'), json_extract(old.metadata, '$.description'),
                  (SELECT group_concat(g.value, ' ') FROM json_each(old.metadata, '$.tags') g),
                  json_extract(old.asset, '$.filename'),
                  (SELECT group_concat(concat_ws(' ', json_extract(t.value, '$.metadata.caption'), json_extract(t.value, '$.metadata.credit'),
                                                 json_extract(t.value, '$.metadata.description'), json_extract(t.value, '$.asset.filename')), ' ')
                   FROM json_each(old.translations) t)) IS NOT concat_ws(' ', json_extract(new.metadata, '$.caption'), json_extract(new.metadata, '$.credit'), json_extract(new.metadata, '$.description'),
                  (SELECT group_concat(g.value, ' ') FROM json_each(new.metadata, '$.tags') g),
                  json_extract(new.asset, '$.filename'),
                  (SELECT group_concat(concat_ws(' ', json_extract(t.value, '$.metadata.caption'), json_extract(t.value, '$.metadata.credit'),
                                                 json_extract(t.value, '$.metadata.description'), json_extract(t.value, '$.asset.filename')), ' ')
                   FROM json_each(new.translations) t)))
BEGIN
    DELETE FROM media_search WHERE rowid = old.rowid;
    INSERT INTO media_search (rowid, title, body) SELECT entry_rowid, title, body FROM media_search_words WHERE entry_rowid = new.rowid;
END;
