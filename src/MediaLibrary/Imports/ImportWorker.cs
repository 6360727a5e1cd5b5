using System.Collections.Concurrent;
using MediaLibrary.Events;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Imports;

/// Works through the items of import jobs in every API process: claims due items (at most
/// `Concurrency` at a time, `ConcurrencyPerHost` per source host), processes each, and puts an
/// item whose source failed in a way that may pass back for a later attempt. A claim is a lease:
/// an item of a process that died is claimed again when its lease has run out.
internal sealed class ImportWorker(
    ImportJobs jobs, ImportItemProcessor processor, IOptions<ImportOptions> options, TimeProvider time, ILogger<ImportWorker> logger)
    : BackgroundService
{
    private readonly string _worker = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    private readonly ConcurrentDictionary<string, int> _perHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ImportJobInfo> _jobInfo = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private int _busy;

    /// Longer than an item can take to arrive; a process that died holds its items this long.
    private TimeSpan Lease => TimeSpan.FromSeconds((options.Value.ItemTimeoutSeconds * 2) + 10);

    /// A new job was accepted, or an item finished: look for work now.
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var concurrency = options.Value.Concurrency;
        if (concurrency <= 0)
        {
            logger.LogInformation("Imports: this process works on no import items (MediaLibrary:Imports:Concurrency is {Concurrency})", concurrency);
            return;
        }

        var perHost = Math.Max(1, options.Value.ConcurrencyPerHost);
        var nextCleanup = time.GetUtcNow().AddMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (time.GetUtcNow() >= nextCleanup)
            {
                nextCleanup = time.GetUtcNow().AddHours(1);
                await CleanUpAsync(stoppingToken);
            }

            try
            {
                // One item per claim: each claim may skip the hosts that just became full.
                while (Volatile.Read(ref _busy) < concurrency)
                {
                    var busyHosts = _perHost.Where(h => h.Value >= perHost).Select(h => h.Key).ToList();
                    var claimed = await jobs.ClaimAsync(_worker, 1, busyHosts, Lease, stoppingToken);
                    if (claimed.Count == 0)
                    {
                        break;
                    }

                    var item = claimed[0];
                    if (await JobAsync(item.JobId, stoppingToken) is not { } job)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _busy);
                    _perHost.AddOrUpdate(item.Host, 1, (_, n) => n + 1);
                    _ = RunAsync(item, job, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Claiming import items failed; trying again");
            }

            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// Retention: finished jobs older than `RetentionDays` go, with their items.
    public async Task CleanUpAsync(CancellationToken ct)
    {
        try
        {
            var deleted = await jobs.DeleteFinishedAsync(time.GetUtcNow().AddDays(-options.Value.RetentionDays), ct);
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} import jobs that finished more than {Days} days ago", deleted, options.Value.RetentionDays);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Deleting old import jobs failed; trying again in an hour");
        }
    }

    private async Task RunAsync(ImportItemRow item, ImportJobInfo job, CancellationToken stoppingToken)
    {
        // Its fetch (outgoing HTTP) and SQL are the span's children; the URL stays out of it.
        using var activity = Hosting.Telemetry.Source.StartActivity("import item");
        activity?.SetTag("medialibrary.import.kind", job.Kind.ToString());
        try
        {
            // Claimed more often than attempts are allowed: earlier attempts never finished (the
            // process died, or storage kept failing). An item that always breaks something ends here.
            if (item.Attempts > options.Value.MaxAttempts)
            {
                await processor.FailAsync(item, _worker,
                    $"gave up after {item.Attempts - 1} attempts that did not finish (the process stopped, or storage or the database failed)", stoppingToken);
                return;
            }

            if (await processor.ProcessAsync(item, job, _worker, stoppingToken) is { } transient)
            {
                await RetryOrFailAsync(item, job, transient, stoppingToken);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Storage or the database failed: the lease runs out and the item is claimed again
            // (the claim counts as an attempt, so an item that always breaks something ends as failed).
            logger.LogError(e, "Import {JobId} item {Position} ({Url}) could not be processed; it will be tried again", item.JobId, item.Position, ImportFetcher.Redacted(item.Url));
        }
        finally
        {
            _perHost.AddOrUpdate(item.Host, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _busy);
            Wake();
        }
    }

    private async Task RetryOrFailAsync(ImportItemRow item, ImportJobInfo job, string problem, CancellationToken ct)
    {
        var o = options.Value;
        if (item.Attempts >= o.MaxAttempts)
        {
            await processor.FailAsync(item, _worker, $"{problem} (after {item.Attempts} attempts)", ct);
            return;
        }

        var at = time.GetUtcNow().AddSeconds(o.RetryBaseSeconds * Math.Pow(2, item.Attempts - 1));
        logger.LogInformation("Import {JobId} item {Position}: {Problem}; attempt {Attempt} of {MaxAttempts} at {At:O}",
            job.Id, item.Position, problem, item.Attempts + 1, o.MaxAttempts, at);
        await jobs.RetryLaterAsync(item, _worker, problem, at, ct);
    }

    private async Task<ImportJobInfo?> JobAsync(string jobId, CancellationToken ct)
    {
        if (_jobInfo.TryGetValue(jobId, out var known))
        {
            return known;
        }

        var job = await jobs.GetAsync(jobId, ct);
        if (job is null || ImportKind.Find(job.Kind) is not { } kind)
        {
            return null;
        }

        var info = new ImportJobInfo(job.Id, kind, job.SystemName, new Actor("api-client", job.ActorName));
        if (_jobInfo.Count > 1000)
        {
            _jobInfo.Clear();
        }

        return _jobInfo[jobId] = info;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
