namespace MediaLibrary.Events;

/// First attempts: each webhook's stream through the event log (see <see cref="WebhookStreams"/>),
/// held by one process at a time. A pass takes a stream nobody holds, writes how far it got (one
/// write per batch: no row per delivery), reads more of the log and starts sends into free slots.
internal sealed class WebhookStreamPump(
    WebhookStreams streams, WebhookPoster poster, WebhookSlots slots, Action wake, TimeProvider time, ILogger logger)
{
    /// Events read from the log at once; more are read when fewer than half wait.
    private const int ReadBatch = 500;

    // A stream's outcomes are written at most this often (one transaction for a few hundred
    // deliveries under load); its position alone at most every MoveEvery; and whenever half of
    // its lease has passed. A process that dies resends what it had not written, with the same ids.
    private static readonly TimeSpan WriteEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MoveEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TakeEvery = TimeSpan.FromSeconds(1);
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public List<WebhookStream> Streams { get; } = [];

    /// One pass over a webhook's stream: take it if nobody holds it, write how far it got, read
    /// more of the log, and start sends into the free slots.
    public async Task PumpAsync(WebhookStream stream, CancellationToken ct)
    {
        var handle = stream.Channel.Webhook.Handle;
        var now = time.GetUtcNow();
        if (!stream.Owned)
        {
            if (now < stream.NextTake)
            {
                return;
            }

            stream.NextTake = now + TakeEvery;
            var lease = slots.LeaseFrom(now);
            if (await streams.TakeAsync(handle, _owner, lease, now, ct) is not { } position)
            {
                return;
            }

            stream.Take(position, lease, now);
            logger.LogInformation("This process sends webhook {Webhook}, from event {Position}", handle, position);
        }

        await WriteAsync(stream, now, force: false, ct);
        if (!stream.Owned)
        {
            return;
        }

        if (stream.Ready < ReadBatch / 2)
        {
            var read = await streams.ReadAsync(stream.ReadUpTo, ReadBatch, ct);
            if (read.Count > 0)
            {
                var webhook = stream.Channel.Webhook;
                stream.Add(read.Where(webhook.Wants), read[^1].Position);
            }
        }

        StartSends(stream, ct);
    }

    /// Writes the stream's position and the outcomes up to it when there is something to write, or
    /// the lease needs renewing; loses the stream when another process has taken it.
    private async Task WriteAsync(WebhookStream stream, DateTimeOffset now, bool force, CancellationToken ct)
    {
        var (position, outcomes) = stream.Done();
        var renew = stream.LeaseUntil - now < (slots.LeaseFrom(now) - now) / 2;
        var due = force || renew || now - stream.WrittenAt >= (outcomes.Count > 0 ? WriteEvery : MoveEvery);
        if (!due || (!renew && outcomes.Count == 0 && position == stream.Position))
        {
            return;
        }

        var handle = stream.Channel.Webhook.Handle;
        var lease = slots.LeaseFrom(now);
        if (!await streams.AdvanceAsync(handle, _owner, position, lease, outcomes, now, ct))
        {
            stream.Lose();
            logger.LogWarning("Another process took over webhook {Webhook}; this one stops sending it", handle);
            return;
        }

        stream.Written(position, lease, now);
        foreach (var failed in outcomes.Where(o => !o.Delivered))
        {
            logger.LogWarning("Delivery {DeliveryId} to webhook {Webhook} failed (attempt 1): {Error}; {Next}",
                failed.DeliveryId, handle, failed.Error, failed.RetryAt is null ? "given up" : $"next attempt at {failed.RetryAt:O}");
        }
    }

    /// Starts sends of events read from the stream while the webhook has free slots. Called by the
    /// pass and by every send that finishes, so the slots stay busy between passes.
    private void StartSends(WebhookStream stream, CancellationToken ct)
    {
        var handle = stream.Channel.Webhook.Handle;
        // A quarter of the slots stays for retries, which would otherwise wait for a quiet moment.
        var mine = Math.Max(1, slots.PerWebhook - (slots.PerWebhook / 4));
        while (!ct.IsCancellationRequested && slots.Busy(handle) < mine && stream.TryStart(out var next, out var generation))
        {
            slots.Start(handle);
            _ = SendFromStreamAsync(stream, next, generation, ct);
        }
    }

    private async Task SendFromStreamAsync(WebhookStream stream, EventRow e, int generation, CancellationToken stoppingToken)
    {
        var channel = stream.Channel;
        var handle = channel.Webhook.Handle;
        try
        {
            var body = WebhookPayload.ForEvent(handle, e, out var deliveryId);
            var at = time.GetUtcNow();
            var delivery = new DeliveryRow
            {
                Id = deliveryId, EventId = e.Position, Webhook = handle, Url = channel.Webhook.Url.ToString(), Body = body,
                State = WebhookDeliveries.Pending, Attempts = 1, NextAttemptAt = at, CreatedAt = at,
            };
            var (status, error) = await poster.PostAsync(channel, delivery, stoppingToken);
            var delivered = status is >= 200 and < 300;
            // A success keeps only what its write needs; a failure keeps the url and body for its retry row.
            stream.Finished(generation, delivered
                ? new WebhookStreams.Outcome(e.Position, deliveryId, "", "", status, null, at, null)
                : new WebhookStreams.Outcome(e.Position, deliveryId, delivery.Url, body, status, error, at, poster.RetryAt(delivery, time.GetUtcNow())));
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("Sent {DeliveryId} to webhook {Webhook}: {Result}", deliveryId, handle, error);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Not finished: the stream stops short of it; a later holder sends it again.
            logger.LogWarning(ex, "Sending event {EventId} to webhook {Webhook} failed", e.Position, handle);
        }
        catch (Exception)
        {
            // Stopping: the next holder sends it.
        }
        finally
        {
            slots.Finish(handle);
            StartSends(stream, stoppingToken);
            if (stream.Ready < ReadBatch / 2)
            {
                wake();
            }
        }
    }

    /// At a graceful stop: write how far each stream got and let another process take it at once.
    public async Task StopAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var stream in Streams.Where(s => s.Owned))
        {
            try
            {
                await WriteAsync(stream, time.GetUtcNow(), force: true, limit.Token);
                if (stream.Owned)
                {
                    await streams.ReleaseAsync(stream.Channel.Webhook.Handle, _owner, limit.Token);
                }
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Releasing webhook {Webhook} at stop failed; another process takes it when the lease runs out", stream.Channel.Webhook.Handle);
            }
        }
    }
}

/// Sends in flight per webhook: each webhook has its own slots, so a slow or failing receiver only
/// ever holds its own. Stream sends and retries share them.
internal sealed class WebhookSlots(int perWebhook, double timeoutSeconds)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    public int PerWebhook { get; } = Math.Max(1, perWebhook);

    public int Busy(string webhook) => _inFlight.GetValueOrDefault(webhook);

    public void Start(string webhook) => _inFlight.AddOrUpdate(webhook, 1, (_, n) => n + 1);

    public void Finish(string webhook) => _inFlight.AddOrUpdate(webhook, 0, (_, n) => n - 1);

    /// Until when a delivery or stream taken now is this process's (longer than any attempt can take).
    public DateTimeOffset LeaseFrom(DateTimeOffset now) => now.AddSeconds((timeoutSeconds * 2) + 5);
}
