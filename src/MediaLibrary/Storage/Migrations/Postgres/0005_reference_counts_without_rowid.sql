-- The SQLite script of this number rebuilds reference_counts without a rowid. PostgreSQL tables
-- have no rowid and its reference_counts is already keyed by its primary key: nothing to change.
-- The script exists so that both providers number their migrations alike.
SELECT 1;
