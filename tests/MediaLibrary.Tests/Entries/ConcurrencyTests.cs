using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Entries;

/// A project config with sixteen independent properties, so sixteen writers can each own one.
public sealed class SixteenPropertiesApp : TestApp
{
    public SixteenPropertiesApp()
    {
        var file = Path.Combine(DataDirectory, "media-types.json");
        var properties = new JsonArray([.. Enumerable.Range(0, 16).Select(i => (JsonNode)new JsonObject { ["handle"] = $"p{i}", ["type"] = "li-text" })]);
        var config = new JsonObject
        {
            ["mediaTypes"] = new JsonArray(new JsonObject { ["handle"] = "image", ["type"] = "mediaImage", ["metadata"] = properties }),
        };
        File.WriteAllText(file, config.ToJsonString());
        Overrides["MediaLibrary:MediaTypesFile"] = file;
    }
}

public sealed class ConcurrencyTests(SixteenPropertiesApp app) : IClassFixture<SixteenPropertiesApp>
{
    [Fact]
    public async Task Sixteen_concurrent_patches_with_the_same_version_let_exactly_one_win()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject());

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            client.PatchAsync(id, new JsonObject { ["version"] = 1, ["patches"] = new JsonArray(SetMetadata($"p{i}", $"writer {i}")) })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var entry = await client.GetEntryAsync(id);
        Assert.Equal(2, entry.GetProperty("version").GetInt32());
        Assert.Single(entry.GetProperty("metadata").EnumerateObject());
    }

    [Fact]
    public async Task Sixteen_concurrent_patches_without_version_lose_no_update()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject());

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.PatchOpsAsync(id, SetMetadata($"p{i}", $"writer {i}"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var versions = await Task.WhenAll(responses.Select(async r => (await r.JsonAsync()).GetProperty("version").GetInt32()));
        Assert.Equal(Enumerable.Range(2, 16), versions.Order());
        var entry = await client.GetEntryAsync(id);
        Assert.Equal(17, entry.GetProperty("version").GetInt32());
        var metadata = entry.GetProperty("metadata");
        Assert.All(Enumerable.Range(0, 16), i => Assert.Equal($"writer {i}", metadata.GetProperty($"p{i}").GetString()));
    }

    [Fact]
    public async Task Media_types_file_replaces_the_default()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject { ["p3"] = "x" });
        var details = await (await client.PatchOpsAsync(id, SetMetadata("title", "no title here"))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty("patches.0.propertyName", out _));
    }
}
