using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MediaLibrary.Assets;
using MediaLibrary.Hosting;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Delivery;

/// A rendered variant in the blob store.
internal sealed record Variant(string Key, string MimeType, long Size);

/// Rendered variants live in the blob store (`_variants/…`) and in `image_variants`, so every
/// process serves what any process rendered. One process renders a variant once however many
/// requests ask for it at the same time; at most `Concurrency` renders run at once. Use times are
/// recorded in batches, and a background pass evicts the least recently used variants when the
/// cache is over its size cap.
internal sealed class VariantCache(
    Database database, IBlobStore blobs, ImageRenderer renderer, IOptions<TransformOptions> options, IOptions<MediaLibraryOptions> library,
    TimeProvider time, ILogger<VariantCache> logger) : BackgroundService
{
    public const string Prefix = "_variants/";

    private readonly ConcurrentDictionary<string, Variant> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<Variant>>> _rendering = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _renders = new(Math.Max(1, options.Value.Concurrency));

    // Small variants' bytes (thumbnails are a few KB): served without opening a file. A variant's
    // bytes never change under its key, so a copy here stays right even after eviction elsewhere.
    private readonly ConcurrentDictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);
    private long _bytesHeld;
    private const int SmallVariant = 64 * 1024;
    private long _renderCount;

    /// Bytes of small variants this process holds in memory (a gauge of /metrics).
    public long MemoryBytes => Interlocked.Read(ref _bytesHeld);

    /// Renders done by this process (tests count them).
    public long RenderCount => Interlocked.Read(ref _renderCount);

    private readonly ConcurrentDictionary<(string Source, string Canonical), string> _keys = new();

    /// The storage key of a source's variant: a digest of the source key and the canonical parameters.
    public static string KeyOf(string sourceKey, string canonical, string format)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceKey + "\n" + canonical)))[..40];
        return $"{Prefix}{digest[..2]}/{digest}.{format}";
    }

    /// The variant, rendered now if nobody has it yet.
    public async Task<Variant> GetAsync(string sourceKey, TransformSpec spec, string format, CancellationToken ct)
    {
        var canonical = spec.Canonical(format);
        if (!_keys.TryGetValue((sourceKey, canonical), out var key))
        {
            if (_keys.Count > 100_000)
            {
                _keys.Clear();
            }

            key = _keys[(sourceKey, canonical)] = KeyOf(sourceKey, canonical, format);
        }

        _used[key] = time.GetUtcNow();
        if (_known.TryGetValue(key, out var known))
        {
            Hosting.Telemetry.VariantLookups.Add(1, new KeyValuePair<string, object?>("result", "memory"));
            return known;
        }

        await using (var session = await database.OpenSessionAsync(cancellationToken: ct))
        {
            var stored = await session.QueryFirstOrDefaultAsync(
                "SELECT key, mime_type, size FROM image_variants WHERE key = @key",
                r => new Variant(r.GetString(0), r.GetString(1), r.GetInt64(2)), ct, ("key", key));
            if (stored is not null)
            {
                Hosting.Telemetry.VariantLookups.Add(1, new KeyValuePair<string, object?>("result", "store"));
                return Remember(stored);
            }
        }

        Hosting.Telemetry.VariantLookups.Add(1, new KeyValuePair<string, object?>("result", "render"));
        var render = _rendering.GetOrAdd(key, _ => new Lazy<Task<Variant>>(() => RenderAsync(key, sourceKey, spec, format)));
        try
        {
            // The render is shared: one waiting request that gives up does not cancel it for the others.
            return await render.Value.WaitAsync(ct);
        }
        finally
        {
            if (render.Value.IsCompleted)
            {
                _rendering.TryRemove(new KeyValuePair<string, Lazy<Task<Variant>>>(key, render));
            }
        }
    }

    /// The variant's blob was gone (evicted by another process): forget it, so the next request renders it again.
    public async Task ForgetAsync(string key, CancellationToken ct)
    {
        _known.TryRemove(key, out _);
        _bytes.TryRemove(key, out _);
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync("DELETE FROM image_variants WHERE key = @key", ct, ("key", key));
    }

    /// The variant's bytes when they are held in memory.
    public byte[]? BytesOf(string key) => _bytes.GetValueOrDefault(key);

    /// Keeps a small variant's bytes, within MemoryCacheBytes (when full, it starts over).
    public void Hold(string key, byte[] bytes)
    {
        if (bytes.Length > SmallVariant || _bytes.ContainsKey(key))
        {
            return;
        }

        if (Interlocked.Add(ref _bytesHeld, bytes.Length) > options.Value.MemoryCacheBytes)
        {
            _bytes.Clear();
            Interlocked.Exchange(ref _bytesHeld, bytes.Length);
        }

        _bytes[key] = bytes;
    }

    private Variant Remember(Variant variant)
    {
        if (_known.Count > 100_000)
        {
            _known.Clear();
        }

        return _known[variant.Key] = variant;
    }

    private async Task<Variant> RenderAsync(string key, string sourceKey, TransformSpec spec, string format)
    {
        await _renders.WaitAsync();
        try
        {
            // A request that missed just before another render of this variant finished: use that one.
            if (_known.TryGetValue(key, out var done))
            {
                return done;
            }

            var spoolDirectory = library.Value.SpoolDirectory;
            Directory.CreateDirectory(spoolDirectory);
            var source = Path.Combine(spoolDirectory, Guid.NewGuid().ToString("N") + ".source");
            byte[] bytes;
            var started = time.GetTimestamp();
            try
            {
                await SpoolAsync(sourceKey, source);
                using var activity = Hosting.Telemetry.Source.StartActivity("render variant");
                activity?.SetTag("medialibrary.variant.format", format);
                bytes = await Task.Run(() =>
                {
                    renderer.Dimensions(source);
                    return renderer.Render(source, spec, format);
                });
            }
            finally
            {
                File.Delete(source);
            }

            Interlocked.Increment(ref _renderCount);
            Hosting.Telemetry.Renders.Add(1);
            Hosting.Telemetry.RenderDuration.Record(time.GetElapsedTime(started).TotalSeconds);
            var spool = Path.Combine(spoolDirectory, Guid.NewGuid().ToString("N") + ".variant");
            await File.WriteAllBytesAsync(spool, bytes);
            Hosting.Telemetry.RenderedBytes.Add(bytes.Length);
            var mimeType = TransformSpec.MimeType(format);
            try
            {
                await blobs.PutFileAsync(key, spool, mimeType, CancellationToken.None);
            }
            catch (IOException)
            {
                File.Delete(spool);
                // Another process stored the same variant first (its bytes are these bytes); anything else is a real failure.
                if (await blobs.StatAsync(key, CancellationToken.None) is null)
                {
                    throw;
                }
            }
            var now = time.GetUtcNow();
            await using (var session = await database.OpenAutocommitWriteAsync())
            {
                await session.ExecuteAsync(
                    """
                    INSERT INTO image_variants (key, source_key, mime_type, size, created_at, last_used_at)
                    VALUES (@key, @sourceKey, @mimeType, @size, @now, @now)
                    ON CONFLICT (key) DO UPDATE SET size = excluded.size, mime_type = excluded.mime_type, last_used_at = excluded.last_used_at
                    """, CancellationToken.None, ("key", key), ("sourceKey", sourceKey), ("mimeType", mimeType), ("size", bytes.LongLength), ("now", now));
            }

            logger.LogInformation("Rendered {Variant} of {Key} ({Canonical}, {Size} bytes) in {Milliseconds:F0} ms",
                key, sourceKey, spec.Canonical(format), bytes.Length, time.GetElapsedTime(started).TotalMilliseconds);
            Hold(key, bytes);
            return Remember(new Variant(key, mimeType, bytes.LongLength));
        }
        finally
        {
            _renders.Release();
        }
    }

    /// Copies the source from the blob store to a local file for libvips, streaming.
    private async Task SpoolAsync(string key, string file)
    {
        await using var blob = await blobs.OpenAsync(key, 0, null, CancellationToken.None)
            ?? throw new UnrenderableException("The image's bytes are missing from storage.");
        await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        await blob.Content.CopyToAsync(output);
    }

    /// Every 30 s: record when variants were last used, and evict the least recently used ones
    /// while the cache is over its cap.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushUseAsync(stoppingToken);
                    await EvictAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "The variant cache pass failed; trying again");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task FlushUseAsync(CancellationToken ct)
    {
        var used = _used.ToArray();
        if (used.Length == 0)
        {
            return;
        }

        await using var session = await database.OpenWriteAsync(ct);
        foreach (var (key, at) in used)
        {
            await session.ExecuteAsync("UPDATE image_variants SET last_used_at = @at WHERE key = @key AND last_used_at < @at", ct, ("key", key), ("at", at));
        }

        await session.CommitAsync(ct);
        foreach (var (key, at) in used)
        {
            _used.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, at));
        }
    }

    /// Deletes the least recently used variants until the cache is within 90 % of its cap.
    public async Task<int> EvictAsync(CancellationToken ct, long? capBytes = null)
    {
        var cap = capBytes ?? options.Value.CacheMaxBytes;
        List<(string Key, long Size)> victims;
        await using (var session = await database.OpenSessionAsync(cancellationToken: ct))
        {
            var total = (await session.QueryAsync<long>("SELECT COALESCE(SUM(size), 0) FROM image_variants", ct))[0];
            if (total <= cap)
            {
                return 0;
            }

            var excess = total - (cap * 9 / 10);
            victims = [];
            foreach (var row in await session.QueryAsync("SELECT key, size FROM image_variants ORDER BY last_used_at, key LIMIT 10000",
                         r => (r.GetString(0), r.GetInt64(1)), ct))
            {
                if (excess <= 0)
                {
                    break;
                }

                victims.Add(row);
                excess -= row.Item2;
            }
        }

        // The rows go first, in one statement: a variant without its row is rendered again, never served stale.
        await using (var session = await database.OpenAutocommitWriteAsync(ct))
        {
            await session.ExecuteAsync($"DELETE FROM image_variants WHERE {database.Dialect.InList("key", "@keys")}", ct,
                ("keys", victims.Select(v => v.Key).ToArray()));
        }

        foreach (var (key, _) in victims)
        {
            _known.TryRemove(key, out _);
            if (_bytes.TryRemove(key, out var held))
            {
                Interlocked.Add(ref _bytesHeld, -held.Length);
            }

            await blobs.DeleteAsync(key, ct);
        }

        Hosting.Telemetry.VariantEvictions.Add(victims.Count);
        logger.LogInformation("Evicted {Count} variants ({Bytes} bytes) from the variant cache (cap {Cap} bytes)", victims.Count, victims.Sum(v => v.Size), cap);
        return victims.Count;
    }

    public override void Dispose()
    {
        _renders.Dispose();
        base.Dispose();
    }
}
