using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// One attempt of a delivery: the signed POST (10 s to answer by default) and, when it fails, when
/// to try again (exponential backoff with jitter until the give-up window has passed). One
/// HttpClient per target policy, each behind the SSRF guard (<see cref="TargetGuard"/>).
internal sealed class WebhookPoster(IOptions<WebhookOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<TargetPolicy, HttpClient> _clients = new();

    private HttpClient Client(TargetPolicy policy) =>
        _clients.GetOrAdd(policy, static p => new HttpClient(TargetGuard.Handler(p)) { Timeout = Timeout.InfiniteTimeSpan });

    public async Task<(int? Status, string Error)> PostAsync(DeliveryChannel channel, DeliveryRow delivery, CancellationToken stoppingToken)
    {
        var webhook = channel.Webhook;
        // The outgoing POST is this span's child; the webhook's handle is its only label.
        using var activity = Hosting.Telemetry.Source.StartActivity("webhook delivery");
        activity?.SetTag("medialibrary.webhook", webhook.Handle);
        activity?.SetTag("medialibrary.attempt", delivery.Attempts);
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
            using var response = await Client(channel.Policy).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Count(webhook.Handle, response.IsSuccessStatusCode);
            return ((int)response.StatusCode, $"answered {(int)response.StatusCode}");
        }
        catch (TargetRefusedException e)
        {
            Count(webhook.Handle, false);
            return (null, e.Message);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            Count(webhook.Handle, false);
            return (null, $"no answer within {options.Value.TimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            Count(webhook.Handle, false);
            return (null, e.Message);
        }
    }

    private static void Count(string webhook, bool sent) =>
        Hosting.Telemetry.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("webhook", webhook), new KeyValuePair<string, object?>("outcome", sent ? "sent" : "failed"));

    /// Exponential backoff with ±25 % jitter, at most an hour apart; null once the give-up window has passed.
    public DateTimeOffset? RetryAt(DeliveryRow delivery, DateTimeOffset now)
    {
        var o = options.Value;
        var seconds = Math.Min(o.MaxRetryDelaySeconds, o.RetryBaseSeconds * Math.Pow(2, Math.Max(0, delivery.Attempts - 1)));
        var next = now.AddSeconds(seconds * (0.75 + (Random.Shared.NextDouble() * 0.5)));
        return next - delivery.CreatedAt > TimeSpan.FromHours(o.GiveUpHours) ? null : next;
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
