-- Retention finds old events by walking `position` (EventSequencer): one index less to write
-- with every event, twice on PostgreSQL (the insert and the sequencer's numbering).
-- (SQLite's 0012 also moves search indexing after the commit; PostgreSQL keeps each entry's
-- tsvector in its row, written with it: see SearchIndexer.)
DROP INDEX events_created;
