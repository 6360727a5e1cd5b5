using MediaLibrary.Entries;
using MediaLibrary.Events;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Lifecycle;

/// What one routine would delete now, or did.
internal sealed record RoutineRun(string MediaType, int Count, IReadOnlyList<string> FirstIds);

/// Runs the media types' deletion routines (SPEC §14) every `RoutineMinutes`, in one process at a
/// time across all processes (a lease in `leases`, renewed between batches). A routine deletes
/// only entries not in use, never forced, each as a DELETE would (its own event, its bytes
/// erased after the commit), in batches of `RoutineBatch` per transaction: SQLite's writer is
/// never held for long. Each entry is checked again under its row lock before it goes, so an
/// entry that became in use (or stopped matching) since the selection stays, and two processes
/// that run at once delete each entry once.
internal sealed class DeletionRoutines(
    Database database, MediaTypeCatalog types, BlobEraser eraser, IOptions<LifecycleOptions> options, TimeProvider time,
    ILogger<DeletionRoutines> logger) : BackgroundService
{
    private const string LeaseName = "deletion-routines";

    /// The actor of a routine's delete events.
    public static readonly Actor RoutineActor = new("system", "deletion-routine");
    private static readonly TimeSpan LeaseFor = TimeSpan.FromMinutes(5);
    private readonly string _holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private static readonly string Columns = string.Join(", ", EntryRow.Columns.Split(", ").Select(c => "e." + c));

    public IEnumerable<MediaTypeDefinition> Routines => types.All.Where(t => t.DeletionRoutine is { Enabled: true }).OrderBy(t => t.Handle, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Routines.Any())
        {
            return;
        }

        var every = TimeSpan.FromMinutes(Math.Max(0.01, options.Value.RoutineMinutes));
        try
        {
            await Task.Delay(every < TimeSpan.FromMinutes(1) ? every : TimeSpan.FromMinutes(1), time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            using (var activity = Hosting.Telemetry.Source.StartActivity("deletion routines"))
            {
                try
                {
                    var runs = await RunAsync(stoppingToken);
                    activity?.SetTag("medialibrary.deleted", runs?.Sum(r => r.Count));
                    Hosting.Telemetry.RoutineRuns.Add(1, new KeyValuePair<string, object?>("outcome", runs is null ? "skipped" : "ok"));
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                    Hosting.Telemetry.RoutineRuns.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
                    logger.LogWarning(e, "The deletion routines failed; they run again in {Minutes} minutes", every.TotalMinutes);
                }
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

    /// What each routine would delete now (counts and the first ids), deleting nothing.
    public async Task<List<RoutineRun>> PreviewAsync(string? mediaType, int firstIds, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var runs = new List<RoutineRun>();
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        foreach (var type in Routines.Where(t => mediaType is null || t.Handle == mediaType))
        {
            var (where, parameters) = Candidates(type, now);
            var count = Convert.ToInt32((await session.QueryAsync($"SELECT COUNT(*) FROM media_entries e WHERE {where}", r => r.GetValue(0), ct, [.. parameters]))[0]);
            var ids = await session.QueryAsync<string>($"SELECT e.id FROM media_entries e WHERE {where} ORDER BY e.id LIMIT @first", ct, [.. parameters, ("first", firstIds)]);
            runs.Add(new RoutineRun(type.Handle, count, ids));
        }

        return runs;
    }

    /// Runs every enabled routine once, if this process gets the lease; null when another holds it.
    public async Task<List<RoutineRun>?> RunAsync(CancellationToken ct)
    {
        if (!await TakeLeaseAsync(ct))
        {
            logger.LogInformation("The deletion routines are running in another process; skipped here");
            return null;
        }

        var runs = new List<RoutineRun>();
        try
        {
            foreach (var type in Routines)
            {
                var run = await RunRoutineAsync(type, ct);
                runs.Add(run);
                if (run.Count > 0)
                {
                    logger.LogInformation("Deletion routine of {MediaType} deleted {Count} entries", type.Handle, run.Count);
                }
            }
        }
        finally
        {
            await ReleaseLeaseAsync(CancellationToken.None);
        }

        return runs;
    }

    private async Task<RoutineRun> RunRoutineAsync(MediaTypeDefinition type, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var (where, parameters) = Candidates(type, now);
        var batch = Math.Clamp(options.Value.RoutineBatch, 1, 1000);
        var deleted = 0;
        var first = new List<string>();
        var after = "";
        while (true)
        {
            List<string> ids;
            await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
            {
                ids = await look.QueryAsync<string>($"SELECT e.id FROM media_entries e WHERE {where} AND e.id > @after ORDER BY e.id LIMIT @batch", ct,
                    [.. parameters, ("after", after), ("batch", batch)]);
            }

            if (ids.Count == 0)
            {
                break;
            }

            after = ids[^1];
            await using (var session = await database.OpenWriteAsync(ct))
            {
                // Again, under the row locks: still there, still matching, still not in use.
                var rows = await session.QueryAsync(
                    $"SELECT {Columns} FROM media_entries e WHERE {database.Dialect.InList("e.id", "@ids")} AND {where} ORDER BY e.id{database.Dialect.ForUpdate}",
                    EntryRow.Read, ct, [.. parameters, ("ids", ids.ToArray())]);
                if (database.Dialect.IsPostgres && rows.Count > 0)
                {
                    // The locking statement judged use with the snapshot it started with; a publication
                    // that held an entry while it waited has committed since. A new statement sees it.
                    var free = (await session.QueryAsync<string>(
                        $"SELECT e.id FROM media_entries e WHERE {database.Dialect.InList("e.id", "@ids")} AND {EntryUsageRule.NotInUse("e", database.Dialect)}", ct,
                        ("ids", rows.Select(r => r.Id).ToArray()))).ToHashSet(StringComparer.Ordinal);
                    rows = [.. rows.Where(r => free.Contains(r.Id))];
                }

                await EntryDeleter.DeleteAllInAsync(session, rows, RoutineActor, time.StoredNow(), ct);
                await session.CommitAsync(ct);
                Hosting.Telemetry.Deletions.Add(rows.Count, new KeyValuePair<string, object?>("kind", "routine"));
                deleted += rows.Count;
                first.AddRange(rows.Take(10 - first.Count).Select(r => r.Id));
            }

            eraser.Wake();
            if (!await RenewLeaseAsync(ct))
            {
                logger.LogWarning("Lost the deletion routines' lease during the {MediaType} routine; stopping here", type.Handle);
                break;
            }
        }

        return new RoutineRun(type.Handle, deleted, first);
    }

    /// Entries of the type that match its routine and are not in use.
    private (string Where, List<(string Name, object? Value)> Parameters) Candidates(MediaTypeDefinition type, DateTimeOffset now)
    {
        var parameters = new List<(string Name, object? Value)> { ("mediaType", type.Handle) };
        var filter = type.DeletionRoutine!.Sql(database.Dialect, types, now, parameters);
        return ($"e.media_type = @mediaType AND {filter} AND {EntryUsageRule.NotInUse("e", database.Dialect)}", parameters);
    }

    private async Task<bool> TakeLeaseAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var session = await database.OpenWriteAsync(ct);
        await session.ExecuteAsync("INSERT INTO leases (name, holder, expires_at) VALUES (@name, '', @now) ON CONFLICT DO NOTHING", ct, ("name", LeaseName), ("now", now));
        var taken = await session.ExecuteAsync(
            "UPDATE leases SET holder = @holder, expires_at = @until WHERE name = @name AND (holder = @holder OR holder = '' OR expires_at < @now)", ct,
            ("holder", _holder), ("until", now + LeaseFor), ("name", LeaseName), ("now", now));
        await session.CommitAsync(ct);
        return taken == 1;
    }

    private async Task<bool> RenewLeaseAsync(CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        return await session.ExecuteAsync("UPDATE leases SET expires_at = @until WHERE name = @name AND holder = @holder", ct,
            ("until", time.GetUtcNow() + LeaseFor), ("name", LeaseName), ("holder", _holder)) == 1;
    }

    private async Task ReleaseLeaseAsync(CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync("UPDATE leases SET holder = '' WHERE name = @name AND holder = @holder", ct, ("name", LeaseName), ("holder", _holder));
    }
}
