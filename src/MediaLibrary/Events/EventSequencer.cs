using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Makes committed events public and dispatches them, one process at a time (an advisory lock on
/// PostgreSQL, the write lock on SQLite):
/// - PostgreSQL: gives committed events their public ids (`position`). Only events it can see,
///   that is, events that have committed, are numbered, so once a reader sees id P every smaller
///   id is visible too, and writers never wait for each other. (SQLite numbers events on insert.)
/// - Creates the webhook deliveries of events past the dispatch cursor, in the same transaction
///   that moves the cursor, so each (event, webhook) gets exactly one delivery. Without active
///   webhooks the cursor just follows the log: a webhook configured later starts from then.
internal sealed class EventSequencer(
    Database database, WebhookCatalog webhooks, WebhookSender sender, EventSignal signal, TimeProvider time, IOptions<EventsOptions> options,
    ILogger<EventSequencer> logger)
    : BackgroundService
{
    private const long LeaderLock = 0x4D4C_4556_5351;
    private const int Batch = 1000;

    // After a wake-up, let a few more writes commit: one pass then handles many events.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);
    private DateTimeOffset _nextCleanup;

    // Without webhooks the dispatch cursor only has to keep up roughly: every few seconds, not on
    // every write (on SQLite each move is a write transaction).
    private static readonly TimeSpan FollowEvery = TimeSpan.FromSeconds(5);
    private DateTimeOffset _nextFollow;

    private bool Dispatching => webhooks.Active && webhooks.All.Any(w => w.Active);

    private readonly string _number =
        $"""
        UPDATE events SET position = numbered.position
        FROM (SELECT seq, @first - 1 + ROW_NUMBER() OVER (ORDER BY seq) AS position
              FROM events WHERE {database.Dialect.InList("seq", "@seqs")}) AS numbered
        WHERE events.seq = numbered.seq
        """;

    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.SequencerPollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await SequenceAsync(stoppingToken) == Batch)
                {
                    continue;
                }

                await CleanUpAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Sequencing events failed; trying again");
            }

            try
            {
                if (await signal.WaitAsync(poll, stoppingToken))
                {
                    await Task.Delay(Gather, time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// One pass: numbers and dispatches up to a batch of events; how many it handled.
    public async Task<int> SequenceAsync(CancellationToken ct)
    {
        // A read first: an idle pass takes no write lock and opens no write transaction.
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            var waiting = database.Dialect.IsPostgres
                ? await look.QueryAsync<long>("SELECT seq FROM events WHERE position IS NULL LIMIT 1", ct)
                : [];
            var dispatchDue = Dispatching || time.GetUtcNow() >= _nextFollow;
            if (waiting.Count == 0 && (!dispatchDue ||
                (await look.QueryAsync<long>("SELECT seq FROM events WHERE position > (SELECT position FROM event_dispatch WHERE id = 1) LIMIT 1", ct)).Count == 0))
            {
                return 0;
            }
        }

        await using var session = await database.OpenWriteAsync(ct);
        if (database.Dialect.IsPostgres &&
            !(await session.QueryAsync<bool>("SELECT pg_try_advisory_xact_lock(@key)", ct, ("key", LeaderLock)))[0])
        {
            return 0;
        }

        var numbered = database.Dialect.IsPostgres ? await NumberAsync(session, ct) : 0;
        var (dispatched, claimed) = await DispatchAsync(session, ct);
        await session.CommitAsync(ct);
        if (dispatched > 0)
        {
            sender.Hand(claimed, _stopping);
            sender.Wake();
        }

        return Math.Max(numbered, dispatched);
    }

    private async Task<int> NumberAsync(DbSession session, CancellationToken ct)
    {
        var ready = await session.QueryAsync<long>("SELECT seq FROM events WHERE position IS NULL ORDER BY seq LIMIT @limit", ct, ("limit", Batch));
        if (ready.Count > 0)
        {
            var next = ((await session.QueryAsync<long?>("SELECT MAX(position) FROM events", ct))[0] ?? 0) + 1;
            // Exactly the rows read above (another write may have committed a smaller seq since).
            await session.ExecuteAsync(_number, ct, ("first", next), ("seqs", ready.ToArray()));
        }

        return ready.Count;
    }

    /// Creates the deliveries of events past the cursor and moves it. As many as this process's
    /// sender has free slots for are created claimed by it (their insert is their claim) and
    /// returned, to be handed over once the transaction has committed; the rest wait to be claimed
    /// by any process.
    private async Task<(int Events, List<DeliveryRow> Claimed)> DispatchAsync(DbSession session, CancellationToken ct)
    {
        var cursor = (await session.QueryAsync<long>("SELECT position FROM event_dispatch WHERE id = 1", ct))[0];
        if (!Dispatching)
        {
            _nextFollow = time.GetUtcNow() + FollowEvery;
            await session.ExecuteAsync(
                "UPDATE event_dispatch SET position = (SELECT COALESCE(MAX(position), @cursor) FROM events) WHERE id = 1", ct, ("cursor", cursor));
            return (0, []);
        }

        var events = await session.QueryAsync<EventRow>(
            $"{EventRow.Select} WHERE position > @cursor ORDER BY position LIMIT @limit", ct, ("cursor", cursor), ("limit", Batch));
        if (events.Count == 0)
        {
            return (0, []);
        }

        var now = time.GetUtcNow();
        var lease = sender.LeaseFrom(now);
        var free = new Dictionary<string, int>(StringComparer.Ordinal);
        var batch = new List<WebhookDeliveries.NewDelivery>();
        foreach (var row in events)
        {
            foreach (var webhook in webhooks.Matching(row))
            {
                var body = WebhookPayload.ForEvent(webhook.Handle, row, out var deliveryId);
                var slots = free.TryGetValue(webhook.Handle, out var left) ? left : sender.FreeSlots(webhook.Handle);
                free[webhook.Handle] = Math.Max(0, slots - 1);
                batch.Add(new WebhookDeliveries.NewDelivery(deliveryId, row.Position, webhook.Handle, webhook.Url.ToString(), body, slots > 0 ? lease : null));
            }
        }

        await WebhookDeliveries.CreateAsync(session, batch, now, ct);

        await session.ExecuteAsync("UPDATE event_dispatch SET position = @position WHERE id = 1", ct, ("position", events[^1].Position));
        return (events.Count, [.. batch.Where(d => d.LeaseUntil is not null).Select(d => d.Claimed(now))]);
    }

    /// Retention: events older than the configured days go, with finished deliveries of that age.
    private async Task CleanUpAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < _nextCleanup)
        {
            return;
        }

        _nextCleanup = now.AddHours(1);
        var before = now.AddDays(-options.Value.RetentionDays);
        await using var session = await database.OpenWriteAsync(ct);
        // The newest event always stays: ids continue from it, so a client's `id.gt` never sees an id twice.
        var events = await session.ExecuteAsync(
            """
            DELETE FROM events
            WHERE created_at < @before AND position <= (SELECT position FROM event_dispatch WHERE id = 1)
              AND position < (SELECT MAX(position) FROM events)
            """, ct, ("before", before));
        var deliveries = await session.ExecuteAsync("DELETE FROM webhook_deliveries WHERE created_at < @before AND state <> 'pending'", ct, ("before", before));
        await session.CommitAsync(ct);
        if (events + deliveries > 0)
        {
            logger.LogInformation("Retention removed {Events} events and {Deliveries} finished deliveries older than {Days} days", events, deliveries, options.Value.RetentionDays);
        }
    }
}

/// A stored event, as the feed and the webhooks show it.
internal sealed class EventRow
{
    public const string Select = "SELECT seq, position, name, media_id, document_id, media_type, version, actor_type, actor_name, changed, created_at FROM events";

    public long Seq { get; set; }
    public long Position { get; set; }
    public string Name { get; set; } = "";
    public string? MediaId { get; set; }
    public long? DocumentId { get; set; }
    public string? MediaType { get; set; }
    public int? Version { get; set; }
    public string ActorType { get; set; } = "";
    public string? ActorName { get; set; }
    public string? Changed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
