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
}
