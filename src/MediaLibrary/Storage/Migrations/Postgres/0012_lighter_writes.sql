-- Retention finds old events by walking `position` (EventSequencer): one index less to write
-- with every event, twice on PostgreSQL (the insert and the sequencer's numbering).
-- (SQLite's 0012 also moves search indexing after the commit; PostgreSQL keeps each entry's
-- tsvector in its row, written with it: see SearchIndexer.)
DROP INDEX events_created;

-- The words of an entry, as 0010 gives them, with fewer queries: PL/pgSQL runs an expression
-- without a subquery on its fast path, and most entries have neither tags nor translations, so
-- their words are now found without one (the subqueries run only where there is an array).
CREATE OR REPLACE FUNCTION media_search_vector(metadata jsonb, asset jsonb, translations jsonb) RETURNS tsvector
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    tags text;
    translated_titles text;
    translated_texts text;
BEGIN
    IF jsonb_typeof(metadata->'tags') = 'array' THEN
        SELECT string_agg(g, ' ') INTO tags FROM jsonb_array_elements_text(metadata->'tags') g;
    END IF;
    IF jsonb_typeof(translations) = 'array' AND jsonb_array_length(translations) > 0 THEN
        SELECT string_agg(t->'metadata'->>'title', ' '),
               string_agg(concat_ws(' ', t->'metadata'->>'caption', t->'metadata'->>'credit', t->'metadata'->>'description', t->'asset'->>'filename'), ' ')
        INTO translated_titles, translated_texts
        FROM jsonb_array_elements(translations) t;
    END IF;
    RETURN setweight(to_tsvector('simple', regexp_replace(unaccent(concat_ws(' ', metadata->>'title', translated_titles)), '[._/\\-]+', ' ', 'g')), 'A')
        || setweight(to_tsvector('simple', regexp_replace(unaccent(concat_ws(' ', metadata->>'caption', metadata->>'credit', metadata->>'description',
                                                                              tags, asset->>'filename', translated_texts)), '[._/\\-]+', ' ', 'g')), 'B');
END
$$;
