using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Sends webhooks: a 2xx delivers, anything else retries (<see cref="WebhookPoster"/>).
/// - First attempts come from each webhook's stream through the event log (<see cref="WebhookStreamPump"/>).
/// - Retries (and import-job callbacks) are rows in `webhook_deliveries`, claimed with a lease by
///   any process; this loop claims and sends them.
/// Each webhook has its own slots (<see cref="WebhookSlots"/>).
/// Successes of retries are recorded in batches (one UPDATE for all that finished since the last
/// pass): a process that dies before recording one sends it again after the lease, with the same id.
internal sealed class WebhookSender : BackgroundService
{
    private readonly WebhookDeliveries _deliveries;
    private readonly WebhookCatalog _webhooks;
    private readonly IEnumerable<DeliveryChannel> _otherChannels;
    private readonly WebhookPoster _poster;
    private readonly TimeProvider _time;
    private readonly IOptions<WebhookOptions> _options;
    private readonly ILogger<WebhookSender> _logger;
    private readonly WebhookSlots _slots;
    private readonly WebhookStreamPump _pump;

    /// How often an on-demand channel is looked at when nobody said it has work.
    private static readonly TimeSpan OnDemandPoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    // Successes are recorded once per pass; under load a pass gathers 50 ms of them (one write
    // instead of dozens: on SQLite every write waits for the single write lock).
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentQueue<(string Id, int Status)> _delivered = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _resumed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _due = new(StringComparer.Ordinal);

    public WebhookSender(
        WebhookDeliveries deliveries, WebhookStreams streams, WebhookCatalog webhooks, IEnumerable<DeliveryChannel> otherChannels, WebhookPoster poster,
        TimeProvider time, IOptions<WebhookOptions> options, ILogger<WebhookSender> logger)
    {
        (_deliveries, _webhooks, _otherChannels, _poster, _time, _options, _logger) = (deliveries, webhooks, otherChannels, poster, time, options, logger);
        _slots = new WebhookSlots(_options.Value.ConcurrencyPerWebhook, _options.Value.TimeoutSeconds);
        _pump = new WebhookStreamPump(streams, poster, _slots, Wake, time, logger);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var webhookPolicy = new TargetPolicy(_options.Value.AllowPrivateTargets, []);
        var channels = _webhooks.Active
            ? _webhooks.All.Where(w => w.Active).Select(w => new DeliveryChannel(w, webhookPolicy, OnDemand: false)).ToList()
            : [];
        channels.AddRange(_otherChannels);
        if (channels.Count == 0)
        {
            return;
        }

        _pump.Streams.AddRange(channels.Where(c => !c.OnDemand).Select(c => new WebhookStream(c)));
        try
        {
            await RunAsync(channels, stoppingToken);
        }
        finally
        {
            await _pump.StopAsync();
        }
    }

    private async Task RunAsync(List<DeliveryChannel> channels, CancellationToken stoppingToken)
    {
        var slots = _slots.PerWebhook;
        var nextOnDemand = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            await RecordDeliveredAsync(stoppingToken);
            foreach (var stream in _pump.Streams)
            {
                try
                {
                    await _pump.PumpAsync(stream, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    _logger.LogWarning(e, "Reading the event log for webhook {Webhook} failed; trying again", stream.Channel.Webhook.Handle);
                }
            }

            var pollOnDemand = _time.GetUtcNow() >= nextOnDemand;
            if (pollOnDemand)
            {
                nextOnDemand = _time.GetUtcNow() + OnDemandPoll;
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
                var busy = _slots.Busy(webhook.Handle);
                var free = slots - busy;
                if (free <= 0 || (busy > 0 && free < Math.Max(1, slots / 4)))
                {
                    continue;
                }

                try
                {
                    var now = _time.GetUtcNow();
                    // Longer than any attempt can take: a delivery whose process died is claimed again after it.
                    var lease = _slots.LeaseFrom(now);
                    foreach (var delivery in await _deliveries.ClaimAsync(webhook.Handle, free, now, lease, stoppingToken))
                    {
                        _slots.Start(webhook.Handle);
                        _ = SendAsync(channel, delivery, stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    _logger.LogWarning(e, "Claiming deliveries of webhook {Webhook} failed; trying again", webhook.Handle);
                }
            }

            try
            {
                if (await _wake.WaitAsync(Poll, stoppingToken))
                {
                    // Let a few more sends finish: their outcomes are then recorded together.
                    await Task.Delay(Gather, _time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAsync(DeliveryChannel channel, DeliveryRow delivery, CancellationToken stoppingToken)
    {
        var webhook = channel.Webhook;
        try
        {
            var (status, error) = await _poster.PostAsync(channel, delivery, stoppingToken);
            var now = _time.GetUtcNow();
            if (status is >= 200 and < 300)
            {
                _delivered.Enqueue((delivery.Id, status.Value));
                if (delivery.Attempts > 1 && _resumed.GetValueOrDefault(webhook.Handle) < now.AddSeconds(-10))
                {
                    _resumed[webhook.Handle] = now;
                    // A retry got through: the receiver is back. Its other waiting deliveries go now
                    // instead of each waiting out its own backoff (up to an hour).
                    await _deliveries.ResumeAsync(webhook.Handle, now, CancellationToken.None);
                }

                _logger.LogDebug("Delivered {DeliveryId} to webhook {Webhook} ({Status}, attempt {Attempt})", delivery.Id, webhook.Handle, status, delivery.Attempts);
                return;
            }

            var retryAt = _poster.RetryAt(delivery, now);
            await _deliveries.AttemptFailedAsync(delivery.Id, status, error, retryAt, CancellationToken.None);
            _logger.LogWarning("Delivery {DeliveryId} to webhook {Webhook} failed (attempt {Attempt}): {Error}; {Next}",
                delivery.Id, webhook.Handle, delivery.Attempts, error, retryAt is null ? "given up" : $"next attempt at {retryAt:O}");
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease runs out and the delivery is claimed again.
            _logger.LogWarning(e, "Recording the outcome of delivery {DeliveryId} failed", delivery.Id);
        }
        finally
        {
            _slots.Finish(webhook.Handle);
            Wake(webhook.Handle);
        }
    }

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
                await _deliveries.DeliveredAsync([.. group.Select(d => d.Id)], group.Key, _time.GetUtcNow(), ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Not recorded: their leases run out and they are sent again (same ids, at least once).
            _logger.LogWarning(e, "Recording {Count} deliveries as delivered failed", done.Count);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}

/// Where deliveries of one `webhook` handle go: a configured webhook, or another sender of signed
/// callbacks (import jobs) that uses the same table. `OnDemand` channels are claimed when woken
/// for them, and otherwise every few seconds.
internal sealed record DeliveryChannel(Webhook Webhook, TargetPolicy Policy, bool OnDemand);
