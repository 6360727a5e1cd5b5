using MediaLibrary.Storage;

namespace MediaLibrary.Events;

/// A delivery as the sender and the CLI see it.
internal sealed class DeliveryRow
{
    public string Id { get; set; } = "";
    public long? EventId { get; set; }
    public string Webhook { get; set; } = "";
    public string Url { get; set; } = "";
    public string Body { get; set; } = "";
    public string State { get; set; } = "";
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

/// The delivery table: the outbox that webhook senders claim with a lease (FOR UPDATE SKIP LOCKED
/// on PostgreSQL; SQLite has one writer at a time), so each delivery is in flight in one process
/// at a time, and one left behind by a dead process is sent again when its lease runs out.
internal sealed class WebhookDeliveries(Database database)
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    private const string Columns = "id, event_id, webhook, url, body, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at";

    private readonly string _claim =
        $"""
        UPDATE webhook_deliveries SET lease_until = @leaseUntil, attempts = attempts + 1
        WHERE id IN (SELECT id FROM webhook_deliveries
                     WHERE state = 'pending' AND webhook = @webhook AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                     ORDER BY next_attempt_at LIMIT @limit{database.Dialect.SkipLocked})
        RETURNING {Columns}
        """;

    private readonly string _delivered =
        $"""
        UPDATE webhook_deliveries SET state = 'delivered', delivered_at = @now, last_status = @status, last_error = NULL, lease_until = NULL
        WHERE {database.Dialect.InList("id", "@ids")}
        """;

    /// A delivery to create; with `LeaseUntil` it is created claimed by this process (attempt 1).
    public sealed record NewDelivery(string Id, long? EventId, string Webhook, string Url, string Body, DateTimeOffset? LeaseUntil = null)
    {
        public DeliveryRow Claimed(DateTimeOffset now) => new()
        {
            Id = Id, EventId = EventId, Webhook = Webhook, Url = Url, Body = Body, State = Pending, Attempts = 1, NextAttemptAt = now, CreatedAt = now,
        };
    }

    // One statement for the whole batch, its text built once per dialect.
    private static string CreateSql(Dialect dialect) =>
        $"""
        INSERT INTO webhook_deliveries (id, event_id, webhook, url, body, state, attempts, next_attempt_at, lease_until, created_at)
        SELECT d.id, d.event_id, d.webhook, d.url, d.body, 'pending', CASE WHEN d.lease_until IS NULL THEN 0 ELSE 1 END, @now, d.lease_until, @now
        FROM {dialect.Rows("d", ("id", "@ids", "text"), ("event_id", "@eventIds", "bigint"), ("webhook", "@webhooks", "text"),
            ("url", "@urls", "text"), ("body", "@bodies", "text"), ("lease_until", "@leases", "timestamptz"))}
        """;

    /// Inserts deliveries in the caller's transaction: one statement for all.
    public static async Task CreateAsync(DbSession session, IReadOnlyList<NewDelivery> batch, DateTimeOffset now, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await session.ExecuteAsync(
            session.Dialect.Statement("webhook_deliveries.create", CreateSql), ct, ("ids", batch.Select(d => d.Id).ToArray()), ("eventIds", batch.Select(d => d.EventId).ToArray()),
            ("webhooks", batch.Select(d => d.Webhook).ToArray()), ("urls", batch.Select(d => d.Url).ToArray()),
            ("bodies", batch.Select(d => d.Body).ToArray()), ("leases", batch.Select(d => d.LeaseUntil).ToArray()), ("now", now));
    }

    /// Up to `limit` due deliveries of one webhook, leased to this process until `leaseUntil`.
    public async Task<List<DeliveryRow>> ClaimAsync(string webhook, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        // A read first: most passes find nothing due, and then take no write lock.
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            if ((await look.QueryAsync<string>(
                    "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= @now AND webhook = @webhook AND (lease_until IS NULL OR lease_until < @now) LIMIT 1",
                    ct, ("now", now), ("webhook", webhook))).Count == 0)
            {
                return [];
            }
        }

        await using var session = await database.OpenWriteAsync(ct);
        var claimed = await session.QueryAsync<DeliveryRow>(_claim, ct, ("leaseUntil", leaseUntil), ("webhook", webhook), ("now", now), ("limit", limit));
        await session.CommitAsync(ct);
        return claimed;
    }

    public async Task DeliveredAsync(string[] ids, int status, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync(_delivered, ct, ("ids", ids), ("now", now), ("status", status));
    }

    /// The receiver answered again: its pending deliveries are due now.
    public async Task ResumeAsync(string webhook, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync(
            "UPDATE webhook_deliveries SET next_attempt_at = @now WHERE webhook = @webhook AND state = 'pending' AND next_attempt_at > @now",
            ct, ("webhook", webhook), ("now", now));
    }

    /// An attempt failed: try again at `retryAt`, or give up (`failed`) when that is null.
    public async Task AttemptFailedAsync(string id, int? status, string error, DateTimeOffset? retryAt, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync(
            """
            UPDATE webhook_deliveries
            SET state = @state, next_attempt_at = COALESCE(@retryAt, next_attempt_at), last_status = @status, last_error = @error, lease_until = NULL
            WHERE id = @id
            """, ct, ("id", id), ("state", retryAt is null ? Failed : Pending), ("retryAt", retryAt), ("status", status), ("error", error));
    }

    /// The newest deliveries of a webhook: its rows (retried, failed, pending, import callbacks)
    /// with the first-attempt successes of its stream (`webhook_delivered`), newest first.
    public async Task<List<DeliveryRow>> ListAsync(string webhook, bool failedOnly, int limit, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        var rows = await session.QueryAsync<DeliveryRow>(
            $"SELECT {Columns} FROM webhook_deliveries WHERE webhook = @webhook AND (@failedOnly = 0 OR state = 'failed') ORDER BY created_at DESC, id LIMIT @limit",
            ct, ("webhook", webhook), ("failedOnly", failedOnly ? 1 : 0), ("limit", limit));
        if (failedOnly)
        {
            return rows;
        }

        var delivered = await session.QueryAsync<DeliveredRow>(
            "SELECT event_id, status, delivered_at FROM webhook_delivered WHERE webhook = @webhook ORDER BY event_id DESC LIMIT @limit",
            ct, ("webhook", webhook), ("limit", limit));
        var ids = rows.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        rows.AddRange(delivered
            .Select(d => new DeliveryRow
            {
                Id = WebhookPayload.DeliveryId(webhook, d.EventId), EventId = d.EventId, Webhook = webhook, State = Delivered, Attempts = 1,
                NextAttemptAt = d.DeliveredAt, LastStatus = d.Status, CreatedAt = d.DeliveredAt, DeliveredAt = d.DeliveredAt,
            })
            .Where(d => !ids.Contains(d.Id)));
        return [.. rows.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.EventId).Take(limit)];
    }

    /// Sends a delivery again from now on, with a fresh 24-hour window; false when there is no such
    /// delivery. A delivery that succeeded at its first attempt has no row yet: its id names the
    /// event and the webhook, and the row is made from the event (the same body as before).
    public async Task<bool> RedeliverAsync(string id, WebhookCatalog webhooks, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        var found = await session.ExecuteAsync(
            """
            UPDATE webhook_deliveries
            SET state = 'pending', attempts = 0, next_attempt_at = @now, created_at = @now, lease_until = NULL, delivered_at = NULL
            WHERE id = @id
            """, ct, ("id", id), ("now", now)) == 1;
        if (!found && WebhookPayload.TryParseDeliveryId(id, out var eventId, out var handleHash) &&
            webhooks.All.FirstOrDefault(w => WebhookPayload.HandleHash(w.Handle) == handleHash) is { } webhook &&
            (await session.QueryAsync<long>("SELECT position FROM webhook_streams WHERE webhook = @webhook", ct, ("webhook", webhook.Handle)))
                .SingleOrDefault() >= eventId &&
            (await session.QueryAsync<EventRow>($"{EventRow.Select} WHERE position = @position", ct, ("position", eventId))).SingleOrDefault() is { } e &&
            webhook.Wants(e))
        {
            var body = WebhookPayload.ForEvent(webhook.Handle, e, out var deliveryId);
            found = deliveryId == id;
            if (found)
            {
                await CreateAsync(session, [new NewDelivery(deliveryId, eventId, webhook.Handle, webhook.Url.ToString(), body)], now, ct);
            }
        }

        await session.CommitAsync(ct);
        return found;
    }

    private sealed class DeliveredRow
    {
        public long EventId { get; set; }
        public int Status { get; set; }
        public DateTimeOffset DeliveredAt { get; set; }
    }
}
