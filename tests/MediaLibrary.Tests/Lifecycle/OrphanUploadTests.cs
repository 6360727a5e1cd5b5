using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Lifecycle;

/// Uploads count as orphans after about two seconds here (the default is 24 hours).
public sealed class OrphanApp : TestApp
{
    public OrphanApp() => Overrides["MediaLibrary:Lifecycle:OrphanUploadHours"] = "0.0005";
}

public sealed class OrphanUploadTests(OrphanApp app) : IClassFixture<OrphanApp>
{
    [Fact]
    public async Task Uploads_no_entry_named_are_swept_and_keys_entries_have_or_had_never_are()
    {
        var client = await app.ReaderWriterAsync();
        var orphan = (await client.UploadAsync(SampleFiles.DecodableJpeg(40, 30), "orphan.jpg"))["key"]!.GetValue<string>();
        var (id, taken) = await client.ImportWithKeyAsync();
        // An entry that replaced its asset still had the first key: that one stays too.
        var replacement = await client.UploadAsync(SampleFiles.DecodableJpeg(50, 30), "second.jpg");
        (await client.PatchOpsAsync(id, Op("replaceAsset", ("value", replacement)))).EnsureSuccessStatusCode();

        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(orphan), TimeSpan.FromSeconds(20), "the orphan upload to be swept");
        // Several sweeps later, the entry's keys are all still there.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var keys = await app.KeysAsync();
        Assert.Contains(taken, keys);
        Assert.Contains(replacement["key"]!.GetValue<string>(), keys);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{replacement["key"]}")).StatusCode);

        // An import that names the swept upload is refused.
        var refused = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "image", ["metadata"] = new JsonObject { ["title"] = "Too late" },
            ["asset"] = new JsonObject { ["key"] = orphan, ["url"] = "x", ["size"] = 10, ["mimeType"] = "image/jpeg", ["filename"] = "orphan.jpg", ["width"] = 40, ["height"] = 30 },
        }])).GetProperty("results")[0];
        Assert.False(refused.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task An_entry_that_checked_the_bytes_before_the_sweep_removed_them_is_refused_and_leaves_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadAsync(SampleFiles.DecodableJpeg(40, 30), "late.jpg");
        var key = asset["key"]!.GetValue<string>();
        var bytes = await app.ReadAsync(key);
        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(key), TimeSpan.FromSeconds(20), "the upload to be swept");

        // As if the import had checked the bytes just before the sweep: they are back for the check,
        // but the sweep's mark stays, so the entry must not take them.
        var path = Path.Combine(app.DataDirectory, "assets", key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes!);
        var id = "late-" + Guid.NewGuid().ToString("N")[..8];
        var result = (await client.ImportAsync([new JsonObject { ["id"] = id, ["mediaType"] = "image", ["asset"] = asset.DeepClone(), ["metadata"] = new JsonObject { ["title"] = "Late" } }]))
            .GetProperty("results")[0];
        Assert.False(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        Assert.Equal(409, result.GetProperty("status").GetInt32());
        Assert.Contains("upload the file again", result.GetRawText());
        await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);

        // A replaceAsset with it is refused the same way, and the entry stays as it was.
        var (other, _) = await client.ImportWithKeyAsync();
        var details = await (await client.PatchOpsAsync(other, Op("replaceAsset", ("value", asset.DeepClone())))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("upload the file again", details.GetProperty("patches.0.value.key").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, (await client.GetEntryAsync(other)).GetProperty("version").GetInt32());
    }
    [Fact]
    public async Task One_import_call_gives_each_item_its_own_outcome_and_claims_only_the_stored_ones_uploads()
    {
        // On PostgreSQL the items of one call are inserted together (a statement per table); each
        // must still fail or succeed alone, as one-by-one inserts would.
        var client = await app.ReaderWriterAsync();
        var swept = await client.UploadAsync(SampleFiles.DecodableJpeg(40, 30), "gone.jpg");
        var sweptKey = swept["key"]!.GetValue<string>();
        var bytes = await app.ReadAsync(sweptKey);
        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(sweptKey), TimeSpan.FromSeconds(20), "the upload to be swept");
        var path = Path.Combine(app.DataDirectory, "assets", sweptKey);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes!);

        // An id of its own: generated ids may hold '_', which an import's id may not.
        var (existing, _) = await client.ImportWithKeyAsync(new JsonObject { ["id"] = "exists-" + Guid.NewGuid().ToString("N")[..8] });
        var external = "ext-" + Guid.NewGuid().ToString("N")[..8];
        var (withExternal, _) = await client.ImportWithKeyAsync(new JsonObject { ["systemName"] = "agency", ["externalId"] = external });
        var fresh = await client.UploadAsync(SampleFiles.DecodableJpeg(60, 30), "fresh.jpg");
        var freshKey = fresh["key"]!.GetValue<string>();
        var ids = Enumerable.Range(0, 5).Select(i => $"batch{i}-" + Guid.NewGuid().ToString("N")[..8]).ToArray();
        JsonObject Item(string id, JsonObject asset, params (string, JsonNode?)[] extra)
        {
            var item = new JsonObject { ["id"] = id, ["mediaType"] = "image", ["asset"] = asset.DeepClone(), ["metadata"] = new JsonObject { ["title"] = id } };
            foreach (var (name, value) in extra)
            {
                item[name] = value;
            }

            return item;
        }

        var results = (await client.ImportAsync([
            Item(ids[0], fresh),
            Item(existing, fresh),
            Item(ids[1], swept),
            Item(ids[2], fresh, ("systemName", "agency"), ("externalId", external)),
            Item(ids[3], fresh, ("metadata", new JsonObject())),
            Item(ids[4], fresh, ("systemName", "agency"), ("externalId", external + "-new")),
        ])).GetProperty("results");

        Assert.Equal(6, results.GetArrayLength());
        Assert.True(results[0].GetProperty("ok").GetBoolean(), results[0].GetRawText());
        Assert.Equal(ids[0], results[0].GetProperty("id").GetString());
        Assert.Equal(409, results[1].GetProperty("status").GetInt32());
        Assert.Equal($"id is not unique: '{existing}'", results[1].GetProperty("error_details").GetProperty("message").GetString());
        Assert.Equal(409, results[2].GetProperty("status").GetInt32());
        Assert.Contains("upload the file again", results[2].GetRawText(), StringComparison.Ordinal);
        Assert.Equal(409, results[3].GetProperty("status").GetInt32());
        Assert.Contains("externalId is not unique", results[3].GetRawText(), StringComparison.Ordinal);
        Assert.Equal(400, results[4].GetProperty("status").GetInt32());
        Assert.True(results[5].GetProperty("ok").GetBoolean(), results[5].GetRawText());

        // Stored: the two that succeeded, nothing of the others; the one already there is untouched.
        Assert.Equal(ids[0], (await client.GetEntryAsync(ids[0])).GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(external + "-new", (await client.GetEntryAsync(ids[4])).GetProperty("externalId").GetString());
        foreach (var failed in ids[1..4])
        {
            await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{failed}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        }

        var before = await client.GetEntryAsync(existing);
        Assert.Equal(1, before.GetProperty("version").GetInt32());
        Assert.NotEqual(freshKey, before.GetProperty("asset").GetProperty("key").GetString());
        Assert.Equal(withExternal, (await client.GetEntryAsync(withExternal)).GetProperty("id").GetString());

        // Events: one create for each stored entry (numbered just after the commit on PostgreSQL),
        // none for the others, which were in the same transaction.
        async Task<int> CreatesAsync(string id) =>
            (await (await client.GetAsync($"/api/2026-05/events?mediaId={id}&events=mediaLibraryEntry.create")).JsonAsync()).GetProperty("results").GetArrayLength();
        await Waits.UntilAsync(() => CreatesAsync(ids[4]), n => n > 0, TimeSpan.FromSeconds(10), "the create event to reach the feed");
        Assert.Equal(1, await CreatesAsync(ids[0]));
        Assert.Equal(1, await CreatesAsync(ids[4]));
        foreach (var failed in ids[1..4])
        {
            Assert.Equal(0, await CreatesAsync(failed));
        }

        // The stored entries took the fresh upload: several sweeps later its bytes are still there.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Contains(freshKey, await app.KeysAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{freshKey}")).StatusCode);
    }
}
