using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Entries;

public static class BatchCalls
{
    public const string V = "2026-07";

    public static JsonObject Item(string id, params JsonObject[] patches) => new() { ["id"] = id, ["patches"] = new JsonArray([.. patches]) };

    public static Task<HttpResponseMessage> PatchManyAsync(this HttpClient client, JsonNode body, string version = V) =>
        client.PatchAsync($"/api/{version}/mediaLibrary", Json(body));

    /// The results of a batch that answered 200.
    public static async Task<List<JsonElement>> ResultsAsync(this HttpClient client, params JsonObject[] items) =>
        [.. (await (await client.PatchManyAsync(new JsonObject { ["entries"] = new JsonArray([.. items]) })).JsonAsync())
            .GetProperty("results").EnumerateArray()];
}

public sealed class BatchPatchTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Each_entry_gets_the_answer_its_own_PATCH_would_get_and_a_failing_one_changes_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var ok = await client.ImportImageAsync();
        var stale = await client.ImportImageAsync();
        var invalid = await client.ImportImageAsync(new JsonObject { ["title"] = "Keep me", ["priority"] = 3 });
        var linker = await client.ImportImageAsync();
        var unchanged = await client.ImportImageAsync(new JsonObject { ["title"] = "Same" });

        var results = await client.ResultsAsync(
            BatchCalls.Item(ok, SetMetadata("title", "Batched"), SetMetadata("tags", new JsonArray("a", "b"))),
            BatchCalls.Item("no-such-entry", SetMetadata("title", "x")),
            new JsonObject { ["id"] = stale, ["version"] = 7, ["patches"] = new JsonArray(SetMetadata("title", "late")) },
            BatchCalls.Item(invalid, SetMetadata("title", "Changed"), SetMetadata("priority", 11)),
            BatchCalls.Item(linker, SetMetadata("relatedImage", new JsonObject { ["mediaId"] = ok })),
            BatchCalls.Item(unchanged, SetMetadata("title", "Same")),
            BatchCalls.Item(new string('x', 80), SetMetadata("title", "x")));

        Assert.Equal([ok, "no-such-entry", stale, invalid, linker, unchanged, new string('x', 80)], results.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal([200, 404, 409, 400, 200, 200, 404], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal([true, false, false, false, true, true, false], results.Select(r => r.GetProperty("ok").GetBoolean()));
        Assert.Equal(2, results[0].GetProperty("version").GetInt32());
        Assert.Equal(2, results[4].GetProperty("version").GetInt32());
        Assert.Equal(1, results[5].GetProperty("version").GetInt32());

        // The failures carry exactly the single PATCH's error and details.
        async Task SameAsSingle(JsonElement result, string id, JsonObject body)
        {
            var single = await (await client.PatchAsync(id, body, BatchCalls.V)).Content.ReadAsStringAsync();
            var envelope = JsonNode.Parse(single)!;
            Assert.Equal(envelope["error"]!.GetValue<string>(), result.GetProperty("error").GetString());
            Assert.True(JsonNode.DeepEquals(envelope["error_details"], JsonNode.Parse(result.GetProperty("error_details").GetRawText())), single);
        }

        await SameAsSingle(results[2], stale, new JsonObject { ["version"] = 7, ["patches"] = new JsonArray(SetMetadata("title", "late")) });
        await SameAsSingle(results[3], invalid, new JsonObject { ["patches"] = new JsonArray(SetMetadata("title", "Changed"), SetMetadata("priority", 11)) });
        Assert.Equal("Not Found", results[1].GetProperty("error").GetString());

        var patched = await client.GetEntryAsync(ok, BatchCalls.V);
        Assert.Equal("Batched", patched.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(1, patched.GetProperty("usage").GetProperty("media").GetInt32());
        var kept = await client.GetEntryAsync(invalid, BatchCalls.V);
        Assert.Equal(1, kept.GetProperty("version").GetInt32());
        Assert.Equal("Keep me", kept.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(1, (await client.GetEntryAsync(stale, BatchCalls.V)).GetProperty("version").GetInt32());

        // Events as if each were its own PATCH: one update each for the changed entries, none for the others.
        Assert.Equal("mediaLibraryEntry.update", (await Events.EventFeed.EventsOfAsync(client, ok, 2))[^1].GetProperty("event").GetString());
        Assert.Equal("mediaLibraryEntry.update", (await Events.EventFeed.EventsOfAsync(client, linker, 2))[^1].GetProperty("event").GetString());
        await Task.Delay(300);
        Assert.Single(await Events.EventFeed.EventsOfAsync(client, invalid, 1));
        Assert.Single(await Events.EventFeed.EventsOfAsync(client, unchanged, 1));
    }

    [Fact]
    public async Task PreserveUpdatedAt_and_side_writes_go_with_their_entry()
    {
        var client = await app.ReaderWriterAsync();
        var quiet = await client.ImportImageAsync();
        var replaced = await client.ImportImageAsync();
        var before = (await client.GetEntryAsync(quiet, BatchCalls.V)).GetProperty("updatedAt").GetString();
        var asset = await client.UploadImageAsync(800, 600);
        var missing = (JsonObject)asset.DeepClone();
        missing["key"] = "nowhere/missing.jpg";

        var body = new JsonObject
        {
            ["preserveUpdatedAt"] = true,
            ["entries"] = new JsonArray(
                BatchCalls.Item(quiet, SetMetadata("caption", "Quiet fix")),
                BatchCalls.Item(replaced, Op("replaceAsset", ("value", asset))),
                BatchCalls.Item(quiet + "x", Op("replaceAsset", ("value", missing.DeepClone())))),
        };
        var results = (await (await client.PatchManyAsync(body)).JsonAsync()).GetProperty("results").EnumerateArray().ToList();

        Assert.Equal([200, 200, 404], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal(before, (await client.GetEntryAsync(quiet, BatchCalls.V)).GetProperty("updatedAt").GetString());
        var keys = await (await client.GetAsync($"/api/{BatchCalls.V}/mediaLibrary/{replaced}/keys")).JsonAsync();
        Assert.Contains(asset["key"]!.GetValue<string>(), keys.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(600, (await client.GetEntryAsync(replaced, BatchCalls.V)).GetProperty("asset").GetProperty("height").GetInt32());

        var bad = await client.ResultsAsync(BatchCalls.Item(replaced, SetMetadata("title", "t"), Op("replaceAsset", ("value", missing.DeepClone()))));
        Assert.Equal(400, bad[0].GetProperty("status").GetInt32());
        Assert.True(bad[0].GetProperty("error_details").TryGetProperty("patches.1.value.key", out _) ||
                    bad[0].GetProperty("error_details").EnumerateObject().Any(p => p.Name.StartsWith("patches.1.value", StringComparison.Ordinal)), bad[0].GetRawText());
        Assert.Equal(2, (await client.GetEntryAsync(replaced, BatchCalls.V)).GetProperty("version").GetInt32());
    }

    public static TheoryData<string, string> UnusableBodies => new()
    {
        { """{"entries": []}""", "entries" },
        { """{}""", "entries" },
        { """{"entries": {"id": "a"}}""", "entries" },
        { """{"entries": [{"id": "a", "patches": []}, {"id": "a", "patches": []}]}""", "entries.1.id" },
        { """{"entries": [{"patches": []}]}""", "entries.0.id" },
        { """{"entries": [{"id": "a", "patches": [], "colour": 1}]}""", "entries.0.colour" },
        { """{"entries": [{"id": "a", "patches": []}], "dryRun": true}""", "dryRun" },
        { """{"entries": [{"id": "a", "patches": []}], "preserveUpdatedAt": "yes"}""", "preserveUpdatedAt" },
        { """[1]""", "" },
    };

    [Theory]
    [MemberData(nameof(UnusableBodies))]
    public async Task A_body_unusable_as_a_whole_is_400_and_changes_nothing(string body, string field)
    {
        var client = await app.ReaderWriterAsync();
        var details = await (await client.PatchManyAsync(JsonNode.Parse(body)!)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(field.Length == 0 || details.TryGetProperty(field, out _), details.GetRawText());
    }

    [Fact]
    public async Task More_than_100_entries_or_an_old_version_are_refused()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var many = new JsonObject { ["entries"] = new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)BatchCalls.Item($"{id}-{i}", SetMetadata("title", "x")))]) };
        await (await client.PatchManyAsync(many)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        var one = new JsonObject { ["entries"] = new JsonArray(BatchCalls.Item(id, SetMetadata("title", "x"))) };
        await (await client.PatchManyAsync(one, "2026-05")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        var reader = await app.ClientAsync(MediaLibrary.Clients.Scopes.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PatchManyAsync(one)).StatusCode);
        Assert.Equal(1, (await client.GetEntryAsync(id, BatchCalls.V)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Concurrent_batches_and_single_patches_on_the_same_entries_lose_no_update()
    {
        var client = await app.ReaderWriterAsync();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await client.ImportImageAsync());
        }

        var counter = 0;
        string Next() => $"v{Interlocked.Increment(ref counter)}";
        var batches = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var changed = new List<string>();
            for (var round = 0; round < 8; round++)
            {
                var results = await client.ResultsAsync([.. ids.Select(id => BatchCalls.Item(id, SetMetadata("caption", Next())))]);
                Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), r.GetRawText()));
                changed.AddRange(results.Select(r => r.GetProperty("id").GetString()!));
            }

            return changed;
        }));
        var singles = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var changed = new List<string>();
            for (var round = 0; round < 24; round++)
            {
                var id = ids[Random.Shared.Next(ids.Count)];
                (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(SetMetadata("caption", Next())) }, BatchCalls.V)).EnsureSuccessStatusCode();
                changed.Add(id);
            }

            return changed;
        }));
        var all = (await Task.WhenAll(batches.Concat(singles))).SelectMany(c => c).ToList();

        foreach (var id in ids)
        {
            Assert.Equal(1 + all.Count(c => c == id), (await client.GetEntryAsync(id, BatchCalls.V)).GetProperty("version").GetInt32());
        }
    }
}
