using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.References;

public sealed class IncomingReferenceTests(TestApp app) : IClassFixture<TestApp>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<JsonElement> DocumentRefsAsync(HttpClient client, string mediaId, string query = "", string version = "2026-03") =>
        await (await client.GetAsync($"/api/{version}/mediaLibrary/{mediaId}/incomingDocumentReferences{query}")).JsonAsync();

    [Fact]
    public async Task Published_content_and_metadata_references_are_listed_with_their_location()
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        var document = DocumentCalls.Document(Unique("story"), publish: true, DocumentCalls.ImageComponent("doc-c1", image));
        document["metadata"] = new JsonObject { ["teaserImage"] = new JsonObject { ["mediaId"] = image } };
        var documentId = await client.ImportDocumentAsync(document);

        var page = await DocumentRefsAsync(client, image);
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal("", page.GetProperty("cursor").GetString());
        var item = Assert.Single(page.GetProperty("results").EnumerateArray());
        Assert.Equal(documentId, item.GetProperty("id").GetInt64());
        var references = item.GetProperty("references");
        Assert.Equal(2, references.GetArrayLength());
        var directive = references[0];
        Assert.Equal("image", directive.GetProperty("type").GetString());
        Assert.Equal(image, directive.GetProperty("id").GetString());
        Assert.Equal("image-directive", directive.GetProperty("location").GetString());
        Assert.Equal("doc-c1", directive.GetProperty("componentId").GetString());
        Assert.Equal("image", directive.GetProperty("componentName").GetString());
        Assert.Equal("image", directive.GetProperty("directiveName").GetString());
        Assert.Equal("metadata", references[1].GetProperty("location").GetString());
        Assert.Equal("teaserImage", references[1].GetProperty("propertyName").GetString());
    }

    [Fact]
    public async Task Republishing_without_the_link_or_unpublishing_removes_references_and_drafts_add_none()
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        var external = Unique("story");
        var id = await client.ImportDocumentAsync(DocumentCalls.Document(external, publish: true, DocumentCalls.ImageComponent("c1", image)));
        var other = await client.ImportDocumentAsync(DocumentCalls.Document(Unique("story"), publish: true, DocumentCalls.ImageComponent("c1", image)));
        Assert.Equal(2, (await DocumentRefsAsync(client, image)).GetProperty("total").GetInt32());

        await client.ImportDocumentAsync(DocumentCalls.Document(external, publish: true));
        var afterRepublish = await DocumentRefsAsync(client, image);
        Assert.Equal(1, afterRepublish.GetProperty("total").GetInt32());
        Assert.Equal(other, afterRepublish.GetProperty("results")[0].GetProperty("id").GetInt64());

        await client.PostAsync($"/api/2026-03/documents/{other}/unpublish", null);
        var afterUnpublish = await DocumentRefsAsync(client, image);
        Assert.Equal(0, afterUnpublish.GetProperty("total").GetInt32());
        Assert.Equal(0, afterUnpublish.GetProperty("results").GetArrayLength());
        Assert.Equal("", afterUnpublish.GetProperty("cursor").GetString());

        await client.ImportDocumentAsync(DocumentCalls.Document(Unique("draft"), publish: false, DocumentCalls.ImageComponent("c1", image)));
        Assert.Equal(0, (await DocumentRefsAsync(client, image)).GetProperty("total").GetInt32());
        Assert.NotEqual(0, id);
    }

    [Fact]
    public async Task Entries_carry_usage_counts_from_2026_03_in_single_and_list_answers()
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        await client.ImportDocumentsAsync("cms", [
            DocumentCalls.Document(Unique("u1"), true, DocumentCalls.ImageComponent("c", image), DocumentCalls.ImageComponent("d", image)),
            DocumentCalls.Document(Unique("u2"), true, DocumentCalls.ImageComponent("c", image)),
        ]);
        await client.ImportImageAsync(new JsonObject { ["title"] = "t", ["relatedImage"] = new JsonObject { ["mediaId"] = image } });

        var usage = (await client.GetEntryAsync(image)).GetProperty("usage");
        Assert.Equal(2, usage.GetProperty("documents").GetInt32());
        Assert.Equal(1, usage.GetProperty("media").GetInt32());
        var listed = (await (await client.GetAsync($"/api/2026-03/mediaLibrary?ids={image}")).JsonAsync()).GetProperty("results")[0];
        Assert.Equal(2, listed.GetProperty("usage").GetProperty("documents").GetInt32());
        Assert.False((await client.GetEntryAsync(image, "2026-01")).TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task Nested_components_are_found()
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        var container = new JsonObject
        {
            ["id"] = "box", ["component"] = "container",
            ["containers"] = new JsonObject { ["children"] = new JsonArray(DocumentCalls.ImageComponent("inner", image)) },
        };
        await client.ImportDocumentAsync(DocumentCalls.Document(Unique("nested"), publish: true, container));
        var reference = (await DocumentRefsAsync(client, image)).GetProperty("results")[0].GetProperty("references")[0];
        Assert.Equal("inner", reference.GetProperty("componentId").GetString());
    }

    [Fact]
    public async Task Media_references_follow_import_and_patch_of_metadata()
    {
        var client = await app.ReaderWriterAsync();
        var poster = await client.ImportImageAsync();
        var video = await client.UploadAsync(SampleFiles.Mp4(640, 360, 4), "clip.mp4");
        var videoId = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "video", ["asset"] = video,
            ["metadata"] = new JsonObject { ["title"] = "Clip", ["posterImage"] = new JsonObject { ["$ref"] = "image", ["reference"] = new JsonObject { ["id"] = poster } } },
        }])).GetProperty("results")[0].GetProperty("id").GetString()!;

        var page = await (await client.GetAsync($"/api/2026-03/mediaLibrary/{poster}/incomingMediaReferences")).JsonAsync();
        var item = Assert.Single(page.GetProperty("results").EnumerateArray());
        Assert.Equal(videoId, item.GetProperty("id").GetString());
        var reference = item.GetProperty("references")[0];
        Assert.Equal("image", reference.GetProperty("type").GetString());
        Assert.Equal("metadata", reference.GetProperty("location").GetString());
        Assert.Equal("posterImage", reference.GetProperty("propertyName").GetString());

        await client.PatchOpsAsync(videoId, SetMetadata("posterImage", null));
        var after = await (await client.GetAsync($"/api/2026-03/mediaLibrary/{poster}/incomingMediaReferences")).JsonAsync();
        Assert.Equal(0, after.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_reference_to_a_missing_entry_is_kept_and_shows_once_the_entry_exists()
    {
        var client = await app.ReaderWriterAsync();
        var futureId = Unique("future");
        await client.ImportDocumentAsync(DocumentCalls.Document(Unique("story"), publish: true, DocumentCalls.ImageComponent("c1", futureId)));
        await (await client.GetAsync($"/api/2026-03/mediaLibrary/{futureId}/incomingDocumentReferences")).AssertEnvelopeAsync(HttpStatusCode.NotFound);

        await client.ImportImageAsync(extra: new JsonObject { ["id"] = futureId });
        Assert.Equal(1, (await DocumentRefsAsync(client, futureId)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Pages_by_cursor_and_offset_are_stable_in_ascending_source_order()
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        var documents = new JsonArray([.. Enumerable.Range(0, 7).Select(i => (JsonNode)DocumentCalls.Document(Unique($"p{i}"), publish: true, DocumentCalls.ImageComponent("c", image)))]);
        var ids = (await client.ImportDocumentsAsync("cms", documents)).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).Order().ToList();

        var seen = new List<long>();
        var cursor = "";
        do
        {
            var page = await DocumentRefsAsync(client, image, $"?limit=3{(cursor.Length > 0 ? "&after=" + cursor : "")}");
            Assert.Equal(7, page.GetProperty("total").GetInt32());
            seen.AddRange(page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("cursor").GetString()!;
        }
        while (cursor.Length > 0);
        Assert.Equal(ids, seen);

        var byOffset = await DocumentRefsAsync(client, image, "?limit=2&offset=4");
        Assert.Equal(ids.Skip(4).Take(2), byOffset.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));

        var legacy = await DocumentRefsAsync(client, image, "?limit=2&after=ignored-before-2026-01", "2025-11");
        Assert.Equal(ids.Take(2), legacy.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?offset=-1", "offset")]
    [InlineData("?after=garbage", "after")]
    [InlineData("?after=MTIzNDU2Nzg5MA", "after")]
    public async Task Bad_paging_parameters_are_400(string query, string key)
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        var details = await (await client.GetAsync($"/api/2026-03/mediaLibrary/{image}/incomingDocumentReferences{query}")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(key, out _), details.GetRawText());
    }

    [Fact]
    public async Task A_cursor_of_another_list_is_refused()
    {
        var client = await app.ReaderWriterAsync();
        var image = await client.ImportImageAsync();
        var other = await client.ImportImageAsync();
        await client.ImportDocumentsAsync("cms", [
            DocumentCalls.Document(Unique("a"), true, DocumentCalls.ImageComponent("c", image)),
            DocumentCalls.Document(Unique("b"), true, DocumentCalls.ImageComponent("c", image)),
        ]);
        var cursor = (await DocumentRefsAsync(client, image, "?limit=1")).GetProperty("cursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor));
        await (await client.GetAsync($"/api/2026-03/mediaLibrary/{other}/incomingDocumentReferences?after={cursor}")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync($"/api/2026-03/mediaLibrary/{image}/incomingMediaReferences?after={cursor}")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_media_id_is_404()
    {
        var client = await app.ReaderWriterAsync();
        await (await client.GetAsync("/api/2026-03/mediaLibrary/nope/incomingDocumentReferences")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/api/2026-03/mediaLibrary/nope/incomingMediaReferences")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }
}
