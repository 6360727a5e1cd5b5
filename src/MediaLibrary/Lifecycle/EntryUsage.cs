using MediaLibrary.Storage;

namespace MediaLibrary.Lifecycle;

/// Why an entry may not be deleted (SPEC §14), as the 409 `EntryInUse` answer shows it.
public sealed record EntryUsage(int Documents, int MediaLibraryEntries, int UsageLog, bool Published, bool Archived)
{
    /// In use: referenced by a published document or by another entry, has usage-log entries, was
    /// ever part of a published document, or is archived.
    public bool InUse => Documents > 0 || MediaLibraryEntries > 0 || UsageLog > 0 || Published || Archived;
}

/// The one place that says whether an entry is in use: the delete endpoint, the deletion routines
/// and the UI ask here. The document references index holds only what is published now
/// (unpublishing removes a document's references, §5); `published_entries` remembers what ever was.
internal static class EntryUsageRule
{
    private const string Counts =
        """
        SELECT (SELECT COUNT(DISTINCT document_id) FROM document_references WHERE target_id = @id),
               (SELECT COUNT(DISTINCT source_id) FROM media_references WHERE target_id = @id AND source_id <> @id),
               (SELECT COUNT(*) FROM usage_log WHERE entry_id = @id),
               (SELECT COUNT(*) FROM published_entries WHERE entry_id = @id)
        """;

    /// The usage of one entry, read in the caller's transaction (under the delete's row lock).
    public static async Task<EntryUsage> OfAsync(DbSession session, string id, bool archived, CancellationToken ct) =>
        (await session.QueryAsync(Counts, r => new EntryUsage(
            Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), Convert.ToInt32(r.GetValue(2)), Convert.ToInt64(r.GetValue(3)) > 0, archived), ct, ("id", id)))[0];

    /// The same rule as a condition on `media_entries` under `alias`: true for entries not in use
    /// (the deletion routines select with it, then check each entry again under its lock).
    public static string NotInUse(string alias, Dialect dialect) =>
        $"""
        {alias}.archived = {dialect.False}
        AND NOT EXISTS (SELECT 1 FROM document_references r WHERE r.target_id = {alias}.id)
        AND NOT EXISTS (SELECT 1 FROM media_references m WHERE m.target_id = {alias}.id AND m.source_id <> {alias}.id)
        AND NOT EXISTS (SELECT 1 FROM usage_log u WHERE u.entry_id = {alias}.id)
        AND NOT EXISTS (SELECT 1 FROM published_entries p WHERE p.entry_id = {alias}.id)
        """;

    /// A publication shows these entries to readers: they stay "ever published" after an unpublish.
    public static Task RecordPublishedAsync(DbSession session, IEnumerable<string> entryIds, DateTimeOffset at, CancellationToken ct)
    {
        var ids = entryIds.Distinct(StringComparer.Ordinal).ToArray();
        return ids.Length == 0
            ? Task.CompletedTask
            : session.ExecuteAsync(
                $"""
                INSERT INTO published_entries (entry_id, first_published_at)
                SELECT p.entry_id, @at FROM {session.Dialect.Rows("p", ("entry_id", "@ids", "text"))} WHERE true
                ON CONFLICT DO NOTHING
                """, ct, ("ids", ids), ("at", at));
    }
}
