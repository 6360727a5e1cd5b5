using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

/// Validity clocks in several API processes on one database: a window that closes emits its
/// `invalid` event within 10 s, once.
public sealed class ValidityClockTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task A_window_that_closes_emits_invalid_once_within_ten_seconds_with_two_processes()
    {
        // Two real API processes, and the test host: three clocks race for the same boundary.
        await using var first = await ServiceProcess.StartAsync(app.Settings());
        await using var second = await ServiceProcess.StartAsync(app.Settings());
        var client = await app.ReaderWriterAsync();
        var closes = DateTimeOffset.UtcNow.AddSeconds(3);
        var id = await client.ImportImageAsync(new JsonObject
        {
            ["title"] = "Closing soon",
            ["validity"] = new JsonObject { ["from"] = AppJson.Format(closes.AddDays(-1)), ["to"] = AppJson.Format(closes) },
        });
        Assert.Equal("active", (await client.GetEntryAsync(id)).GetProperty("state").GetString());

        var events = await client.EventsUntilAsync(id, e => e.Count >= 2, "the invalid event", TimeSpan.FromSeconds(13));

        // No event marks "every clock has looked at this boundary": each of the three ticks on its own
        // every ClockSeconds (1 s), and a second `invalid` could only come from a tick after the
        // boundary passed. So this bound is a clock: two ticks of each, watched as they go.
        await Waits.AssertNothingHappensWithinAsync(TimeSpan.FromSeconds(2),
            async () => (await client.PageAsync(query: $"&mediaId={id}")).Count > 2, "a second state event after the window closed");

        // Then a marker write: the feed shows its event only once every event committed before it
        // is shown, so a second `invalid` written during the ticks above is in the feed by then.
        (await client.PatchOpsAsync(id, SetMetadata("caption", "marker"))).EnsureSuccessStatusCode();
        events = await client.EventsUntilAsync(id, e => e.Names().Contains("mediaLibraryEntry.update"), "the marker's update event");

        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.invalid", "mediaLibraryEntry.update"], events.Names());
        var invalid = events[1];
        Assert.Equal("system", invalid.GetProperty("actor").GetProperty("type").GetString());
        Assert.Equal(1, invalid.GetProperty("version").GetInt32());
        Assert.True(invalid.GetProperty("createdAt").GetDateTimeOffset() - closes < TimeSpan.FromSeconds(10));
        Assert.Equal("invalid", (await client.GetEntryAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Moving_a_window_into_the_future_is_an_invalid_event_of_the_patch_and_its_opening_an_active_one()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var opens = DateTimeOffset.UtcNow.AddSeconds(2);

        await client.PatchOpsAsync(id, SetMetadata("validity", new JsonObject { ["from"] = AppJson.Format(opens) }));

        var events = await client.EventsOfAsync(id, 4, TimeSpan.FromSeconds(12));
        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.update", "mediaLibraryEntry.invalid", "mediaLibraryEntry.active"], events.Names());
        Assert.Equal("api-client", events[2].GetProperty("actor").GetProperty("type").GetString());
        Assert.Equal("system", events[3].GetProperty("actor").GetProperty("type").GetString());
    }
}
