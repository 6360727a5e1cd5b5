using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.Storage;

namespace MediaLibrary.Imports;

internal sealed class ImportJobRow
{
    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string SystemName { get; set; } = "";
    public string? Webhook { get; set; }
    public string? Context { get; set; }
    public string? ActorName { get; set; }
    public string State { get; set; } = "";
    public int Total { get; set; }
    public int Succeeded { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public bool Finished => State != ImportJobs.Started;

    public int Done => Succeeded + Skipped + Failed;
}

internal sealed class ImportItemRow
{
    public string JobId { get; set; } = "";
    public int Position { get; set; }
    public string Url { get; set; } = "";
    public string Host { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string FileName { get; set; } = "";
    public string MediaType { get; set; } = "";
    public string Metadata { get; set; } = "{}";
    public string State { get; set; } = "";
    public string? Reason { get; set; }
    public string? Result { get; set; }
    public int Attempts { get; set; }
}

/// What writing an item's outcome did.
internal enum Completion
{
    /// The item is not this worker's any more (its lease ran out and another process claimed it): roll back.
    NotMine,
    Done,

    /// It was the job's last item: the job is finished (and its webhook queued).
    FinishedJob,
}

/// An item's outcome: `success`, `skipped` or `failed`, why, and the entry it made or found.
internal sealed record ItemOutcome(string State, string? Reason = null, JsonObject? Result = null)
{
    public static ItemOutcome Failed(string reason) => new(ImportJobs.ItemFailed, reason);
}

/// Jobs and items in the database (SPEC §9): a job outlives the process that accepted it. Items are
/// claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer), and an
/// item's outcome is written in the transaction of its entry, guarded by the claim it was
/// processed under, so an item whose lease ran out and went to another process is never
/// counted twice. The job's counters change in the same transaction, under the job's row lock:
/// whoever finishes the last item finishes the job and queues its webhook.
internal sealed class ImportJobs(Database database, TimeProvider time)
{
    public const string Started = "started";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string ItemSuccess = "success";
    public const string ItemSkipped = "skipped";
    public const string ItemFailed = "failed";

    /// The reserved delivery channel of completion webhooks (see <see cref="WebhookSender"/>).
    public const string WebhookChannel = "import-jobs";

    private const string JobColumns = "id, kind, system_name, webhook, context, actor_name, state, total, succeeded, skipped, failed, started_at, finished_at";
    private const string ItemColumns = "job_id, position, url, host, external_id, file_name, media_type, metadata, state, reason, result, attempts";

    private readonly string _claim =
        $"""
        UPDATE import_items SET lease_until = @leaseUntil, attempts = attempts + 1, worker = @worker
        WHERE (job_id, position) IN (
            SELECT job_id, position FROM import_items
            WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < @now) AND NOT ({database.Dialect.InList("host", "@busyHosts")})
            ORDER BY job_id, position LIMIT @limit{database.Dialect.SkipLocked})
        RETURNING {ItemColumns}
        """;

    private readonly string _lockJob = $"SELECT {JobColumns} FROM import_jobs WHERE id = @id{database.Dialect.ForUpdate}";

    // All of a job's items in one statement (built once: prepared statements are kept by their text).
    private readonly string _insertItems =
        $"""
        INSERT INTO import_items (job_id, position, url, host, external_id, file_name, media_type, metadata, state)
        SELECT @jobId, i.ordinal - 1, i.url, i.host, i.external_id, i.file_name, i.media_type, i.metadata, 'pending'
        FROM {database.Dialect.Rows("i", ("url", "@urls", "text"), ("host", "@hosts", "text"), ("external_id", "@externalIds", "text"),
            ("file_name", "@fileNames", "text"), ("media_type", "@mediaTypes", "text"), ("metadata", "@metadata", "text"))}
        """;

    public sealed record NewItem(string Url, string Host, string ExternalId, string FileName, string MediaType, string Metadata);

    public async Task CreateAsync(ImportJobRow job, IReadOnlyList<NewItem> items, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        await session.ExecuteAsync(
            $"INSERT INTO import_jobs ({JobColumns}) VALUES (@id, @kind, @systemName, @webhook, @context, @actorName, @state, @total, 0, 0, 0, @startedAt, NULL)",
            ct, ("id", job.Id), ("kind", job.Kind), ("systemName", job.SystemName), ("webhook", job.Webhook), ("context", job.Context),
            ("actorName", job.ActorName), ("state", Started), ("total", job.Total), ("startedAt", job.StartedAt));
        await session.ExecuteAsync(
            _insertItems, ct, ("jobId", job.Id), ("urls", items.Select(i => i.Url).ToArray()), ("hosts", items.Select(i => i.Host).ToArray()),
            ("externalIds", items.Select(i => i.ExternalId).ToArray()), ("fileNames", items.Select(i => i.FileName).ToArray()),
            ("mediaTypes", items.Select(i => i.MediaType).ToArray()), ("metadata", items.Select(i => i.Metadata).ToArray()));
        await session.CommitAsync(ct);
    }

    public async Task<ImportJobRow?> GetAsync(string id, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        var rows = await session.QueryAsync<ImportJobRow>($"SELECT {JobColumns} FROM import_jobs WHERE id = @id", ct, ("id", id));
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task<List<ImportItemRow>> ItemsAsync(string jobId, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryAsync<ImportItemRow>($"SELECT {ItemColumns} FROM import_items WHERE job_id = @jobId ORDER BY position", ct, ("jobId", jobId));
    }

    /// Up to `limit` due items, none from `busyHosts`, leased to `worker` until `leaseUntil`.
    public async Task<List<ImportItemRow>> ClaimAsync(string worker, int limit, IReadOnlyCollection<string> busyHosts, TimeSpan lease, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var session = await database.OpenWriteAsync(ct);
        var claimed = await session.QueryAsync<ImportItemRow>(_claim, ct,
            ("leaseUntil", now + lease), ("worker", worker), ("now", now), ("busyHosts", busyHosts.ToArray()), ("limit", limit));
        await session.CommitAsync(ct);
        return claimed;
    }

    /// Writes an item's outcome in the caller's transaction (see <see cref="Completion"/>). The
    /// job's counters move under its row lock; the last item finishes the job.
    public async Task<Completion> CompleteAsync(DbSession session, ImportItemRow item, string worker, ItemOutcome outcome, CancellationToken ct)
    {
        Hosting.Telemetry.ImportItems.Add(1, new KeyValuePair<string, object?>("outcome", outcome.State));
        var mine = await session.ExecuteAsync(
            """
            UPDATE import_items SET state = @state, reason = @reason, result = @result, lease_until = NULL
            WHERE job_id = @jobId AND position = @position AND state = 'pending' AND worker = @worker AND attempts = @attempts
            """, ct, ("state", outcome.State), ("reason", outcome.Reason), ("result", outcome.Result?.ToJsonString(AppJson.Options)),
            ("jobId", item.JobId), ("position", item.Position), ("worker", worker), ("attempts", item.Attempts));
        if (mine != 1)
        {
            return Completion.NotMine;
        }

        var job = (await session.QueryAsync<ImportJobRow>(_lockJob, ct, ("id", item.JobId)))[0];
        var (succeeded, skipped, failed) = outcome.State switch
        {
            ItemSuccess => (job.Succeeded + 1, job.Skipped, job.Failed),
            ItemSkipped => (job.Succeeded, job.Skipped + 1, job.Failed),
            _ => (job.Succeeded, job.Skipped, job.Failed + 1),
        };
        var finished = succeeded + skipped + failed >= job.Total;
        // A job fails only when nothing at all could be done; single items fail alone.
        var state = !finished ? Started : failed == job.Total ? Failed : Success;
        var now = time.GetUtcNow();
        await session.ExecuteAsync(
            """
            UPDATE import_jobs SET succeeded = @succeeded, skipped = @skipped, failed = @failed, state = @state, finished_at = @finishedAt
            WHERE id = @id
            """, ct, ("succeeded", succeeded), ("skipped", skipped), ("failed", failed), ("state", state),
            ("finishedAt", finished ? now : null), ("id", job.Id));
        if (finished && job.Webhook is { } url)
        {
            var body = CompletionBody(job, state, succeeded, skipped, failed);
            await WebhookDeliveries.CreateAsync(session, [new WebhookDeliveries.NewDelivery(WebhookPayload.NewDeliveryId(), null, WebhookChannel, url, body)], now, ct);
        }

        return finished ? Completion.FinishedJob : Completion.Done;
    }

    /// An outcome that writes no entry (failed, skipped), in its own transaction.
    public async Task<Completion> CompleteAloneAsync(ImportItemRow item, string worker, ItemOutcome outcome, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        var completion = await CompleteAsync(session, item, worker, outcome, ct);
        if (completion != Completion.NotMine)
        {
            await session.CommitAsync(ct);
        }

        return completion;
    }

    /// The source failed in a way that may pass: the item waits until `at`, then is claimed again.
    public async Task RetryLaterAsync(ImportItemRow item, string worker, string reason, DateTimeOffset at, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync(
            """
            UPDATE import_items SET reason = @reason, lease_until = @at
            WHERE job_id = @jobId AND position = @position AND state = 'pending' AND worker = @worker AND attempts = @attempts
            """, ct, ("reason", reason), ("at", at), ("jobId", item.JobId), ("position", item.Position), ("worker", worker), ("attempts", item.Attempts));
    }

    /// Deletes jobs that finished before `before`, with their items (the entries they made stay).
    public async Task<int> DeleteFinishedAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        const string Old = "SELECT id FROM import_jobs WHERE state <> 'started' AND finished_at < @before";
        await session.ExecuteAsync($"DELETE FROM import_items WHERE job_id IN ({Old})", ct, ("before", before));
        var deleted = await session.ExecuteAsync($"DELETE FROM import_jobs WHERE id IN ({Old})", ct, ("before", before));
        await session.CommitAsync(ct);
        return deleted;
    }

    /// `{"id", "state", "finished": true, "context", "overview"}`: what the completion webhook sends.
    private static string CompletionBody(ImportJobRow job, string state, int succeeded, int skipped, int failed)
    {
        var body = new JsonObject
        {
            ["id"] = job.Id,
            ["state"] = state,
            ["finished"] = true,
            ["context"] = job.Context is null ? null : JsonNode.Parse(job.Context),
            ["overview"] = new JsonObject { ["total"] = job.Total, ["success"] = succeeded, ["skipped"] = skipped, ["failed"] = failed },
        };
        return body.ToJsonString(AppJson.Options);
    }

    public static string NewId() => Guid.CreateVersion7().ToString();
}
