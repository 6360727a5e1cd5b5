using System.Globalization;
using System.Text.RegularExpressions;
using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;

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

    private readonly SearchSql _sql = new(database.Dialect, types);


    [GeneratedRegex(@"^[0-9]{1,20}:[0-9]{1,20}:([0-9]{1,20}(,[0-9]{1,20})*)?$")]
    private static partial Regex PgSnapshotPattern();

    /// Whether a cursor's snapshot is one this database could have given (it goes into SQL as a parameter either way).
    public bool IsSnapshot(string snapshot) =>
        _postgres ? PgSnapshotPattern().IsMatch(snapshot) : long.TryParse(snapshot, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    public async Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var parameters = new List<(string, object?)> { ("limit", query.Limit + 1), ("now", time.GetUtcNow()) };
        var filters = _sql.Filters(query, parameters);
        SearchSql.AddTitleParameters(query, parameters, _postgres);
        var after = query.After;
        await using var session = await database.OpenSessionAsync(planEachTime: true, cancellationToken: ct);

        // SQLite: how many entries hold the words, from the index alone (a 10,000-entry word in
        // under a millisecond). It decides the plan below, and is the total when nothing else filters.
        long? wordMatches = null;
        var byIndex = false;
        if (!_postgres && query.Words.Count > 0)
        {
            const string countWords = "SELECT count(*) FROM media_search WHERE media_search MATCH @match";
            wordMatches = await session.QueryFirstOrDefaultAsync<long>(countWords, null, ct, [.. parameters]);
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
        if (after is null && wordMatches is { } matches && filters == SearchSql.WordsOnly)
        {
            total = Math.Min(matches, TotalLimit + 1);
        }
        else if (after is null)
        {
            // Counted up to TotalLimit + 1, as Elasticsearch does by default: an exact count of a
            // broad filter over a million entries would cost more than the page itself.
            var countSql = $"SELECT count(*) FROM (SELECT 1 FROM media_entries e WHERE {filters} LIMIT {TotalLimit + 1}) counted";
            total = await session.QueryFirstOrDefaultAsync<long>(countSql, null, ct, [.. parameters]);
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
        var pageSql = _sql.PageSql(query, filters, byIndex);
        await session.QueryAsync(pageSql, r =>
        {
            // After the entry's columns: the sort key, the tier and the snapshot (SearchSql.PageSql).
            const int keyAt = EntryRow.NextOrdinal, tierAt = keyAt + 1, snapshotAt = keyAt + 2;
            var key = _postgres ? r.GetFieldValue<DateTime>(keyAt).ToString("O", CultureInfo.InvariantCulture) : r.GetString(keyAt);
            rows.Add((EntryRow.Read(r), Convert.ToInt32(r.GetValue(tierAt), CultureInfo.InvariantCulture), key, after?.Snapshot ?? Convert.ToString(r.GetValue(snapshotAt), CultureInfo.InvariantCulture)!));
            return 0;
        }, ct, [.. parameters]);

        var more = rows.Count > query.Limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var cursor = "";
        if (more)
        {
            var last = rows[^1];
            cursor = new SearchCursor(query.Sort, last.Snapshot, after?.TakenAt ?? time.GetUtcNow(), last.Tier, last.Key, last.Row.Id, total).Encode(query.Fingerprint());
        }

        return new SearchPage(rows.Select(r => r.Row).ToList(), total, cursor);
    }

    /// Deletes change rows no cursor can need any more; returns how many.
    public async Task<int> PruneChangesAsync(CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        // `at` grows with `seq`: everything below the first young row goes (found by walking
        // `seq` from the start, over the rows being deleted anyway; no index on `at` to keep up
        // on every write). The newest row always stays, so SQLite never numbers from 1 again. On
        // SQLite the indexer reads this log: rows it has not indexed yet stay (SearchIndexer).
        var prune =
            $"""
            DELETE FROM search_changes
            WHERE seq < coalesce((SELECT seq FROM search_changes WHERE at >= @before ORDER BY seq LIMIT 1),
                                 (SELECT max(seq) FROM search_changes))
            {(_postgres ? "" : "AND seq <= (SELECT position FROM search_index WHERE id = 1)")}
            """;
        return await session.ExecuteAsync(prune, ct, ("before", time.GetUtcNow() - CursorLifetime - TimeSpan.FromHours(1)));
    }

}
