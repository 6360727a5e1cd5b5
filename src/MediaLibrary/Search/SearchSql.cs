using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;

namespace MediaLibrary.Search;

/// The SQL of a search (SPEC §12) for one provider: the filters, the page with its keyset and
/// snapshot, the relevance tier and the `invalid` state condition from the media types.
internal sealed class SearchSql(Dialect dialect, MediaTypeCatalog types)
{
    // SQLite's condition for the words; the filters are exactly this when nothing else filters.
    public const string WordsOnly = "e.rowid IN (SELECT rowid FROM media_search WHERE media_search MATCH @match)";

    private static readonly string Columns = EntryRow.ColumnsWithReferenceCounts.Replace("media_entries.id", "e.id", StringComparison.Ordinal);

    private readonly bool _postgres = dialect.IsPostgres;
    private readonly string _invalid = InvalidCondition(types, dialect.IsPostgres);

    public string Filters(SearchQuery query, List<(string, object?)> parameters)
    {
        var conditions = new List<string>();
        if (query.Words.Count > 0)
        {
            if (_postgres)
            {
                parameters.Add(("words", string.Join(" & ", Terms(query, (w, last) => last ? w + ":*" : w))));
                conditions.Add("e.search_vector @@ to_tsquery('simple', media_search_words(@words))");
            }
            else
            {
                parameters.Add(("match", string.Join(' ', Terms(query, (w, last) => last ? $"\"{w}\"*" : $"\"{w}\""))));
                conditions.Add(WordsOnly);
            }
        }

        if (query.MediaType is not null)
        {
            parameters.Add(("mediaType", query.MediaType));
            conditions.Add("e.media_type = @mediaType");
        }

        if (query.SystemName is not null)
        {
            parameters.Add(("systemName", query.SystemName));
            conditions.Add("e.system_name = @systemName");
        }

        if (query.Archived is { } archived)
        {
            conditions.Add($"e.archived = {(archived ? dialect.True : dialect.False)}");
        }

        switch (query.State)
        {
            case EntryState.Revoked:
                conditions.Add($"e.revoked = {dialect.True}");
                break;
            case EntryState.Invalid:
                conditions.Add($"e.revoked = {dialect.False} AND ({_invalid})");
                break;
            case EntryState.Active:
                conditions.Add($"e.revoked = {dialect.False} AND NOT ({_invalid})");
                break;
        }

        if (query.LicenseProfiles is { } profiles)
        {
            parameters.Add(("licenseProfiles", profiles.ToArray()));
            conditions.Add(LicenseCondition());
        }

        Range("created_at", "createdFrom", ">=", query.CreatedFrom);
        Range("created_at", "createdBefore", "<", query.CreatedBefore);
        Range("updated_at", "updatedFrom", ">=", query.UpdatedFrom);
        Range("updated_at", "updatedBefore", "<", query.UpdatedBefore);
        return conditions.Count == 0 ? "1 = 1" : string.Join(" AND ", conditions);

        void Range(string column, string name, string op, DateTimeOffset? at)
        {
            if (at is { } value)
            {
                parameters.Add((name, value));
                conditions.Add($"e.{column} {op} @{name}");
            }
        }
    }

    /// The page: entries unchanged since the snapshot by their own sort time, and (on later pages,
    /// unless sorted by creation time, which never changes) entries changed since by the time they
    /// had at the snapshot. Each part is ordered and limited by itself, then merged.
    public string PageSql(SearchQuery query, string filters, bool byIndex)
    {
        var from = byIndex ? $"media_entries e INDEXED BY media_entries_{(query.ByCreation ? "created" : "updated")}" : "media_entries e";
        var column = query.ByCreation ? "created_at" : "updated_at";
        var (order, compare) = query.Descending ? ("DESC", "<") : ("ASC", ">");
        var relevance = query.Sort == SearchSort.Relevance;
        var tier = relevance ? TitleTier() : "0";
        var orderBy = relevance ? $"tier {order}, sk {order}, id {order}" : $"sk {order}, id {order}";

        string Keyset(string key, string id = "e.id") => relevance
            ? $"({tier}, {key}, {id}) {compare} (@cursorTier, @cursorKey, @cursorId)"
            : $"({key}, {id}) {compare} (@cursorKey, @cursorId)";

        if (query.After is null)
        {
            var snapshot = _postgres ? "pg_current_snapshot()::text" : "(SELECT coalesce(max(seq), 0) FROM search_changes)";
            return $"""
                SELECT {Columns}, e.{column} AS sk, {tier} AS tier, {snapshot} AS snapshot
                FROM {from}
                WHERE {filters}
                ORDER BY {orderBy}
                LIMIT @limit
                """;
        }

        // A change the snapshot did not see: SQLite numbers changes in commit order; PostgreSQL asks the snapshot.
        string ChangedSince(string alias) => _postgres
            ? $"{alias}.xid >= pg_snapshot_xmin(CAST(@snapshot AS pg_snapshot)) AND NOT pg_visible_in_snapshot({alias}.xid, CAST(@snapshot AS pg_snapshot))"
            : $"{alias}.seq > CAST(@snapshot AS INTEGER)";

        var unchanged = query.ByCreation
            ? $"NOT EXISTS (SELECT 1 FROM search_changes c WHERE c.entry_id = e.id AND {ChangedSince("c")} AND c.old_updated_at IS NULL)"
            : $"NOT EXISTS (SELECT 1 FROM search_changes c WHERE c.entry_id = e.id AND {ChangedSince("c")})";
        var partA = $"""
            SELECT {Columns}, e.{column} AS sk, {tier} AS tier
            FROM {from}
            WHERE {filters} AND {Keyset($"e.{column}")} AND {unchanged}
            ORDER BY {orderBy}
            LIMIT @limit
            """;
        if (query.ByCreation)
        {
            return partA;
        }

        // Walked in (old updatedAt, id) order from the cursor, so a page costs the same however
        // many changes came since the snapshot (scanning them all grew with every write).
        var changes = _postgres || relevance ? "search_changes c" : "search_changes c INDEXED BY search_changes_old";
        var partB = $"""
            SELECT {Columns}, c.old_updated_at AS sk, {tier} AS tier
            FROM {changes} JOIN media_entries e ON e.id = c.entry_id
            WHERE c.old_updated_at IS NOT NULL AND {ChangedSince("c")}
              AND NOT EXISTS (SELECT 1 FROM search_changes p WHERE p.entry_id = c.entry_id AND {ChangedSince("p")} AND p.seq < c.seq)
              AND {filters} AND {Keyset("c.old_updated_at", "c.entry_id")}
            ORDER BY {(relevance ? $"tier {order}, " : "")}c.old_updated_at {order}, c.entry_id {order}
            LIMIT @limit
            """;
        return $"""
            SELECT * FROM ({partA}) a
            UNION ALL
            SELECT * FROM ({partB}) b
            ORDER BY {orderBy}
            LIMIT @limit
            """;
    }

    /// 1 when every word is in the title (or a translated title), else 0: relevance ranks those
    /// first, then by updatedAt. It depends on the entry alone, so cursors stay valid as others write.
    private string TitleTier() => _postgres
        ? "(CASE WHEN e.search_vector @@ to_tsquery('simple', media_search_words(@titleWords)) THEN 1 ELSE 0 END)"
        : "(CASE WHEN e.rowid IN (SELECT rowid FROM media_search WHERE media_search MATCH @titleMatch) THEN 1 ELSE 0 END)";

    /// When an entry is `invalid` (besides revoked), in SQL, from the media types' li-invalid and
    /// li-datetime-validity properties: never NULL, so `NOT (…)` is `active`.
    public static string InvalidCondition(MediaTypeCatalog types, bool postgres)
    {
        var perType = new List<string>();
        foreach (var type in types.All)
        {
            var tests = new List<string>();
            foreach (var property in type.Metadata)
            {
                var handle = property.Handle;
                if (property.Type == "li-invalid")
                {
                    tests.Add(postgres
                        ? $"coalesce(e.metadata -> {Literal(handle)} = 'true'::jsonb, FALSE)"
                        : $"coalesce(json_type(e.metadata, {Literal(JsonPath(handle))}) = 'true', 0)");
                }
                else if (property.Type == "li-datetime-validity")
                {
                    foreach (var (bound, op) in new[] { ("from", ">"), ("to", "<") })
                    {
                        tests.Add(postgres
                            ? $"coalesce(CAST(e.metadata -> {Literal(handle)} ->> '{bound}' AS timestamptz) {op} @now, FALSE)"
                            : $"coalesce(julianday(json_extract(e.metadata, {Literal(JsonPath(handle) + "." + bound)})) {op} julianday(@now), 0)");
                    }
                }
            }

            if (tests.Count > 0)
            {
                perType.Add($"(e.media_type = {Literal(type.Handle)} AND ({string.Join(" OR ", tests)}))");
            }
        }

        return perType.Count == 0 ? (postgres ? "FALSE" : "0") : string.Join(" OR ", perType);
    }

    /// The entry's licence profile (each media type names it in its own property) is one of @licenseProfiles.
    private string LicenseCondition()
    {
        var perType = types.All.Where(t => t.LicenseProperty is not null).Select(t =>
        {
            var handle = t.LicenseProperty!.Handle;
            var value = _postgres ? $"e.metadata ->> {Literal(handle)}" : $"json_extract(e.metadata, {Literal(JsonPath(handle))})";
            return $"(e.media_type = {Literal(t.Handle)} AND {dialect.InList(value, "@licenseProfiles")})";
        }).ToList();
        return perType.Count == 0 ? (_postgres ? "FALSE" : "0") : $"({string.Join(" OR ", perType)})";
    }

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static string JsonPath(string handle) => "$.\"" + handle.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static void AddTitleParameters(SearchQuery query, List<(string, object?)> parameters, bool postgres)
    {
        if (query.Sort != SearchSort.Relevance)
        {
            return;
        }

        parameters.Add(postgres
            ? ("titleWords", string.Join(" & ", Terms(query, (w, last) => last ? w + ":*A" : w + ":A")))
            : ("titleMatch", string.Join(" AND ", Terms(query, (w, last) => last ? $"title : \"{w}\"*" : $"title : \"{w}\""))));
    }

    /// SPEC §12: the last word of `q` also matches as a prefix (search as the user types: `cov`
    /// finds "coverage"); the others match whole words. Words are letters, digits and marks only,
    /// so nothing in them is query syntax.
    private static IEnumerable<string> Terms(SearchQuery query, Func<string, bool, string> term) =>
        query.Words.Select((w, i) => term(w, i == query.Words.Count - 1));
}
