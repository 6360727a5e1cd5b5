using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Gives committed events their public ids (`position`), and creates their webhook deliveries in
/// the same transaction. One sequencer runs at a time across all processes (an advisory lock on
/// PostgreSQL, the write lock on SQLite), and it numbers only events it can see, that is, events
/// that have committed: so once a reader sees id P, every smaller id is visible too. Writers never
/// wait for each other, and an event whose write rolled back never exists.
internal sealed class EventSequencer(
    Database database, WebhookCatalog webhooks, EventSignal signal, TimeProvider time, IOptions<EventsOptions> options, ILogger<EventSequencer> logger)
    : BackgroundService
{
    private const long LeaderLock = 0x4D4C_4556_5351;
    private const int Batch = 1000;
    private DateTimeOffset _nextCleanup;

    private readonly string _number =
        $"""
        UPDATE events SET position = numbered.position
        FROM (SELECT seq, @first - 1 + ROW_NUMBER() OVER (ORDER BY seq) AS position
              FROM events WHERE {database.Dialect.InList("seq", "@seqs")}) AS numbered
        WHERE events.seq = numbered.seq
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
                await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// Numbers up to one batch of committed events; how many it numbered.
    public async Task<int> SequenceAsync(CancellationToken ct)
    {
        // A read first: an idle poll must not take SQLite's write lock (or a PostgreSQL write transaction).
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            if ((await look.QueryAsync<long>("SELECT seq FROM events WHERE position IS NULL LIMIT 1", ct)).Count == 0)
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

        var ready = await session.QueryAsync<EventRow>(
            """
            SELECT seq, name, media_id, document_id, media_type, version, actor_type, actor_name, changed, created_at
            FROM events WHERE position IS NULL ORDER BY seq LIMIT @limit
            """, ct, ("limit", Batch));
        if (ready.Count == 0)
        {
            return 0;
        }

        var next = ((await session.QueryAsync<long?>("SELECT MAX(position) FROM events", ct))[0] ?? 0) + 1;
        // Exactly the rows read above (another write may have committed a smaller seq since):
        // numbered in seq order, as the deliveries below are.
        await session.ExecuteAsync(_number, ct, ("first", next), ("seqs", ready.Select(r => r.Seq).ToArray()));

        var now = time.GetUtcNow();
        foreach (var row in ready)
        {
            row.Position = next++;
            foreach (var webhook in webhooks.Matching(row))
            {
                await WebhookDeliveries.CreateAsync(session, webhook, row.Position, WebhookPayload.ForEvent(webhook.Handle, row, out var deliveryId), deliveryId, now, ct);
            }
        }

        await session.CommitAsync(ct);
        return ready.Count;
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
        var events = await session.ExecuteAsync("DELETE FROM events WHERE created_at < @before AND position IS NOT NULL", ct, ("before", before));
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
