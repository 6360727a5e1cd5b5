using System.Text.Json;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MediaLibrary.Tests.Events;

/// A clock a test can move forward; timers and delays stay real.
public sealed class MovableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// The webhook app on a clock the test moves 31 days on (retention is 30 days by default).
public sealed class RetentionApp : WebhookApp
{
    public MovableClock Clock { get; } = new();

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
}

public sealed class RetentionTests(RetentionApp app) : IClassFixture<RetentionApp>
{
    [Fact]
    public async Task Events_and_delivery_records_older_than_the_retention_go_and_newer_ones_stay()
    {
        var client = await app.ReaderWriterAsync();
        var old = await client.ImportImageAsync();
        var oldEvent = await CreateEventAsync(client, old);
        await WaitUntilAsync(async () => (await DeliveredAsync()).Contains(oldEvent), "the first delivery's success was not written");

        app.Clock.Advance(TimeSpan.FromDays(31));
        var fresh = await client.ImportImageAsync();
        var freshEvent = await CreateEventAsync(client, fresh);
        await WaitUntilAsync(async () => (await DeliveredAsync()).Contains(freshEvent), "the delivery after 31 days was not written");

        // Retention runs hourly (on the moved clock): the run right after the jump found the old
        // event the newest, which always stays. The next run comes an hour later.
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        await WaitUntilAsync(async () => !(await FeedAsync(client)).Contains(oldEvent), "the 31-day-old event stayed in the feed", StateAsync);

        var feed = await FeedAsync(client);
        Assert.Contains(freshEvent, feed);
        var delivered = await DeliveredAsync();
        Assert.DoesNotContain(oldEvent, delivered);
        Assert.Contains(freshEvent, delivered);
        // Retention removes events and delivery records, never the entry they were about.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync($"/api/2026-05/mediaLibrary/{old}")).StatusCode);
        Assert.Contains(app.Logs, l => l.Contains("Retention removed", StringComparison.Ordinal));
    }

    /// The id of the entry's create event, once the feed shows it (PostgreSQL numbers events just after their commit).
    private static async Task<long> CreateEventAsync(HttpClient client, string mediaId)
    {
        var ids = new List<long>();
        await WaitUntilAsync(async () =>
        {
            var body = JsonDocument.Parse(await client.GetStringAsync($"/api/2026-05/events?mediaId={mediaId}&events=mediaLibraryEntry.create"));
            ids = body.RootElement.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
            return ids.Count > 0;
        }, "the create event did not reach the feed");
        return Assert.Single(ids);
    }

    private static async Task<List<long>> FeedAsync(HttpClient client)
    {
        var body = JsonDocument.Parse(await client.GetStringAsync("/api/2026-05/events?limit=1000"));
        return body.RootElement.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
    }

    private async Task<List<long>> DeliveredAsync()
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        return (await connection.QueryAsync<long>("SELECT event_id FROM webhook_delivered WHERE webhook = 'all'")).ToList();
    }

    /// What the failure message shows: the streams, the events and the retention log lines.
    private async Task<string> StateAsync()
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        var streams = string.Join(";", await connection.QueryAsync<string>("SELECT webhook || ' ' || position || ' ' || COALESCE(owner, '-') FROM webhook_streams"));
        var events = string.Join(";", await connection.QueryAsync<string>("SELECT position || ' ' || created_at FROM events"));
        return $"\nstreams {streams}\nevents {events}\nnow {app.Clock.GetUtcNow():O}\n" + string.Join("\n", app.Logs.Where(l => l.Contains("Retention", StringComparison.Ordinal) || l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).TakeLast(10));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done, string failure, Func<Task<string>>? state = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await done())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(failure + (state is null ? "" : await state()));
            }

            await Task.Delay(100);
        }
    }
}
