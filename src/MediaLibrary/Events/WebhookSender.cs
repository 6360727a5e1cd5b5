using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Sends webhooks: POST with the event's body, signed, 10 s to answer; a 2xx delivers, anything
/// else retries with exponential backoff and jitter until the give-up window has passed.
/// - First attempts come from each webhook's stream through the event log (see
///   <see cref="WebhookStreams"/>), held by one process at a time: no row per delivery, one write
///   per batch that moves the stream.
/// - Retries (and import-job callbacks) are rows in `webhook_deliveries`, claimed with a lease by
///   any process.
/// Each webhook has its own slots, so a slow or failing receiver only ever holds its own.
/// Successes of retries are recorded in batches (one UPDATE for all that finished since the last
/// pass): a process that dies before recording one sends it again after the lease, with the same id.
internal sealed class WebhookSender(
    WebhookDeliveries deliveries, WebhookStreams streams, WebhookCatalog webhooks, IEnumerable<DeliveryChannel> otherChannels, TimeProvider time,
    IOptions<WebhookOptions> options, ILogger<WebhookSender> logger)
    : BackgroundService
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
    private readonly List<WebhookStream> _streams = [];
    /// How often an on-demand channel is looked at when nobody said it has work.
    private static readonly TimeSpan OnDemandPoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    // Successes are recorded once per pass; under load a pass gathers 50 ms of them (one write
    // instead of dozens: on SQLite every write waits for the single write lock).
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentQueue<(string Id, int Status)> _delivered = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _resumed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _due = new(StringComparer.Ordinal);
    private readonly Dictionary<TargetPolicy, HttpClient> _clients = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var webhookPolicy = new TargetPolicy(options.Value.AllowPrivateTargets, []);
        var channels = webhooks.Active
            ? webhooks.All.Where(w => w.Active).Select(w => new DeliveryChannel(w, webhookPolicy, OnDemand: false)).ToList()
            : [];
        channels.AddRange(otherChannels);
        if (channels.Count == 0)
        {
            return;
        }

        foreach (var policy in channels.Select(c => c.Policy).Distinct())
        {
            _clients[policy] = new HttpClient(TargetGuard.Handler(policy)) { Timeout = Timeout.InfiniteTimeSpan };
        }

        _streams.AddRange(channels.Where(c => !c.OnDemand).Select(c => new WebhookStream(c)));
        try
        {
            await RunAsync(channels, stoppingToken);
        }
        finally
        {
            await StopStreamsAsync();
        }
    }

    private async Task RunAsync(List<DeliveryChannel> channels, CancellationToken stoppingToken)
    {
        var slots = Math.Max(1, options.Value.ConcurrencyPerWebhook);
        var nextOnDemand = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            await RecordDeliveredAsync(stoppingToken);
            foreach (var stream in _streams)
            {
                try
                {
                    await PumpAsync(stream, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Reading the event log for webhook {Webhook} failed; trying again", stream.Channel.Webhook.Handle);
                }
            }

            var pollOnDemand = time.GetUtcNow() >= nextOnDemand;
            if (pollOnDemand)
            {
                nextOnDemand = time.GetUtcNow() + OnDemandPoll;
            }

            foreach (var channel in channels)
            {
                var webhook = channel.Webhook;
                // On-demand channels (import-job callbacks, rare) are not worth a claim on every pass.
                if (channel.OnDemand && !_due.TryRemove(webhook.Handle, out _) && !pollOnDemand)
                {
                    continue;
                }

                // Claim in batches: a claim is a write transaction, not worth one per delivery.
                var busy = _inFlight.GetValueOrDefault(webhook.Handle);
                var free = slots - busy;
                if (free <= 0 || (busy > 0 && free < Math.Max(1, slots / 4)))
                {
                    continue;
                }

                try
                {
                    var now = time.GetUtcNow();
                    // Longer than any attempt can take: a delivery whose process died is claimed again after it.
                    var lease = LeaseFrom(now);
                    foreach (var delivery in await deliveries.ClaimAsync(webhook.Handle, free, now, lease, stoppingToken))
                    {
                        _inFlight.AddOrUpdate(webhook.Handle, 1, (_, n) => n + 1);
                        _ = SendAsync(channel, delivery, stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Claiming deliveries of webhook {Webhook} failed; trying again", webhook.Handle);
                }
            }

            try
            {
                if (await _wake.WaitAsync(Poll, stoppingToken))
                {
                    // Let a few more sends finish: their outcomes are then recorded together.
                    await Task.Delay(Gather, time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// One pass over a webhook's stream: take it if nobody holds it, write how far it got, read
    /// more of the log, and start sends into the free slots.
    private async Task PumpAsync(WebhookStream stream, CancellationToken ct)
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
            var lease = LeaseFrom(now);
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
        var renew = stream.LeaseUntil - now < (LeaseFrom(now) - now) / 2;
        var due = force || renew || now - stream.WrittenAt >= (outcomes.Count > 0 ? WriteEvery : MoveEvery);
        if (!due || (!renew && outcomes.Count == 0 && position == stream.Position))
        {
            return;
        }

        var handle = stream.Channel.Webhook.Handle;
        var lease = LeaseFrom(now);
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
        var slots = Math.Max(1, options.Value.ConcurrencyPerWebhook);
        var mine = Math.Max(1, slots - (slots / 4));
        while (!ct.IsCancellationRequested && _inFlight.GetValueOrDefault(handle) < mine && stream.TryStart(out var next, out var generation))
        {
            _inFlight.AddOrUpdate(handle, 1, (_, n) => n + 1);
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
            var (status, error) = await PostAsync(channel, delivery, stoppingToken);
            var delivered = status is >= 200 and < 300;
            // A success keeps only what its write needs; a failure keeps the url and body for its retry row.
            stream.Finished(generation, delivered
                ? new WebhookStreams.Outcome(e.Position, deliveryId, "", "", status, null, at, null)
                : new WebhookStreams.Outcome(e.Position, deliveryId, delivery.Url, body, status, error, at, RetryAt(delivery, time.GetUtcNow())));
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
            _inFlight.AddOrUpdate(handle, 0, (_, n) => n - 1);
            StartSends(stream, stoppingToken);
            if (stream.Ready < ReadBatch / 2)
            {
                Wake();
            }
        }
    }

    /// At a graceful stop: write how far each stream got and let another process take it at once.
    private async Task StopStreamsAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var stream in _streams.Where(s => s.Owned))
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

    private async Task SendAsync(DeliveryChannel channel, DeliveryRow delivery, CancellationToken stoppingToken)
    {
        var webhook = channel.Webhook;
        try
        {
            var (status, error) = await PostAsync(channel, delivery, stoppingToken);
            var now = time.GetUtcNow();
            if (status is >= 200 and < 300)
            {
                _delivered.Enqueue((delivery.Id, status.Value));
                if (delivery.Attempts > 1 && _resumed.GetValueOrDefault(webhook.Handle) < now.AddSeconds(-10))
                {
                    _resumed[webhook.Handle] = now;
                    // A retry got through: the receiver is back. Its other waiting deliveries go now
                    // instead of each waiting out its own backoff (up to an hour).
                    await deliveries.ResumeAsync(webhook.Handle, now, CancellationToken.None);
                }

                logger.LogDebug("Delivered {DeliveryId} to webhook {Webhook} ({Status}, attempt {Attempt})", delivery.Id, webhook.Handle, status, delivery.Attempts);
                return;
            }

            var retryAt = RetryAt(delivery, now);
            await deliveries.AttemptFailedAsync(delivery.Id, status, error, retryAt, CancellationToken.None);
            logger.LogWarning("Delivery {DeliveryId} to webhook {Webhook} failed (attempt {Attempt}): {Error}; {Next}",
                delivery.Id, webhook.Handle, delivery.Attempts, error, retryAt is null ? "given up" : $"next attempt at {retryAt:O}");
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease runs out and the delivery is claimed again.
            logger.LogWarning(e, "Recording the outcome of delivery {DeliveryId} failed", delivery.Id);
        }
        finally
        {
            _inFlight.AddOrUpdate(webhook.Handle, 0, (_, n) => n - 1);
            Wake(webhook.Handle);
        }
    }

    /// Until when a delivery or stream taken now is this process's (longer than any attempt can take).
    private DateTimeOffset LeaseFrom(DateTimeOffset now) => now.AddSeconds((options.Value.TimeoutSeconds * 2) + 5);

    /// Deliveries of this channel are waiting (or one of its sends finished): look at it on the next pass.
    public void Wake(string channel)
    {
        _due[channel] = true;
        Wake();
    }

    /// New deliveries are waiting (the sequencer calls this), or a send has finished.
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

    private async Task RecordDeliveredAsync(CancellationToken ct)
    {
        var done = new List<(string Id, int Status)>();
        while (done.Count < 5000 && _delivered.TryDequeue(out var item))
        {
            done.Add(item);
        }

        try
        {
            foreach (var group in done.GroupBy(d => d.Status))
            {
                await deliveries.DeliveredAsync([.. group.Select(d => d.Id)], group.Key, time.GetUtcNow(), ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Not recorded: their leases run out and they are sent again (same ids, at least once).
            logger.LogWarning(e, "Recording {Count} deliveries as delivered failed", done.Count);
        }
    }

    private async Task<(int? Status, string Error)> PostAsync(DeliveryChannel channel, DeliveryRow delivery, CancellationToken stoppingToken)
    {
        var webhook = channel.Webhook;
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-livingdocs-delivery", delivery.Id);
        request.Headers.TryAddWithoutValidation("User-Agent", "MediaLibrary-Webhooks");
        if (webhook.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation("x-livingdocs-signature", WebhookPayload.Signature(secret, body));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        try
        {
            using var response = await _clients[channel.Policy].SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, $"answered {(int)response.StatusCode}");
        }
        catch (TargetRefusedException e)
        {
            return (null, e.Message);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return (null, $"no answer within {options.Value.TimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message);
        }
    }

    /// Exponential backoff with ±25 % jitter, at most an hour apart; null once the give-up window has passed.
    private DateTimeOffset? RetryAt(DeliveryRow delivery, DateTimeOffset now)
    {
        var o = options.Value;
        var seconds = Math.Min(o.MaxRetryDelaySeconds, o.RetryBaseSeconds * Math.Pow(2, Math.Max(0, delivery.Attempts - 1)));
        var next = now.AddSeconds(seconds * (0.75 + (Random.Shared.NextDouble() * 0.5)));
        return next - delivery.CreatedAt > TimeSpan.FromHours(o.GiveUpHours) ? null : next;
    }

    public override void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _wake.Dispose();
        base.Dispose();
    }
}

/// Where deliveries of one `webhook` handle go: a configured webhook, or another sender of signed
/// callbacks (import jobs) that uses the same table. `OnDemand` channels are claimed when woken
/// for them, and otherwise every few seconds.
internal sealed record DeliveryChannel(Webhook Webhook, TargetPolicy Policy, bool OnDemand);
