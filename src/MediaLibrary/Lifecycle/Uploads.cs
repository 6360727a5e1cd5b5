using MediaLibrary.Assets;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Lifecycle;

/// An entry would take bytes the orphan sweeper has already removed (an upload older than
/// `OrphanUploadHours` that no entry had named): the write is refused and undone.
internal sealed class SweptUploadException(string key)
    : Exception($"The upload '{key}' was removed: no entry named it within the configured hours. Upload the file again.")
{
    public string Key { get; } = key;
}

/// Bytes stored by an upload or an import by URL are recorded before they are stored; an entry
/// that takes the key removes the record in its transaction (<see cref="ClaimAsync"/>). What is
/// left after `OrphanUploadHours` is swept (<see cref="OrphanSweeper"/>).
internal static class Uploads
{
    /// Recorded before the bytes are stored: a process that dies in between leaves a record whose
    /// sweep removes nothing, never bytes that nobody knows of.
    public static async Task RecordAsync(Database database, string key, DateTimeOffset at, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync("INSERT INTO uploads (key, stored_at) VALUES (@key, @at) ON CONFLICT DO NOTHING", ct, ("key", key), ("at", at));
    }

    /// In the transaction of the entry that takes the key: the key is never swept. Throws when it already was.
    public static async Task ClaimAsync(DbSession session, string key, CancellationToken ct)
    {
        var claimed = await session.QueryAsync("DELETE FROM uploads WHERE key = @key RETURNING swept_at", r => r.IsDBNull(0), ct, ("key", key));
        if (claimed.Count > 0 && !claimed[0])
        {
            throw new SweptUploadException(key);
        }
    }
}

/// Removes uploads and fetched sources that no entry named within `OrphanUploadHours` (SPEC §14).
/// A record is marked swept in its own write, and only where no entry has the key, before the bytes
/// go; an entry that takes the key afterwards fails (<see cref="Uploads.ClaimAsync"/>). The marks
/// stay a day, for writes that checked the bytes before the sweep, then go with a second delete of
/// the bytes (a process that died between the mark and the delete leaves nothing behind).
internal sealed class OrphanSweeper(Database database, IBlobStore blobs, IOptions<LifecycleOptions> options, TimeProvider time, ILogger<OrphanSweeper> logger)
    : BackgroundService
{
    private const int Batch = 500;
    private static readonly TimeSpan KeepMarks = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EraseInBackground)
        {
            return;
        }

        var age = TimeSpan.FromHours(options.Value.OrphanUploadHours);
        var every = TimeSpan.FromSeconds(Math.Clamp(age.TotalSeconds / 4, 1, 3600));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SweepAsync(stoppingToken) == Batch)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Sweeping orphan uploads failed; trying again");
            }

            try
            {
                await Task.Delay(every, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// One batch of orphans swept and of old marks removed; how many orphans there were.
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        List<string> orphans, marks;
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            orphans = await look.QueryAsync<string>(
                "SELECT key FROM uploads WHERE swept_at IS NULL AND stored_at < @before ORDER BY stored_at LIMIT @limit", ct,
                ("before", now - TimeSpan.FromHours(options.Value.OrphanUploadHours)), ("limit", Batch));
            marks = await look.QueryAsync<string>("SELECT key FROM uploads WHERE swept_at < @before LIMIT @limit", ct,
                ("before", now - KeepMarks), ("limit", Batch));
        }

        var swept = 0;
        foreach (var key in orphans)
        {
            await using (var mark = await database.OpenAutocommitWriteAsync(ct))
            {
                if (await mark.ExecuteAsync(
                        """
                        UPDATE uploads SET swept_at = @now
                        WHERE key = @key AND swept_at IS NULL AND NOT EXISTS (SELECT 1 FROM media_entry_keys k WHERE k.key = @key)
                        """, ct, ("key", key), ("now", now)) == 0)
                {
                    continue;
                }
            }

            var size = (await blobs.StatAsync(key, ct))?.Length ?? 0;
            await blobs.DeleteAsync(key, ct);
            Hosting.Telemetry.OrphansSwept.Add(1);
            Hosting.Telemetry.OrphanBytesSwept.Add(size);
            swept++;
        }

        foreach (var key in marks)
        {
            await blobs.DeleteAsync(key, ct);
            await using var forget = await database.OpenAutocommitWriteAsync(ct);
            await forget.ExecuteAsync("DELETE FROM uploads WHERE key = @key AND swept_at IS NOT NULL", ct, ("key", key));
        }

        if (swept > 0)
        {
            logger.LogInformation("Swept {Count} orphan uploads older than {Hours} hours from the {Store} store", swept, options.Value.OrphanUploadHours, blobs.Name);
        }

        return orphans.Count;
    }
}
