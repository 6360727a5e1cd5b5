using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Entries;

public sealed class ImportTests(TestApp app) : IClassFixture<TestApp>
{
    private static JsonObject Image(JsonObject asset, string title = "Harbour", params (string, JsonNode?)[] extra)
    {
        var entry = new JsonObject { ["mediaType"] = "image", ["asset"] = asset.DeepClone(), ["metadata"] = new JsonObject { ["title"] = title } };
        foreach (var (name, value) in extra)
        {
            entry[name] = value;
        }

        return entry;
    }

    [Fact]
    public async Task Import_answers_per_item_results_in_order_and_stores_entries()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadImageAsync(1600, 900);
        var customId = "custom-" + Guid.NewGuid().ToString("N")[..8];
        var answer = await client.ImportAsync([
            Image(asset, "First", ("id", customId), ("systemName", "agency-x"), ("externalId", "ex-" + customId)),
            Image(asset, "Second"),
            Image(asset, "Duplicate", ("id", customId)),
        ]);

        var results = answer.GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.Equal(customId, results[0].GetProperty("id").GetString());
        Assert.True(results[0].GetProperty("ok").GetBoolean());
        Assert.Equal(200, results[0].GetProperty("status").GetInt32());
        Assert.Matches("^[A-Za-z0-9_-]{12}$", results[1].GetProperty("id").GetString());
        Assert.False(results[2].GetProperty("ok").GetBoolean());
        Assert.Equal(409, results[2].GetProperty("status").GetInt32());
        Assert.Equal("UniqueIdViolation", results[2].GetProperty("error").GetString());
        Assert.Equal($"id is not unique: '{customId}'", results[2].GetProperty("error_details").GetProperty("message").GetString());

        var entry = await client.GetEntryAsync(customId);
        Assert.Equal(1, entry.GetProperty("version").GetInt32());
        Assert.Equal("image", entry.GetProperty("mediaType").GetString());
        Assert.Equal("agency-x", entry.GetProperty("systemName").GetString());
        Assert.Equal("First", entry.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal("active", entry.GetProperty("state").GetString());
        Assert.False(entry.GetProperty("archived").GetBoolean());
        Assert.Equal(asset["key"]!.GetValue<string>(), entry.GetProperty("asset").GetProperty("key").GetString());
        Assert.Equal(1600, entry.GetProperty("asset").GetProperty("width").GetInt32());
        Assert.EndsWith("/mediaLibrary/serve-image/" + asset["key"], entry.GetProperty("asset").GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry.GetProperty("createdAt").GetString());
        Assert.Equal(entry.GetProperty("createdAt").GetString(), entry.GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task Response_shape_is_mediaLibraryEntries_before_2026_01()
    {
        var client = await app.ReaderWriterAsync();
        var answer = await client.ImportAsync([Image(await client.UploadImageAsync())], "2025-11");
        Assert.True(answer.GetProperty("mediaLibraryEntries")[0].GetProperty("ok").GetBoolean());
        Assert.False(answer.TryGetProperty("results", out _));
    }

    [Fact]
    public async Task SystemName_and_externalId_pair_is_unique()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadImageAsync();
        var external = "ex-" + Guid.NewGuid().ToString("N")[..8];
        var results = (await client.ImportAsync([
            Image(asset, "A", ("systemName", "agency-x"), ("externalId", external)),
            Image(asset, "B", ("systemName", "agency-x"), ("externalId", external)),
            Image(asset, "C", ("systemName", "agency-y"), ("externalId", external)),
        ])).GetProperty("results");
        Assert.True(results[0].GetProperty("ok").GetBoolean());
        Assert.Equal(409, results[1].GetProperty("status").GetInt32());
        Assert.Contains("externalId is not unique", results[1].GetProperty("error_details").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(results[2].GetProperty("ok").GetBoolean());
    }

    public static TheoryData<string, string> InvalidItems => new()
    {
        { """{"mediaType": "image", "asset": ASSET, "metadata": {"title": "x"}, "id": "bad id!"}""", "id" },
        { """{"mediaType": "image", "asset": ASSET, "metadata": {"title": "x"}, "externalId": "e"}""", "externalId" },
        { """{"mediaType": "podcast", "asset": ASSET, "metadata": {"title": "x"}}""", "mediaType" },
        { """{"mediaType": "image", "asset": ASSET, "metadata": {"title": "x"}, "colour": "red"}""", "colour" },
        { """{"mediaType": "image", "asset": {"key": "2026/01/01/x.jpg", "url": "u", "size": 1, "mimeType": "image/jpeg", "filename": "x.jpg"}, "metadata": {"title": "x"}}""", "asset.width" },
        { """{"mediaType": "video", "asset": ASSET, "metadata": {"title": "x"}}""", "asset.duration" },
        { """{"mediaType": "image", "asset": {"key": "../etc/passwd", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "x.jpg"}, "metadata": {"title": "x"}}""", "asset.key" },
        { """{"mediaType": "image", "asset": {"key": "2020/01/01/missing.jpg", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "x.jpg"}, "metadata": {"title": "x"}}""", "asset.key" },
        { """{"mediaType": "image", "asset": ASSET, "metadata": {"title": "x"}, "translations": [{"locale": "F R"}]}""", "translations.0.locale" },
        { """ "not an object" """, "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidItems))]
    public async Task Anything_wrong_with_an_item_is_a_400_result_naming_the_path(string item, string path)
    {
        var client = await app.ReaderWriterAsync();
        var asset = (await client.UploadImageAsync()).ToJsonString();
        var valid = Image(await client.UploadImageAsync(), "Valid neighbour");
        var body = $$"""{"mediaLibraryEntries": [{{item.Replace("ASSET", asset, StringComparison.Ordinal)}}, {{valid.ToJsonString()}}]}""";
        var results = (await (await client.PostAsync("/api/2026-03/import/mediaLibrary", Json(body))).JsonAsync()).GetProperty("results");

        Assert.False(results[0].GetProperty("ok").GetBoolean());
        Assert.Equal(400, results[0].GetProperty("status").GetInt32());
        Assert.Equal("ValidationError", results[0].GetProperty("error").GetString());
        var paths = results[0].GetProperty("error_details").GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains(path, paths);
        Assert.True(results[1].GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Metadata_errors_are_reported_per_property()
    {
        var client = await app.ReaderWriterAsync();
        var entry = Image(await client.UploadImageAsync());
        entry["metadata"] = new JsonObject { ["caption"] = 42, ["source"] = "martians", ["nope"] = "x" };
        var result = (await client.ImportAsync([entry])).GetProperty("results")[0];

        Assert.Equal(400, result.GetProperty("status").GetInt32());
        var details = result.GetProperty("error_details");
        Assert.Equal("Metadata validation failed.", details.GetProperty("message").GetString());
        var errors = details.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("metadataProperty").GetString()!, e => e.GetProperty("message").GetString()!);
        Assert.Equal("must be a text", errors["caption"]);
        Assert.StartsWith("must be one of: agency, staff, reader", errors["source"], StringComparison.Ordinal);
        Assert.Contains("not a metadata property", errors["nope"], StringComparison.Ordinal);
        Assert.Equal("is required", errors["title"]);
    }

    [Fact]
    public async Task Translations_with_assets_are_stored_and_their_keys_must_exist()
    {
        var client = await app.ReaderWriterAsync();
        var entry = Image(await client.UploadImageAsync());
        var french = await client.UploadImageAsync(800, 600);
        entry["translations"] = new JsonArray(new JsonObject { ["locale"] = "fr", ["metadata"] = new JsonObject { ["title"] = "Port à l'aube" }, ["asset"] = french });
        var id = (await client.ImportAsync([entry])).GetProperty("results")[0].GetProperty("id").GetString()!;

        var response = await client.GetAsync($"/api/2026-03/mediaLibrary/{id}");
        Assert.Contains("Port à l'aube", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = await response.JsonAsync();
        var translation = stored.GetProperty("translations")[0];
        Assert.Equal("fr", translation.GetProperty("locale").GetString());
        Assert.Equal("Port à l'aube", translation.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(800, translation.GetProperty("asset").GetProperty("width").GetInt32());
        Assert.EndsWith(french["key"]!.GetValue<string>(), translation.GetProperty("asset").GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Video_and_file_entries_take_their_own_asset_fields()
    {
        var client = await app.ReaderWriterAsync();
        var video = await client.UploadAsync(SampleFiles.Mp4(1920, 1080, 12.5), "clip.mp4");
        var pdf = await client.UploadAsync(SampleFiles.Pdf(), "report.pdf");
        var results = (await client.ImportAsync([
            new JsonObject { ["mediaType"] = "video", ["asset"] = video, ["metadata"] = new JsonObject { ["title"] = "Clip" } },
            new JsonObject { ["mediaType"] = "file", ["asset"] = pdf, ["metadata"] = new JsonObject { ["title"] = "Report" } },
        ])).GetProperty("results");

        var storedVideo = await client.GetEntryAsync(results[0].GetProperty("id").GetString()!);
        Assert.Equal(12.5, storedVideo.GetProperty("asset").GetProperty("duration").GetDouble());
        Assert.Equal("video/mp4", storedVideo.GetProperty("asset").GetProperty("mimeType").GetString());
        var storedFile = await client.GetEntryAsync(results[1].GetProperty("id").GetString()!);
        Assert.Equal("application/pdf", storedFile.GetProperty("asset").GetProperty("mimeType").GetString());
        Assert.False(storedFile.GetProperty("asset").TryGetProperty("width", out _));
    }

    [Theory]
    [InlineData("""{}""", "mediaLibraryEntries")]
    [InlineData("""{"mediaLibraryEntries": {}}""", "mediaLibraryEntries")]
    [InlineData("""[]""", "body")]
    [InlineData("""{"mediaLibraryEntries": [], "extra": 1}""", "extra")]
    public async Task An_unusable_body_fails_the_whole_request(string body, string path)
    {
        var client = await app.ReaderWriterAsync();
        var details = await (await client.PostAsync("/api/2026-03/import/mediaLibrary", Json(body))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(path, out _), details.GetRawText());
    }

    [Fact]
    public async Task More_than_100_items_fail_the_whole_request()
    {
        var client = await app.ReaderWriterAsync();
        var items = new JsonArray([.. Enumerable.Range(0, 101).Select(_ => (JsonNode)new JsonObject())]);
        var details = await (await client.PostAsync("/api/2026-03/import/mediaLibrary", Json(new JsonObject { ["mediaLibraryEntries"] = items })))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 100", details.GetProperty("mediaLibraryEntries").GetString(), StringComparison.Ordinal);
    }
}
