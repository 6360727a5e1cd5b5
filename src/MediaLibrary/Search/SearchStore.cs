using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;
using Microsoft.Data.Sqlite;

namespace MediaLibrary.Search;

internal sealed record SearchPage(List<EntryRow> Rows, long Total, string Cursor);

/// Search over media_entries (SPEC §12): SQLite FTS5 (`media_search`) or PostgreSQL's
/// `search_vector`, both kept by triggers in the writer's transaction (migration 0010).
///
/// Paging: keyset over (tier, sort time, id). A cursor remembers the snapshot of the first page;
/// a later page reads entries unchanged since that snapshot by their current sort time and
/// entries changed since by the time they had then (the oldest `search_changes` row after the
/// snapshot), and leaves out entries created since. So an entry that existed at the first page is
/// never skipped or repeated while others write. Filters and words are matched against the
/// entry as it is now: an entry edited so it no longer matches drops out.
internal sealed partial class SearchStore(Database database, MediaTypeCatalog types, TimeProvider time)
{
    /// How long a cursor may be used; the change log is kept a little longer.
    public static readonly TimeSpan CursorLifetime = TimeSpan.FromHours(24);

    /// `total` counts matches up to this; beyond it the answer says `"totalRelation": "gte"`.
    public const int TotalLimit = 10_000;

    private readonly bool _postgres = database.Dialect.IsPostgres;

    // SQLite's condition for the words; the filters are exactly this when nothing else filters.
    private const string WordsOnly = "e.rowid IN (SELECT rowid FROM media_search WHERE media_search MATCH @match)";
    private readonly string _invalid = InvalidCondition(types, database.Dialect.IsPostgres);

    private static readonly string Columns = EntryRow.ColumnsWithReferenceCounts.Replace("media_entries.id", "e.id", StringComparison.Ordinal);

    [GeneratedRegex(@"^[0-9]{1,20}:[0-9]{1,20}:([0-9]{1,20}(,[0-9]{1,20})*)?$")]
    private static partial Regex PgSnapshotPattern();

    /// Whether a cursor's snapshot is one this database could have given (it goes into SQL as a parameter either way).
    public bool IsSnapshot(string snapshot) =>
        _postgres ? PgSnapshotPattern().IsMatch(snapshot) : long.TryParse(snapshot, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    public async Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var parameters = new List<(string, object?)> { ("limit", query.Limit + 1), ("now", time.GetUtcNow()) };
        var filters = Filters(query, parameters);
        AddTitleParameters(query, parameters, _postgres);
        var after = query.After;
        await using var session = await database.OpenSessionAsync(planEachTime: true, cancellationToken: ct);

        // SQLite: how many entries hold the words, from the index alone (a 10,000-entry word in
        // under a millisecond). It decides the plan below, and is the total when nothing else filters.
        long? wordMatches = null;
        var byIndex = false;
        if (!_postgres && query.Words.Count > 0)
        {
            const string countWords = "SELECT count(*) FROM media_search WHERE media_search MATCH @match";
            wordMatches = await session.QueryFirstOrDefaultAsync<long>(countWords, null, ct, Used(countWords, parameters));
            // A common word in time order: walk the sort index and keep the entries that match
            // (about limit × entries / matches steps) instead of sorting every match (matches
            // row reads, each dearer than a step); max(rowid) stands in for the entry count.
            if (query.Sort != SearchSort.Relevance && wordMatches > 0)
            {
                var entries = await session.QueryFirstOrDefaultAsync<long>("SELECT coalesce(max(rowid), 0) FROM media_entries", null, ct);
                byIndex = wordMatches.Value * wordMatches.Value * 6 > (long)(query.Limit + 1) * entries;
            }
        }

        long total;
        if (after is null && wordMatches is { } matches && filters == WordsOnly)
        {
            total = Math.Min(matches, TotalLimit + 1);
        }
        else if (after is null)
        {
            // Counted up to TotalLimit + 1, as Elasticsearch does by default: an exact count of a
            // broad filter over a million entries would cost more than the page itself.
            var countSql = $"SELECT count(*) FROM (SELECT 1 FROM media_entries e WHERE {filters} LIMIT {TotalLimit + 1}) counted";
            total = await session.QueryFirstOrDefaultAsync<long>(countSql, null, ct, Used(countSql, parameters));
        }
        else
        {
            total = after.Total;
            parameters.Add(("snapshot", after.Snapshot));
            parameters.Add(("cursorKey", _postgres ? DateTimeOffset.Parse(after.Key, CultureInfo.InvariantCulture) : after.Key));
            parameters.Add(("cursorId", after.Id));
            parameters.Add(("cursorTier", after.Tier));
        }

        var rows = new List<(EntryRow Row, int Tier, string Key, string Snapshot)>();
        var pageSql = PageSql(query, filters, byIndex);
        await session.QueryAsync(pageSql, r =>
        {
            var key = _postgres ? r.GetFieldValue<DateTime>(15).ToString("O", CultureInfo.InvariantCulture) : r.GetString(15);
            rows.Add((EntryRow.Read(r), Convert.ToInt32(r.GetValue(16), CultureInfo.InvariantCulture), key, after?.Snapshot ?? Convert.ToString(r.GetValue(17), CultureInfo.InvariantCulture)!));
            return 0;
        }, ct, Used(pageSql, parameters));

        var more = rows.Count > query.Limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var cursor = "";
        if (more)
        {
            var last = rows[^1];
            cursor = new SearchCursor(query.Sort, last.Snapshot, after?.TakenAt ?? time.GetUtcNow(), last.Tier, last.Key, last.Row.Id, total, query.Fingerprint()).Encode();
        }

        return new SearchPage(rows.Select(r => r.Row).ToList(), total, cursor);
    }

    // A statement gets exactly the parameters it names, always in the same order: SQLite sessions
    // keep prepared statements by their text and bind by position.
    private static (string, object?)[] Used(string sql, List<(string Name, object? Value)> parameters) =>
        parameters.Where(p => sql.Contains("@" + p.Name, StringComparison.Ordinal)).ToArray();

    /// Deletes change rows no cursor can need any more; returns how many.
    public async Task<int> PruneChangesAsync(CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        // `at` grows with `seq`: everything below the first young row goes (found by walking
        // `seq` from the start, over the rows being deleted anyway; no index on `at` to keep up
        // on every write). The newest row always stays, so SQLite never numbers from 1 again.
        const string prune =
            """
            DELETE FROM search_changes
            WHERE seq < coalesce((SELECT seq FROM search_changes WHERE at >= @before ORDER BY seq LIMIT 1),
                                 (SELECT max(seq) FROM search_changes))
            """;
        return await session.ExecuteAsync(prune, ct, ("before", time.GetUtcNow() - CursorLifetime - TimeSpan.FromHours(1)));
    }

    private string Filters(SearchQuery query, List<(string, object?)> parameters)
    {
        var conditions = new List<string>();
        var dialect = database.Dialect;
        if (query.Words.Count > 0)
        {
            if (_postgres)
            {
                parameters.Add(("words", string.Join(" & ", query.Words)));
                conditions.Add("e.search_vector @@ to_tsquery('simple', media_search_words(@words))");
            }
            else
            {
                parameters.Add(("match", string.Join(' ', query.Words.Select(w => $"\"{w}\""))));
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
    private string PageSql(SearchQuery query, string filters, bool byIndex)
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
    private static string InvalidCondition(MediaTypeCatalog types, bool postgres)
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

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string JsonPath(string handle) => "$.\"" + handle.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void AddTitleParameters(SearchQuery query, List<(string, object?)> parameters, bool postgres)
    {
        if (query.Sort != SearchSort.Relevance)
        {
            return;
        }

        parameters.Add(postgres
            ? ("titleWords", string.Join(" & ", query.Words.Select(w => w + ":A")))
            : ("titleMatch", string.Join(" AND ", query.Words.Select(w => $"title : \"{w}\""))));
    }
}
