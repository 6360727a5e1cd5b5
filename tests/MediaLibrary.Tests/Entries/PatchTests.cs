using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Entries;

public sealed class PatchTests(TestApp app) : IClassFixture<TestApp>
{
    private static async Task<int> OkVersionAsync(HttpResponseMessage response)
    {
        var body = await response.JsonAsync();
        Assert.Equal(200, body.GetProperty("status").GetInt32());
        return body.GetProperty("version").GetInt32();
    }

    [Fact]
    public async Task SetMetadataProperty_changes_the_entry_and_bumps_version_and_updatedAt()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var before = await client.GetEntryAsync(id);
        await Task.Delay(5);

        Assert.Equal(2, await OkVersionAsync(await client.PatchOpsAsync(id, SetMetadata("title", "updated title"), SetMetadata("tags", new JsonArray("a", "b")))));

        var after = await client.GetEntryAsync(id);
        Assert.Equal("updated title", after.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(2, after.GetProperty("metadata").GetProperty("tags").GetArrayLength());
        Assert.Equal(2, after.GetProperty("version").GetInt32());
        Assert.NotEqual(before.GetProperty("updatedAt").GetString(), after.GetProperty("updatedAt").GetString());
        Assert.Equal(before.GetProperty("createdAt").GetString(), after.GetProperty("createdAt").GetString());
    }

    [Fact]
    public async Task Null_or_absent_value_removes_a_property_but_not_a_required_one()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "t", ["caption"] = "c", ["credit"] = "x" });
        await OkVersionAsync(await client.PatchOpsAsync(id, SetMetadata("caption", null), Op("setMetadataProperty", ("propertyName", "credit"))));
        var metadata = (await client.GetEntryAsync(id)).GetProperty("metadata");
        Assert.False(metadata.TryGetProperty("caption", out _));
        Assert.False(metadata.TryGetProperty("credit", out _));

        var details = await (await client.PatchOpsAsync(id, SetMetadata("title", null))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("required", details.GetProperty("patches.0.value").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidPatches => new()
    {
        { """{"patches": [{"operation": "nope"}]}""", "patches.0.operation" },
        { """{"patches": [{"operation": "setMetadataProperty", "propertyName": "title", "value": 5}]}""", "patches.0.value" },
        { """{"patches": [{"operation": "setMetadataProperty", "propertyName": "unknown", "value": "x"}]}""", "patches.0.propertyName" },
        { """{"patches": [{"operation": "setMetadataProperty", "propertyName": "priority", "value": 11}]}""", "patches.0.value" },
        { """{"patches": [{"operation": "setMetadataProperty", "propertyName": "publicationDate", "value": "14.03.2026"}]}""", "patches.0.value" },
        { """{"patches": [{"operation": "setMetadataProperty", "propertyName": "validity", "value": {"from": "2027-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}}]}""", "patches.0.value" },
        { """{"patches": [{"operation": "archive", "extra": 1}]}""", "patches.0.extra" },
        { """{"patches": [{"operation": "revokeAsset", "note": "NOTE201"}]}""", "patches.0.note" },
        { """{"patches": [{"operation": "removeAsset"}]}""", "patches.0.locale" },
        { """{"patches": [{"operation": "removeAsset", "locale": "xx"}]}""", "patches.0.locale" },
        { """{"patches": [{"operation": "replaceAsset", "value": {"key": "2020/01/01/nope.jpg", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "n.jpg"}}]}""", "patches.0.value.key" },
        { """{"patches": [{"operation": "replaceAsset", "value": {"key": "k.jpg", "url": "u", "size": 1, "mimeType": "image/jpeg", "filename": "n.jpg"}}]}""", "patches.0.value.width" },
        { """{"patches": []}""", "patches" },
        { """{"version": "one", "patches": [{"operation": "archive"}]}""", "version" },
        { """{"patches": [{"operation": "archive"}], "what": true}""", "what" },
    };

    [Theory]
    [MemberData(nameof(InvalidPatches))]
    public async Task Invalid_patches_are_400_naming_the_path_and_change_nothing(string body, string path)
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var before = (await client.GetEntryAsync(id)).GetRawText();

        // The valid first operation must not be applied either: all or nothing.
        var request = JsonNode.Parse(body.Replace("NOTE201", new string('n', 201), StringComparison.Ordinal))!.AsObject();
        if (request["patches"] is JsonArray { Count: > 0 } patches)
        {
            patches.Insert(0, SetMetadata("caption", "should not stick"));
            path = path.Replace("patches.0", "patches.1", StringComparison.Ordinal);
        }

        var details = await (await client.PatchAsync(id, request)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(path, out _), details.GetRawText());
        Assert.Equal(before, (await client.GetEntryAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Patches_over_100_are_400()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var patches = Enumerable.Range(0, 101).Select(_ => Op("archive")).ToArray();
        await (await client.PatchOpsAsync(id, patches)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Stale_version_is_409_with_expected_and_current_and_changes_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await OkVersionAsync(await client.PatchOpsAsync(id, SetMetadata("caption", "v2")));

        var details = await (await client.PatchAsync(id, new JsonObject { ["version"] = "1", ["patches"] = new JsonArray(SetMetadata("caption", "lost")) }))
            .AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, details.GetProperty("expectedVersion").GetInt32());
        Assert.Equal(2, details.GetProperty("currentVersion").GetInt32());
        Assert.Equal("Version: Expected 1 to be equal to 2", details.GetProperty("message").GetString());
        Assert.Equal("v2", (await client.GetEntryAsync(id)).GetProperty("metadata").GetProperty("caption").GetString());

        Assert.Equal(3, await OkVersionAsync(await client.PatchAsync(id, new JsonObject { ["version"] = 2, ["patches"] = new JsonArray(SetMetadata("caption", "v3")) })));
    }

    [Fact]
    public async Task Revoke_with_note_then_unrevoke_recomputes_state()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "t", ["invalid"] = true });
        await OkVersionAsync(await client.PatchOpsAsync(id, Op("revokeAsset", ("note", "Case #1"))));
        var revoked = await client.GetEntryAsync(id);
        Assert.Equal("revoked", revoked.GetProperty("state").GetString());
        Assert.Equal("Case #1", revoked.GetProperty("revokeNote").GetString());

        await OkVersionAsync(await client.PatchOpsAsync(id, Op("unrevokeAsset")));
        var unrevoked = await client.GetEntryAsync(id);
        Assert.Equal("invalid", unrevoked.GetProperty("state").GetString());
        Assert.False(unrevoked.TryGetProperty("revokeNote", out _));

        var details = await (await client.PatchOpsAsync(id, Op("unrevokeAsset"))).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Equal("Conflict", details.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Double_revoke_is_409_from_2026_01_and_a_no_op_before()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        Assert.Equal(2, await OkVersionAsync(await client.PatchOpsAsync(id, Op("revokeAsset"))));
        var before = await client.GetEntryAsync(id);

        Assert.Equal(2, await OkVersionAsync(await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("revokeAsset")) }, "2025-11")));
        await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("revokeAsset")) }, "2026-01")).AssertEnvelopeAsync(HttpStatusCode.Conflict);

        var after = await client.GetEntryAsync(id);
        Assert.Equal(before.GetProperty("updatedAt").GetString(), after.GetProperty("updatedAt").GetString());
        Assert.Equal(2, after.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Archive_is_idempotent_and_a_second_archive_changes_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        Assert.Equal(2, await OkVersionAsync(await client.PatchOpsAsync(id, Op("archive"))));
        var archived = await client.GetEntryAsync(id);
        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.Equal("active", archived.GetProperty("state").GetString());

        Assert.Equal(2, await OkVersionAsync(await client.PatchOpsAsync(id, Op("archive"))));
        Assert.Equal(archived.GetProperty("updatedAt").GetString(), (await client.GetEntryAsync(id)).GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task PreserveUpdatedAt_keeps_updatedAt_from_2026_03_and_is_400_before()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var before = await client.GetEntryAsync(id);
        await Task.Delay(5);
        var body = new JsonObject { ["preserveUpdatedAt"] = true, ["patches"] = new JsonArray(SetMetadata("caption", "quiet")) };

        var details = await (await client.PatchAsync(id, body.DeepClone(), "2026-01")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty("preserveUpdatedAt", out _));

        Assert.Equal(2, await OkVersionAsync(await client.PatchAsync(id, body, "2026-03")));
        var after = await client.GetEntryAsync(id);
        Assert.Equal("quiet", after.GetProperty("metadata").GetProperty("caption").GetString());
        Assert.Equal(before.GetProperty("updatedAt").GetString(), after.GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task ReplaceAsset_swaps_the_asset_and_keeps_the_old_key_in_the_history()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var oldKey = (await client.GetEntryAsync(id)).GetProperty("asset").GetProperty("key").GetString();
        var replacement = await client.UploadImageAsync(1000, 800);

        await OkVersionAsync(await client.PatchOpsAsync(id, Op("replaceAsset", ("value", replacement))));

        var asset = (await client.GetEntryAsync(id)).GetProperty("asset");
        Assert.Equal(replacement["key"]!.GetValue<string>(), asset.GetProperty("key").GetString());
        Assert.Equal(1000, asset.GetProperty("width").GetInt32());
        var keys = (await (await client.GetAsync($"/api/2026-03/mediaLibrary/{id}/keys")).JsonAsync()).GetProperty("results");
        Assert.Equal(new[] { oldKey, replacement["key"]!.GetValue<string>() }.Order(), keys.EnumerateArray().Select(k => k.GetString()).Order());
    }

    [Fact]
    public async Task ReplaceAsset_with_the_current_asset_changes_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var before = await client.GetEntryAsync(id);
        var current = JsonNode.Parse(before.GetProperty("asset").GetRawText())!.AsObject();

        var response = await client.PatchOpsAsync(id, Op("replaceAsset", ("value", current)));

        Assert.Equal(1, (await response.JsonAsync()).GetProperty("version").GetInt32());
        Assert.Equal(before.GetRawText(), (await client.GetEntryAsync(id)).GetRawText());
    }

    [Fact]
    public async Task RemoveAsset_removes_a_translation_asset_only()
    {
        var client = await app.ReaderWriterAsync();
        var french = await client.UploadImageAsync(800, 600);
        var id = await client.ImportImageAsync(extra: new JsonObject
        {
            ["translations"] = new JsonArray(new JsonObject { ["locale"] = "fr", ["metadata"] = new JsonObject { ["title"] = "Port" }, ["asset"] = french }),
        });

        await OkVersionAsync(await client.PatchOpsAsync(id, Op("removeAsset", ("locale", "fr"))));
        var translation = (await client.GetEntryAsync(id)).GetProperty("translations")[0];
        Assert.False(translation.TryGetProperty("asset", out _));
        Assert.Equal("Port", translation.GetProperty("metadata").GetProperty("title").GetString());
    }

    [Fact]
    public async Task An_entry_whose_media_type_left_the_config_is_readable_but_not_patchable()
    {
        var client = await app.ReaderWriterAsync();
        var id = "orphan-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var store = app.Services.GetRequiredService<MediaLibrary.Entries.EntryStore>();
        var row = new MediaLibrary.Entries.EntryRow
        {
            Id = id, Version = 1, MediaType = "podcast", Asset = """{"key":"x/y.mp3","size":1,"mimeType":"audio/mpeg","filename":"y.mp3"}""",
            Metadata = """{"title":"t"}""", Translations = "[]", CreatedAt = now, UpdatedAt = now,
        };
        await store.InsertAsync(row, [], MediaLibrary.Entries.EntryEvents.Created(row, MediaLibrary.Events.Actor.System), [], CancellationToken.None);

        Assert.Equal("active", (await client.GetEntryAsync(id)).GetProperty("state").GetString());
        var details = await (await client.PatchOpsAsync(id, Op("archive"))).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Contains("podcast", details.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_of_unknown_entry_is_404()
    {
        var client = await app.ReaderWriterAsync();
        await (await client.PatchOpsAsync("missing-entry", Op("archive"))).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"patches\": [", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"patches\": [], \"patches\": []}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"patches\": [{\"operation\": \"archive\"}]}", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("", "application/json", HttpStatusCode.BadRequest)]
    public async Task Unusable_bodies_get_an_envelope(string body, string contentType, HttpStatusCode status)
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        await (await client.PatchAsync($"/api/2026-03/mediaLibrary/{id}", content)).AssertEnvelopeAsync(status);
        Assert.Equal(1, (await client.GetEntryAsync(id)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Deeply_nested_json_is_400()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var body = string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200));
        await (await client.PatchAsync($"/api/2026-03/mediaLibrary/{id}", Json(body))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
    }
}
