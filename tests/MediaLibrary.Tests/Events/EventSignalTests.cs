using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

/// The sequencer looks for new events only every ten minutes here.
public sealed class SlowSequencerApp : TestApp
{
    public SlowSequencerApp() => Overrides["MediaLibrary:Events:SequencerPollMilliseconds"] = "600000";
}

/// Events are signalled by the commit that wrote them, whichever writer it was: with the poll ten
/// minutes away, only that signal brings them into the feed within seconds on PostgreSQL, where
/// events are numbered after they commit. (SQLite numbers them as they are inserted.)
public sealed class EventSignalTests(SlowSequencerApp app) : IClassFixture<SlowSequencerApp>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Each_kind_of_write_brings_its_events_into_the_feed_without_waiting_for_the_poll()
    {
        var client = await app.ReaderWriterAsync();

        // A transaction (import).
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "Signalled" });
        await client.EventsUntilAsync(id, e => e.Names().SequenceEqual(["mediaLibraryEntry.create"]), "the create event", Soon);

        // One statement in autocommit on PostgreSQL (a PATCH that changes only metadata).
        await client.PatchOpsAsync(id, SetMetadata("caption", "signalled"));
        await client.EventsUntilAsync(id, e => e.Names().Length == 2, "the update event", Soon);

        // A transaction with savepoints (document import).
        var body = new JsonObject
        {
            ["systemName"] = "signal", ["documents"] = new JsonArray(new JsonObject
            {
                ["externalId"] = Guid.NewGuid().ToString("N"), ["contentType"] = "regular", ["title"] = "T", ["publish"] = true,
            }),
        };
        var documentId = (await (await client.PostAsync("/api/2026-03/import/documents", Json(body))).JsonAsync())
            .GetProperty("results")[0].GetProperty("id").GetInt64();
        await Waits.UntilAsync(() => client.PageAsync(query: "&events=document.publish"),
            f => f.Any(e => e.TryGetProperty("documentId", out var d) && d.GetInt64() == documentId), Soon, "the document.publish event");
    }
}
