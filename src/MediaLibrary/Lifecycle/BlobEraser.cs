using MediaLibrary.Assets;
using MediaLibrary.Delivery;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Lifecycle;

/// Works off `blob_erasures` (SPEC §14): the bytes of deleted entries and every variant rendered
/// from them leave the blob store. The queue is written in the delete's transaction, so a process
/// killed after the commit leaves the rows, and any process (this one after a restart) finishes
/// them. Erasing is idempotent: a blob already gone is fine, and two processes that erase the same
/// key at once do no harm. A row goes only once its blob and variants are gone; a failure waits
/// and tries again (the store may be down).
internal sealed class BlobEraser(
    Database database, IBlobStore blobs, VariantCache variants, IOptions<LifecycleOptions> options, TimeProvider time, ILogger<BlobEraser> logger)
    : BackgroundService
{
    private const int Batch = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// A delete committed in this process: erase now instead of at the next poll.
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EraseInBackground)
        {
            logger.LogInformation("Erasing deleted entries' blobs is off in this process (MediaLibrary:Lifecycle:EraseInBackground)");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await EraseDueAsync(stoppingToken) == Batch)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Erasing deleted entries' blobs failed; trying again");
            }

            try
            {
                await _wake.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// Erases the due keys, up to one batch; how many were due.
    public async Task<int> EraseDueAsync(CancellationToken ct)
    {
        List<(string Key, string EntryId, int Attempts)> due;
        await using (var session = await database.OpenSessionAsync(cancellationToken: ct))
        {
            due = await session.QueryAsync(
                "SELECT key, entry_id, attempts FROM blob_erasures WHERE next_attempt_at <= @now ORDER BY next_attempt_at, key LIMIT @limit",
                r => (r.GetString(0), r.GetString(1), Convert.ToInt32(r.GetValue(2))), ct, ("now", time.GetUtcNow()), ("limit", Batch));
        }

        using var activity = due.Count > 0 ? Hosting.Telemetry.Source.StartActivity("erase deleted blobs") : null;
        activity?.SetTag("medialibrary.due", due.Count);
        foreach (var (key, entryId, attempts) in due)
        {
            try
            {
                var erased = await EraseAsync(key, ct);
                await using var done = await database.OpenAutocommitWriteAsync(ct);
                await done.ExecuteAsync("DELETE FROM blob_erasures WHERE key = @key", ct, ("key", key));
                logger.LogInformation("Erased {Key} of deleted entry {EntryId} and {Variants} variants from the {Store} store", key, entryId, erased, blobs.Name);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 10 * Math.Pow(2, Math.Min(attempts, 12))));
                logger.LogWarning(e, "Erasing {Key} of deleted entry {EntryId} failed (attempt {Attempt}); trying again in {Wait}", key, entryId, attempts + 1, wait);
                await using var retry = await database.OpenAutocommitWriteAsync(ct);
                await retry.ExecuteAsync("UPDATE blob_erasures SET attempts = attempts + 1, next_attempt_at = @next WHERE key = @key", ct,
                    ("key", key), ("next", time.GetUtcNow() + wait));
            }
        }

        return due.Count;
    }

    /// The key's variants, then the key itself; how many variants there were.
    private async Task<int> EraseAsync(string key, CancellationToken ct)
    {
        List<string> rendered;
        await using (var session = await database.OpenSessionAsync(cancellationToken: ct))
        {
            if ((await session.QueryAsync<string>("SELECT entry_id FROM media_entry_keys WHERE key = @key LIMIT 1", ct, ("key", key))).Count > 0)
            {
                // An entry took these bytes again after the delete queued them (a client that
                // imported with the old key before the erasure): they are that entry's now.
                logger.LogWarning("Not erasing {Key}: an entry names it again", key);
                return 0;
            }

            rendered = await session.QueryAsync<string>("SELECT key FROM image_variants WHERE source_key = @key", ct, ("key", key));
        }

        foreach (var variant in rendered)
        {
            await blobs.DeleteAsync(variant, ct);
            Hosting.Telemetry.BlobsErased.Add(1, new KeyValuePair<string, object?>("kind", "variant"));
            await variants.ForgetAsync(variant, ct);
        }

        await blobs.DeleteAsync(key, ct);
        Hosting.Telemetry.BlobsErased.Add(1, new KeyValuePair<string, object?>("kind", "original"));
        return rendered.Count;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
