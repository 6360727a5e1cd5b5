using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Sends pending deliveries: POST with the stored body, signed, 10 s to answer; a 2xx delivers,
/// anything else retries with exponential backoff and jitter until the give-up window has passed.
/// Each webhook has its own slots, so a slow or failing receiver only ever holds its own.
internal sealed class WebhookSender(
    WebhookDeliveries deliveries, WebhookCatalog webhooks, TimeProvider time, IOptions<WebhookOptions> options, ILogger<WebhookSender> logger)
    : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private HttpClient? _http;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!webhooks.Active || webhooks.All.All(w => !w.Active))
        {
            return;
        }

        using var http = new HttpClient(TargetGuard.Handler(options.Value.AllowPrivateTargets)) { Timeout = Timeout.InfiniteTimeSpan };
        _http = http;
        var slots = Math.Max(1, options.Value.ConcurrencyPerWebhook);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var webhook in webhooks.All.Where(w => w.Active))
            {
                var free = slots - _inFlight.GetValueOrDefault(webhook.Handle);
                if (free <= 0)
                {
                    continue;
                }

                try
                {
                    var now = time.GetUtcNow();
                    // Longer than any attempt can take: a delivery whose process died is claimed again after it.
                    var lease = now.AddSeconds((options.Value.TimeoutSeconds * 2) + 5);
                    foreach (var delivery in await deliveries.ClaimAsync(webhook.Handle, free, now, lease, stoppingToken))
                    {
                        _inFlight.AddOrUpdate(webhook.Handle, 1, (_, n) => n + 1);
                        _ = SendAsync(webhook, delivery, stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Claiming deliveries of webhook {Webhook} failed; trying again", webhook.Handle);
                }
            }

            try
            {
                await _wake.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAsync(Webhook webhook, DeliveryRow delivery, CancellationToken stoppingToken)
    {
        try
        {
            var (status, error) = await PostAsync(webhook, delivery, stoppingToken);
            var now = time.GetUtcNow();
            if (status is >= 200 and < 300)
            {
                await deliveries.DeliveredAsync(delivery.Id, status.Value, now, CancellationToken.None);
                logger.LogInformation("Delivered {DeliveryId} to webhook {Webhook} ({Status}, attempt {Attempt})", delivery.Id, webhook.Handle, status, delivery.Attempts);
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
            _wake.Release();
        }
    }

    private async Task<(int? Status, string Error)> PostAsync(Webhook webhook, DeliveryRow delivery, CancellationToken stoppingToken)
    {
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
            using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
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
        _wake.Dispose();
        base.Dispose();
    }
}
