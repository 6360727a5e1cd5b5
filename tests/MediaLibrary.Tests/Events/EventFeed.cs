using System.Text.Json;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Events;

/// Reads the pull feed the way a client does, waiting for the sequencer where needed.
public static class EventFeed
{
    public static async Task<List<JsonElement>> PageAsync(this HttpClient client, long after = 0, string query = "", int limit = 1000)
    {
        var response = await client.GetAsync($"/api/2026-03/events?id.gt={after}&limit={limit}{query}");
        return [.. (await response.JsonAsync()).GetProperty("results").EnumerateArray()];
    }

    /// The events of one entry, once at least `count` are in the feed (the sequencer runs in the background).
    public static async Task<List<JsonElement>> EventsOfAsync(this HttpClient client, string mediaId, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var events = await client.PageAsync(query: $"&mediaId={mediaId}");
            if (events.Count >= count || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(50);
        }
    }

    /// The events of one entry, once `done` holds for them (a marker event has arrived); fails naming `what` after `timeout`.
    public static Task<List<JsonElement>> EventsUntilAsync(this HttpClient client, string mediaId, Func<List<JsonElement>, bool> done, string what, TimeSpan? timeout = null) =>
        Waits.UntilAsync(() => client.PageAsync(query: $"&mediaId={mediaId}"), done, timeout ?? TimeSpan.FromSeconds(10), what, e => string.Join(", ", e.Names()));

    public static string[] Names(this IEnumerable<JsonElement> events) => [.. events.Select(e => e.GetProperty("event").GetString()!)];
}
