using System.Text.Json;
using MediaLibrary.Entries;
using MediaLibrary.Events;
using MediaLibrary.References;
using MediaLibrary.Storage;

namespace MediaLibrary.Lifecycle;

internal enum DeleteOutcome
{
    Deleted,
    NotFound,
    VersionConflict,
    InUse,
}

internal sealed record DeleteResult(DeleteOutcome Outcome, int CurrentVersion = 0, EntryUsage? Usage = null);

/// Deletes entries (SPEC §14): in one transaction the entry, its keys, its links, its validity
/// boundaries and its search row go, the `mediaLibraryEntry.delete` event carries every key it
/// had, and its bytes are queued for erasure (<see cref="BlobEraser"/>), which starts after the
/// commit. From the commit on, every process answers 404 for it: reads and serve-image look the
/// entry and its keys up in the database (SQLite's key cache is stamped with the database's change
/// number, so any commit makes it look again).
internal sealed class EntryDeleter(EntryStore entries, BlobEraser eraser, ILogger<EntryDeleter> logger)
{
    /// DELETE /mediaLibrary/{id}: `force` deletes an entry in use (an erasure).
    public async Task<DeleteResult> DeleteAsync(string id, int? expectedVersion, bool force, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var (session, row) = await entries.BeginUpdateAsync(id, ct);
        await using (session)
        {
            if (row is null)
            {
                return new DeleteResult(DeleteOutcome.NotFound);
            }

            if (expectedVersion is { } expected && expected != row.Version)
            {
                return new DeleteResult(DeleteOutcome.VersionConflict, row.Version);
            }

            var usage = await EntryUsageRule.OfAsync(session, id, row.Archived, ct);
            if (usage.InUse && !force)
            {
                return new DeleteResult(DeleteOutcome.InUse, row.Version, usage);
            }

            var keys = (await DeleteAllInAsync(session, [row], actor, now, ct))[id];
            await session.CommitAsync(ct);
            Hosting.Telemetry.Deletions.Add(1, new KeyValuePair<string, object?>("kind", usage.InUse ? "erase" : "delete"));
            eraser.Wake();
            logger.LogInformation("{Kind} entry {EntryId} ({MediaType}, version {Version}) by {Actor}; {Keys} keys queued for erasure",
                usage.InUse ? "Erased" : "Deleted", id, row.MediaType, row.Version, actor.Name ?? actor.Type, keys.Count);
            return new DeleteResult(DeleteOutcome.Deleted, row.Version, usage);
        }
    }

    /// The writes of deleting these entries in the caller's transaction, the rows read under their
    /// locks: a statement per table for all of them, an event each. The keys each had, by entry id.
    public static async Task<Dictionary<string, List<string>>> DeleteAllInAsync(
        DbSession session, IReadOnlyList<EntryRow> rows, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToArray();
        var keys = rows.ToDictionary(r => r.Id, _ => new List<string>(), StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return keys;
        }

        var dialect = session.Dialect;
        foreach (var (entry, key) in await session.QueryAsync(
                     $"SELECT entry_id, key FROM media_entry_keys WHERE {dialect.InList("entry_id", "@ids")} ORDER BY entry_id, key",
                     r => (r.GetString(0), r.GetString(1)), ct, ("ids", ids)))
        {
            keys[entry].Add(key);
        }

        if (!dialect.IsPostgres)
        {
            // FTS5 rows are keyed by the entry's rowid, which a later insert may take again: the row
            // goes with the entry (the indexer indexes only entries that exist).
            await session.ExecuteAsync($"DELETE FROM media_search WHERE rowid IN (SELECT rowid FROM media_entries WHERE {dialect.InList("id", "@ids")})", ct, ("ids", ids));
        }

        // The links their metadata made; links to them from documents and other entries stay (§5).
        foreach (var row in rows.Where(r => EntryStore.ReferencesOf(r.Metadata).Count > 0))
        {
            await ReferenceIndex.ReplaceMediaAsync(session, row.Id, [], ct);
        }

        foreach (var table in (string[])["validity_boundaries", "media_entry_keys", "published_entries"])
        {
            await session.ExecuteAsync($"DELETE FROM {table} WHERE {dialect.InList("entry_id", "@ids")}", ct, ("ids", ids));
        }

        await session.ExecuteAsync($"DELETE FROM media_entries WHERE {dialect.InList("id", "@ids")}", ct, ("ids", ids));
        var all = keys.SelectMany(k => k.Value.Select(key => (Key: key, EntryId: k.Key))).DistinctBy(k => k.Key).ToList();
        if (all.Count > 0)
        {
            // Bytes another entry still names stay with it; the rest leave the store after the commit.
            await session.ExecuteAsync(
                $"""
                INSERT INTO blob_erasures (key, entry_id, queued_at, attempts, next_attempt_at)
                SELECT k.key, k.entry_id, @now, 0, @now FROM {dialect.Rows("k", ("key", "@keys", "text"), ("entry_id", "@entries", "text"))}
                WHERE NOT EXISTS (SELECT 1 FROM media_entry_keys o WHERE o.key = k.key)
                ON CONFLICT DO NOTHING
                """, ct, ("keys", all.Select(k => k.Key).ToArray()), ("entries", all.Select(k => k.EntryId).ToArray()), ("now", now));
        }

        await EventLog.AppendAsync(session,
            [.. rows.Select(r => new NewEvent(EventNames.Delete, actor, MediaId: r.Id, MediaType: r.MediaType, Version: r.Version, Keys: keys[r.Id]))], now, ct);
        return keys;
    }
}
