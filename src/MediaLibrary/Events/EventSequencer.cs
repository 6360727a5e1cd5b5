using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Makes committed events public (<see cref="IEventNumbering"/>) and tells this process's webhook
/// sender that there are new ones:
/// - The webhooks read the log from there (<see cref="WebhookStreams"/>); streams of webhooks that
///   are not active follow the log every few seconds.
/// - Retention: events older than the configured days go, with the delivery records of that age.
internal sealed class EventSequencer(
    Database database, IEventNumbering numbering, WebhookCatalog webhooks, WebhookStreams streams, WebhookSender sender, EventSignal signal,
    TimeProvider time, IOptions<EventsOptions> options, ILogger<EventSequencer> logger)
    : BackgroundService
{

    // After a wake-up, let a few more writes commit: one pass then handles many events.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FollowEvery = TimeSpan.FromSeconds(5);
    private DateTimeOffset _nextCleanup;
    private DateTimeOffset _nextFollow;

    private string[] ActiveWebhooks => webhooks.Active ? [.. webhooks.All.Where(w => w.Active).Select(w => w.Handle)] : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.SequencerPollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await numbering.NumberAsync(stoppingToken) == IEventNumbering.Batch)
                {
                    continue;
                }

                await FollowAsync(stoppingToken);
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
                    if (numbering.PublicOnCommit)
                    {
                        sender.Wake();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < _nextFollow)
        {
            return;
        }

        _nextFollow = now + FollowEvery;
        await streams.FollowAsync(ActiveWebhooks, ct);
    }

    /// Retention: events older than the configured days go, unless an active webhook has yet to
    /// read them, with delivery records of that age that are finished.
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
        // `created_at` grows with `position` (give or take a commit's moment on PostgreSQL): the
        // old events are those before the first young one, found by walking `position` from the
        // start over the rows that go anyway (no index on `created_at` to write with every event).
        var events = await session.ExecuteAsync(
            $"""
            DELETE FROM events
            WHERE position < COALESCE((SELECT position FROM events WHERE created_at >= @before AND position IS NOT NULL ORDER BY position LIMIT 1),
                                      (SELECT MAX(position) FROM events))
              AND position <= COALESCE((SELECT MIN(position) FROM webhook_streams WHERE {database.Dialect.InList("webhook", "@active")}), position)
              AND position < (SELECT MAX(position) FROM events)
            """, ct, ("before", before), ("active", ActiveWebhooks));
        var deliveries = await session.ExecuteAsync("DELETE FROM webhook_deliveries WHERE created_at < @before AND state <> 'pending'", ct, ("before", before));
        deliveries += await session.ExecuteAsync("DELETE FROM webhook_delivered WHERE delivered_at < @before", ct, ("before", before));
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
    public const string Select = "SELECT seq, position, name, media_id, document_id, media_type, version, actor_type, actor_name, changed, created_at, keys FROM events";

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

    /// `mediaLibraryEntry.delete`: every key the entry had, as a JSON array.
    public string? Keys { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
