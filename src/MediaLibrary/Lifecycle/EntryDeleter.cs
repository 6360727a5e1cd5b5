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

            var keys = await DeleteInAsync(session, row, actor, now, ct);
            await session.CommitAsync(ct);
            eraser.Wake();
            logger.LogInformation("{Kind} entry {EntryId} ({MediaType}, version {Version}) by {Actor}; {Keys} keys queued for erasure",
                usage.InUse ? "Erased" : "Deleted", id, row.MediaType, row.Version, actor.Name ?? actor.Type, keys.Count);
            return new DeleteResult(DeleteOutcome.Deleted, row.Version, usage);
        }
    }

    /// The writes of one delete in the caller's transaction, the row read under its lock; the keys it had.
    public static async Task<List<string>> DeleteInAsync(DbSession session, EntryRow row, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var id = row.Id;
        var keys = await session.QueryAsync<string>("SELECT key FROM media_entry_keys WHERE entry_id = @id ORDER BY key", ct, ("id", id));
        if (!session.Dialect.IsPostgres)
        {
            // FTS5 rows are keyed by the entry's rowid, which a later insert may take again: the row
            // goes with the entry (the indexer indexes only entries that exist).
            await session.ExecuteAsync("DELETE FROM media_search WHERE rowid = (SELECT rowid FROM media_entries WHERE id = @id)", ct, ("id", id));
        }

        // The links its metadata made; links to it from documents and other entries stay (§5).
        await ReferenceIndex.ReplaceMediaAsync(session, id, [], ct);
        await session.ExecuteAsync("DELETE FROM validity_boundaries WHERE entry_id = @id", ct, ("id", id));
        await session.ExecuteAsync("DELETE FROM media_entry_keys WHERE entry_id = @id", ct, ("id", id));
        await session.ExecuteAsync("DELETE FROM published_entries WHERE entry_id = @id", ct, ("id", id));
        await session.ExecuteAsync("DELETE FROM media_entries WHERE id = @id", ct, ("id", id));
        if (keys.Count > 0)
        {
            // Bytes another entry still names stay with it; the rest leave the store after the commit.
            await session.ExecuteAsync(
                $"""
                INSERT INTO blob_erasures (key, entry_id, queued_at, attempts, next_attempt_at)
                SELECT k.key, @id, @now, 0, @now FROM {session.Dialect.Rows("k", ("key", "@keys", "text"))}
                WHERE NOT EXISTS (SELECT 1 FROM media_entry_keys o WHERE o.key = k.key)
                ON CONFLICT DO NOTHING
                """, ct, ("keys", keys.ToArray()), ("id", id), ("now", now));
            await session.ExecuteAsync($"DELETE FROM uploads WHERE {session.Dialect.InList("key", "@keys")}", ct, ("keys", keys.ToArray()));
        }

        await EventLog.AppendAsync(session, [new NewEvent(EventNames.Delete, actor, MediaId: id, MediaType: row.MediaType, Version: row.Version, Keys: keys)], now, ct);
        return keys;
    }
}
