using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

public sealed class EventLogTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Each_write_appends_the_events_of_the_table_in_order_with_version_and_actor()
    {
        var client = await app.ClientAsync("public-api:read", "public-api:write");
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "Events" });

        await client.PatchOpsAsync(id, SetMetadata("caption", "one"));
        await client.PatchOpsAsync(id, Op("archive"));
        await client.PatchOpsAsync(id, Op("revokeAsset", ("note", "rights")));
        await client.PatchOpsAsync(id, Op("unrevokeAsset"));
        await client.PatchOpsAsync(id, SetMetadata("invalid", true), SetMetadata("caption", "two"));

        var events = await client.EventsOfAsync(id, 7);
        Assert.Equal(
            ["mediaLibraryEntry.create", "mediaLibraryEntry.update", "mediaLibraryEntry.archive", "mediaLibraryEntry.revoke",
             "mediaLibraryEntry.active", "mediaLibraryEntry.update", "mediaLibraryEntry.invalid"],
            events.Names());
        Assert.Equal([1, 2, 3, 4, 5, 6, 6], events.Select(e => e.GetProperty("version").GetInt32()));
        Assert.All(events, e => Assert.Equal("api-client", e.GetProperty("actor").GetProperty("type").GetString()));
        Assert.All(events, e => Assert.StartsWith("test-", e.GetProperty("actor").GetProperty("name").GetString(), StringComparison.Ordinal));
        var ids = events.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task No_op_and_rejected_writes_append_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchOpsAsync(id, Op("archive"));
        await client.EventsOfAsync(id, 2);

        Assert.Equal(HttpStatusCode.OK, (await client.PatchOpsAsync(id, Op("archive"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PatchOpsAsync(id, SetMetadata("caption", "x"), Op("nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PatchAsync(id, new JsonObject { ["version"] = 1, ["patches"] = new JsonArray(SetMetadata("caption", "y")) })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PatchOpsAsync(id, Op("unrevokeAsset"))).StatusCode);

        // The marker: a real change after them. The feed shows an event only once every event
        // committed before it is shown too, so anything those writes appended is in the feed by then.
        (await client.PatchOpsAsync(id, SetMetadata("caption", "marker"))).EnsureSuccessStatusCode();
        var events = await client.EventsUntilAsync(id, e => e.Names().Contains("mediaLibraryEntry.update"), "the marker's update event");
        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.archive", "mediaLibraryEntry.update"], events.Names());
        Assert.Equal(3, await CountAsync($"SELECT COUNT(*) FROM events WHERE media_id = '{id}'"));
    }

    [Fact]
    public async Task Publishing_and_unpublishing_a_document_are_events_and_unpublishing_twice_is_one()
    {
        var client = await app.ReaderWriterAsync();
        var body = new JsonObject
        {
            ["systemName"] = "events", ["documents"] = new JsonArray(new JsonObject
            {
                ["externalId"] = Guid.NewGuid().ToString("N"), ["contentType"] = "regular", ["title"] = "T", ["publish"] = true,
            }),
        };
        var documentId = (await (await client.PostAsync("/api/2026-03/import/documents", Json(body))).JsonAsync()).GetProperty("results")[0].GetProperty("id").GetInt64();
        await client.PostAsync($"/api/2026-03/documents/{documentId}/unpublish", null);
        await client.PostAsync($"/api/2026-03/documents/{documentId}/unpublish", null);

        // The marker: another document published after the second unpublish. The feed shows an
        // event only once every event committed before it is shown too.
        body["documents"]![0]!["externalId"] = Guid.NewGuid().ToString("N");
        var markerId = (await (await client.PostAsync("/api/2026-03/import/documents", Json(body))).JsonAsync()).GetProperty("results")[0].GetProperty("id").GetInt64();
        static bool Of(System.Text.Json.JsonElement e, long document) => e.TryGetProperty("documentId", out var d) && d.GetInt64() == document;
        var feed = await Waits.UntilAsync(() => client.PageAsync(query: "&events=document.publish,document.unpublish"), f => f.Any(e => Of(e, markerId)),
            TimeSpan.FromSeconds(10), "the marker document's publish event");
        var mine = feed.Where(e => Of(e, documentId)).ToList();

        Assert.Equal(["document.publish", "document.unpublish"], mine.Names());
        Assert.False(mine[0].TryGetProperty("mediaId", out _));
    }

    [Fact]
    public async Task The_feed_pages_with_id_gt_filters_and_answers_by_version()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchOpsAsync(id, SetMetadata("caption", "a"));
        await client.PatchOpsAsync(id, SetMetadata("caption", "b"));
        var all = await client.EventsOfAsync(id, 3);

        var afterFirst = await client.PageAsync(all[0].GetProperty("id").GetInt64(), $"&mediaId={id}", limit: 1);
        Assert.Equal(all[1].GetRawText(), Assert.Single(afterFirst).GetRawText());
        Assert.Equal(2, (await client.PageAsync(query: $"&mediaId={id}&events=mediaLibraryEntry.update")).Count);

        var legacy = await (await client.GetAsync($"/api/2025-03/events?mediaId={id}")).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Array, legacy.ValueKind);
        Assert.Equal(3, legacy.GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("id.gt=-1", "id.gt")]
    [InlineData("id.gt=x", "id.gt")]
    [InlineData("events=mediaLibraryEntry.destroy", "events")]
    public async Task Bad_feed_parameters_are_400_naming_them(string query, string name)
    {
        var client = await app.ClientAsync("public-api:read");
        var details = await (await client.GetAsync($"/api/2026-03/events?{query}")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(name, out _), details.ToString());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
