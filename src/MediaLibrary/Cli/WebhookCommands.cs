using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.Storage;

namespace MediaLibrary.Cli;

/// `webhooks list|deliveries|redeliver`: what an operator needs when a receiver was down.
internal static class WebhookCommands
{
    public static async Task<int> ListAsync(WebhookCatalog webhooks, Database database, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        // First-attempt successes are in webhook_delivered; everything retried, failed or pending has a row.
        var counts = (await session.QueryAsync<StateCount>(
                """
                SELECT webhook, state, CAST(SUM(count) AS BIGINT) AS count FROM (
                    SELECT webhook, state, COUNT(*) AS count FROM webhook_deliveries GROUP BY webhook, state
                    UNION ALL
                    SELECT webhook, 'delivered' AS state, COUNT(*) AS count FROM webhook_delivered GROUP BY webhook) AS d
                GROUP BY webhook, state
                """, ct))
            .ToLookup(c => c.Webhook);
        Console.Out.WriteLine($"{"HANDLE",-20} {"ACTIVE",-6} {"URL",-40} {"DELIVERIES",-40} EVENTS");
        foreach (var webhook in webhooks.All)
        {
            var states = string.Join(", ", counts[webhook.Handle].OrderBy(c => c.State).Select(c => $"{c.State} {c.Count}"));
            var active = webhooks.Active && webhook.Active ? "yes" : "no";
            Console.Out.WriteLine($"{webhook.Handle,-20} {active,-6} {webhook.Url,-40} {(states.Length == 0 ? "-" : states),-40} {string.Join(",", webhook.Subscriptions.Select(s => s.Event))}");
        }

        // Import jobs' completion callbacks use the same table under their own handle; each has its own URL.
        var callbacks = string.Join(", ", counts[Imports.ImportJobs.WebhookChannel].OrderBy(c => c.State).Select(c => $"{c.State} {c.Count}"));
        if (callbacks.Length > 0)
        {
            Console.Out.WriteLine($"{Imports.ImportJobs.WebhookChannel,-20} {"yes",-6} {"(each job's webhook)",-40} {callbacks,-40} import job finished");
        }

        return 0;
    }

    public static async Task<int> DeliveriesAsync(WebhookDeliveries deliveries, string handle, bool failedOnly, int limit, CancellationToken ct)
    {
        Console.Out.WriteLine($"{"DELIVERY",-28} {"EVENT",-8} {"STATE",-10} {"ATTEMPTS",-8} {"CREATED",-25} LAST");
        foreach (var d in await deliveries.ListAsync(handle, failedOnly, Math.Clamp(limit, 1, 10_000), ct))
        {
            var last = d.LastStatus is { } status ? $"answered {status}" : d.LastError ?? "-";
            Console.Out.WriteLine($"{d.Id,-28} {d.EventId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",-8} {d.State,-10} {d.Attempts,-8} {AppJson.Format(d.CreatedAt),-25} {last}");
        }

        return 0;
    }

    public static async Task<int> RedeliverAsync(WebhookDeliveries deliveries, WebhookCatalog webhooks, TimeProvider time, string id, CancellationToken ct)
    {
        if (!await deliveries.RedeliverAsync(id, webhooks, time.GetUtcNow(), ct))
        {
            await Console.Error.WriteLineAsync($"No delivery '{id}'.");
            return 1;
        }

        await Console.Error.WriteLineAsync($"Delivery '{id}' is pending again; a running API process sends it within a second.");
        return 0;
    }

    private sealed class StateCount
    {
        public string Webhook { get; set; } = "";
        public string State { get; set; } = "";
        public long Count { get; set; }
    }
}
