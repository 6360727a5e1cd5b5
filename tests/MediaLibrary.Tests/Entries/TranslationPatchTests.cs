using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Events;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;
using static MediaLibrary.Tests.Entries.TranslationPatchTests;

namespace MediaLibrary.Tests.Entries;

/// (ours) setTranslation and removeTranslation (API 2026-07): a translation is added, edited and
/// removed after the import, which the UI's translations panel uses.
public sealed class TranslationPatchTests(TestApp app) : IClassFixture<TestApp>
{
    internal static Task<HttpResponseMessage> Patch07Async(HttpClient client, string id, params JsonObject[] patches) =>
        client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray([.. patches]) }, "2026-07");

    /// The entry's translation for the locale, or null.
    internal static JsonElement? Translation(JsonElement entry, string locale) =>
        entry.GetProperty("translations").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(t => t!.Value.GetProperty("locale").GetString() == locale);

    [Fact]
    public async Task A_translation_is_added_edited_in_parts_and_removed_and_its_asset_key_is_served_kept_and_found()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var french = await client.UploadImageAsync(400, 300);
        var word = "phare" + Guid.NewGuid().ToString("N")[..6];

        var added = await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"),
            ("metadata", new JsonObject { ["title"] = $"Le {word}", ["caption"] = "À l'aube" }), ("asset", french)))).JsonAsync();
        Assert.Equal(2, added.GetProperty("version").GetInt32());
        var entry = await client.GetEntryAsync(id);
        var fr = Translation(entry, "fr")!.Value;
        Assert.Equal($"Le {word}", fr.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(french["key"]!.GetValue<string>(), fr.GetProperty("asset").GetProperty("key").GetString());

        // The translation's bytes are served, its key is the entry's, search finds the translated words.
        var frKey = french["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/2026-07/mediaLibrary/serve-image/{frKey}")).StatusCode);
        var keys = (await (await client.GetAsync($"/api/2026-07/mediaLibrary/{id}/keys")).JsonAsync()).GetProperty("results").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Contains(frKey, keys);
        var found = await (await client.GetAsync($"/api/2026-07/search/mediaLibrary?q={word}")).JsonAsync();
        Assert.Equal([id], found.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        // Metadata alone replaces the locale's metadata and keeps its asset; another locale is added beside it.
        await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"), ("metadata", new JsonObject { ["title"] = "Le port" })),
            Op("setTranslation", ("locale", "de-CH"), ("metadata", new JsonObject { ["title"] = "Hafen" })))).JsonAsync();
        entry = await client.GetEntryAsync(id);
        fr = Translation(entry, "fr")!.Value;
        Assert.Equal("""{"title":"Le port"}""", fr.GetProperty("metadata").GetRawText());
        Assert.Equal(frKey, fr.GetProperty("asset").GetProperty("key").GetString());
        Assert.Equal("Hafen", Translation(entry, "de-CH")!.Value.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(3, entry.GetProperty("version").GetInt32());

        // The same translation again changes nothing: no new version.
        Assert.Equal(3, (await (await Patch07Async(client, id, Op("setTranslation", ("locale", "de-CH"), ("metadata", new JsonObject { ["title"] = "Hafen" })))).JsonAsync())
            .GetProperty("version").GetInt32());

        // Removing the translation takes metadata and asset; the key stays in the history (a CDN purges it).
        await (await Patch07Async(client, id, Op("removeTranslation", ("locale", "fr")))).JsonAsync();
        entry = await client.GetEntryAsync(id);
        Assert.Null(Translation(entry, "fr"));
        Assert.NotNull(Translation(entry, "de-CH"));
        keys = (await (await client.GetAsync($"/api/2026-07/mediaLibrary/{id}/keys")).JsonAsync()).GetProperty("results").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Contains(frKey, keys);
        found = await (await client.GetAsync($"/api/2026-07/search/mediaLibrary?q={word}")).JsonAsync();
        Assert.Equal(0, found.GetProperty("results").GetArrayLength());

        // An update event for each change that changed something.
        var events = await client.EventsOfAsync(id, 4);
        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.update", "mediaLibraryEntry.update", "mediaLibraryEntry.update"], events.Names());
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { """{"operation": "setTranslation"}""", "patches.1.locale" },
        { """{"operation": "setTranslation", "locale": "FR"}""", "patches.1.locale" },
        { """{"operation": "setTranslation", "locale": "fr", "metadata": {"nope": 1}}""", "patches.1.metadata.nope" },
        { """{"operation": "setTranslation", "locale": "fr", "metadata": {"title": "TITLE201"}}""", "patches.1.metadata.title" },
        { """{"operation": "setTranslation", "locale": "fr", "metadata": "Titre"}""", "patches.1.metadata" },
        { """{"operation": "setTranslation", "locale": "fr", "asset": {"key": "2020/01/01/nope.jpg", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "n.jpg"}}""", "patches.1.asset.key" },
        { """{"operation": "setTranslation", "locale": "fr", "asset": {"key": "k.jpg", "url": "u", "size": 1, "mimeType": "image/jpeg", "filename": "n.jpg"}}""", "patches.1.asset.width" },
        { """{"operation": "setTranslation", "locale": "fr", "extra": true}""", "patches.1.extra" },
        { """{"operation": "removeTranslation", "locale": "it"}""", "patches.1.locale" },
        { """{"operation": "removeTranslation"}""", "patches.1.locale" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Invalid_translation_operations_are_400_naming_the_path_and_change_nothing(string operation, string path)
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var before = (await client.GetEntryAsync(id)).GetRawText();

        var patch = JsonNode.Parse(operation.Replace("TITLE201", new string('t', 201), StringComparison.Ordinal))!.AsObject();
        var details = await (await Patch07Async(client, id, SetMetadata("caption", "should not stick"), patch)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(path, out _), details.GetRawText());
        Assert.Equal(before, (await client.GetEntryAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Before_2026_07_the_operations_are_unknown()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var details = await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("setTranslation", ("locale", "fr"))) }, "2026-05"))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith("No enum match for: \"setTranslation\"", details.GetProperty("patches.0.operation").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_has_at_most_100_translations_and_a_batch_takes_the_operations_too()
    {
        var client = await app.ReaderWriterAsync();
        var full = await client.ImportImageAsync(extra: new JsonObject
        {
            ["translations"] = new JsonArray([.. Enumerable.Range(0, 100).Select(i => (JsonNode)new JsonObject { ["locale"] = $"x{i:D3}", ["metadata"] = new JsonObject { ["title"] = $"T{i}" } })]),
        });
        var details = await (await Patch07Async(client, full, Op("setTranslation", ("locale", "fr")))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("100 translations", details.GetProperty("patches.0.locale").GetString(), StringComparison.Ordinal);
        // An existing locale may still change.
        await (await Patch07Async(client, full, Op("setTranslation", ("locale", "x001"), ("metadata", new JsonObject { ["title"] = "changed" })))).JsonAsync();

        // Through PATCH /mediaLibrary: each entry on its own, a bad locale fails only its entry.
        var a = await client.ImportImageAsync();
        var b = await client.ImportImageAsync();
        var body = new JsonObject
        {
            ["entries"] = new JsonArray(
                new JsonObject { ["id"] = a, ["patches"] = new JsonArray(Op("setTranslation", ("locale", "it"), ("metadata", new JsonObject { ["title"] = "Porto" }), ("asset", await client.UploadImageAsync(200, 100)))) },
                new JsonObject { ["id"] = b, ["patches"] = new JsonArray(Op("removeTranslation", ("locale", "it"))) }),
        };
        var results = (await (await client.PatchAsync("/api/2026-07/mediaLibrary", ApiCalls.Json(body))).JsonAsync()).GetProperty("results");
        Assert.True(results[0].GetProperty("ok").GetBoolean(), results.GetRawText());
        Assert.Equal(400, results[1].GetProperty("status").GetInt32());
        var it = Translation(await client.GetEntryAsync(a), "it")!.Value;
        Assert.Equal("Porto", it.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(200, it.GetProperty("asset").GetProperty("width").GetInt32());
        Assert.Equal(1, (await client.GetEntryAsync(b)).GetProperty("version").GetInt32());
    }
}

/// Media types whose assets are not translatable, or not replaceable.
public sealed class AssetRulesApp : TestApp
{
    public override async Task InitializeAsync()
    {
        var path = await ProjectConfig.WriteAsync(DataDirectory);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var image = config["mediaTypes"]!.AsArray().First(t => t!["handle"]!.GetValue<string>() == "image")!;
        foreach (var (handle, asset) in new[] { ("scan", new JsonObject { ["translatable"] = false }), ("plate", new JsonObject { ["replaceable"] = false }) })
        {
            var type = image.DeepClone().AsObject();
            type["handle"] = handle;
            type["asset"] = asset;
            config["mediaTypes"]!.AsArray().Add(type);
        }

        await File.WriteAllTextAsync(path, config.ToJsonString());
        Overrides["MediaLibrary:MediaTypesFile"] = path;
        await base.InitializeAsync();
    }
}

public sealed class TranslationAssetRulesTests(AssetRulesApp app) : IClassFixture<AssetRulesApp>
{
    private async Task<string> ImportAsync(HttpClient client, string mediaType)
    {
        var result = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = mediaType, ["asset"] = await client.UploadImageAsync(), ["metadata"] = new JsonObject { ["title"] = "Plate 7" },
        }])).GetProperty("results")[0];
        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        return result.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_type_whose_assets_are_not_translatable_takes_translated_texts_but_no_file()
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportAsync(client, "scan");
        var details = await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"), ("asset", await client.UploadImageAsync()))))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not translatable", details.GetProperty("patches.0.asset").GetString(), StringComparison.Ordinal);
        await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"), ("metadata", new JsonObject { ["title"] = "Planche 7" })))).JsonAsync();
        Assert.Equal("Planche 7", (await client.GetEntryAsync(id)).GetProperty("translations")[0].GetProperty("metadata").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_type_whose_assets_are_not_replaceable_sets_a_translations_file_once()
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportAsync(client, "plate");
        var first = await client.UploadImageAsync(300, 200);
        await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"), ("asset", first)))).JsonAsync();
        // The same file again changes nothing; another one would replace it: refused, nothing changes.
        await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"), ("asset", first.DeepClone())))).JsonAsync();
        var before = (await client.GetEntryAsync(id)).GetRawText();
        var details = await (await Patch07Async(client, id, Op("setTranslation", ("locale", "fr"), ("asset", await client.UploadImageAsync(320, 200)))))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not replaceable", details.GetProperty("patches.0.asset").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetEntryAsync(id)).GetRawText());
    }
}
