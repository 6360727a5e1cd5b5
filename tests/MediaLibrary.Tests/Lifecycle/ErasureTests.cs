using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Lifecycle;

/// The bytes of a deleted entry leave the store durably, and every process stops serving them at
/// the commit (SPEC §14).
public sealed class ErasureProcessTests
{
    [Fact]
    public async Task Bytes_are_erased_by_the_next_process_when_the_deleting_one_died_after_the_commit()
    {
        await using var database = await ProcessDatabase.CreateAsync("erasure");
        var token = await database.TokenAsync();
        var assets = Path.Combine(database.Folder, "assets");
        string key;
        // This process erases nothing (as if killed right after each delete's commit), and is killed.
        var stalled = new Dictionary<string, string?>(database.Settings) { ["MediaLibrary:Lifecycle:EraseInBackground"] = "false" };
        await using (var first = await ServiceProcess.StartAsync(stalled))
        {
            var client = first.Client(token);
            string id;
            (id, key) = await client.ImportWithKeyAsync();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{key}?w=32")).StatusCode);
            Assert.Single(Variants(assets));
            (await client.DeleteEntryAsync(id)).EnsureSuccessStatusCode();
            await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{key}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
            Assert.True(File.Exists(Path.Combine(assets, key)));
            Assert.Equal(1L, await database.ScalarAsync<long>("SELECT COUNT(*) FROM blob_erasures"));
        } // SIGKILL

        Assert.True(File.Exists(Path.Combine(assets, key)));
        await using var second = await ServiceProcess.StartAsync(database.Settings);
        await Waits.UntilAsync(() => !File.Exists(Path.Combine(assets, key)) && Variants(assets).Count == 0, TimeSpan.FromSeconds(20),
            "the next process to erase the blob and its variant");
        await Waits.UntilAsync(() => database.ScalarAsync<long>("SELECT COUNT(*) FROM blob_erasures"), n => n == 0, TimeSpan.FromSeconds(10), "the queue to empty");
    }

    [Fact]
    public async Task A_key_another_process_served_from_memory_is_404_there_right_after_a_delete()
    {
        await using var database = await ProcessDatabase.CreateAsync("deletetwo");
        var token = await database.TokenAsync();
        await using var a = await ServiceProcess.StartAsync(database.Settings);
        await using var b = await ServiceProcess.StartAsync(database.Settings);
        var writer = a.Client(token);
        var reader = b.Client(token);
        var (id, key) = await writer.ImportWithKeyAsync();
        var path = $"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{key}";

        // B has looked the key up and holds the small variant's bytes in memory.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path + "?w=32")).StatusCode);
        }

        (await writer.DeleteEntryAsync(id)).EnsureSuccessStatusCode();
        await (await reader.GetAsync(path + "?w=32")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync(path)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    private static List<string> Variants(string assets)
    {
        var folder = Path.Combine(assets, "_variants");
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)] : [];
    }

}

/// A delete on the S3 store removes the objects: the original and its rendered variant.
public sealed class S3DeleteTests(S3TestApp app) : IClassFixture<S3TestApp>
{
    [Fact]
    public async Task Deleting_removes_the_objects_from_the_bucket()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportWithKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{key}?w=32")).StatusCode);
        var before = await app.KeysAsync();
        Assert.Contains(key, before);
        var variant = Assert.Single(before, k => k.StartsWith("_variants/", StringComparison.Ordinal));

        (await client.DeleteEntryAsync(id)).EnsureSuccessStatusCode();
        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(key) && !keys.Contains(variant), TimeSpan.FromSeconds(20), "the objects to leave the bucket");
    }
}

/// The delete event's webhook payload carries the keys (a CDN purges them).
public sealed class DeleteWebhookApp : WebhookApp
{
    protected override string Configurations => """
        [{"handle": "purge", "url": "{url}/purge", "secret": "s3cr3t-for-tests", "events": ["mediaLibraryEntry.delete", "mediaLibraryEntry.unarchive"]}]
        """;
}

public sealed class DeleteWebhookTests(DeleteWebhookApp app) : IClassFixture<DeleteWebhookApp>
{
    [Fact]
    public async Task The_delete_webhook_carries_every_key_the_entry_had()
    {
        var client = await app.ReaderWriterAsync();
        var (id, first) = await client.ImportWithKeyAsync();
        var replacement = await client.UploadAsync(SampleFiles.DecodableJpeg(80, 60), "quay-2.jpg");
        (await client.PatchOpsAsync(id, ApiCalls.Op("replaceAsset", ("value", replacement)))).EnsureSuccessStatusCode();
        (await client.PatchOpsAsync(id, ApiCalls.Op("archive"))).EnsureSuccessStatusCode();
        (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(ApiCalls.Op("unarchive")) }, LifecycleCalls.V)).EnsureSuccessStatusCode();
        (await client.DeleteEntryAsync(id)).EnsureSuccessStatusCode();

        await app.Receiver.WaitUntilAsync(r => r.Count >= 2, TimeSpan.FromSeconds(20), "the unarchive and delete deliveries");
        var bodies = app.Receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).Where(b => b.GetProperty("mediaId").GetString() == id)
            .OrderBy(b => b.GetProperty("eventId").GetInt64()).ToList();
        Assert.Equal(["mediaLibraryEntry.unarchive", "mediaLibraryEntry.delete"], bodies.Select(b => b.GetProperty("event").GetString()));
        var keys = bodies[1].GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Equal(new[] { first, replacement["key"]!.GetValue<string>() }.Order(StringComparer.Ordinal), keys);
        Assert.False(bodies[0].TryGetProperty("keys", out _));
    }
}
