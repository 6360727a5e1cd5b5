using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Documents;

public static class DocumentCalls
{
    public static JsonObject ImageComponent(string componentId, string mediaId) => new()
    {
        ["id"] = componentId, ["component"] = "image", ["content"] = new JsonObject { ["image"] = new JsonObject { ["mediaId"] = mediaId } },
    };

    public static JsonObject Document(string externalId, bool publish, params JsonObject[] components) => new()
    {
        ["externalId"] = externalId, ["contentType"] = "regular", ["title"] = "Story " + externalId,
        ["content"] = new JsonArray([.. components]), ["publish"] = publish,
    };

    public static async Task<JsonElement> ImportDocumentsAsync(this HttpClient client, string systemName, JsonArray documents, string version = "2026-03")
    {
        var response = await client.PostAsync($"/api/{version}/import/documents", Json(new JsonObject { ["systemName"] = systemName, ["documents"] = documents }));
        return await response.JsonAsync();
    }

    public static async Task<long> ImportDocumentAsync(this HttpClient client, JsonObject document, string systemName = "cms")
    {
        var result = (await client.ImportDocumentsAsync(systemName, [document])).GetProperty("results")[0];
        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        return result.GetProperty("id").GetInt64();
    }
}

public sealed class DocumentTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Concurrent_publications_of_overlapping_entries_in_any_order_all_succeed()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var entries = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            entries.Add(await client.ImportImageAsync());
        }

        // Each document references 10 of the 16 in its own random order; published, then published
        // with another 10: counts go up and down across the same rows from every side.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var answers = new List<System.Text.Json.JsonElement>();
            for (var round = 0; round < 6; round++)
            {
                // Two documents a request: one transaction takes the count rows of both, in no common order.
                JsonObject Next(string externalId)
                {
                    var picked = entries.OrderBy(_ => Random.Shared.Next()).Take(10).ToArray();
                    return DocumentCalls.Document(externalId, publish: true, [.. picked.Select((id, i) => DocumentCalls.ImageComponent($"c{i}", id))]);
                }

                var both = await client.ImportDocumentsAsync("cms", [Next($"overlap-{tag}-{worker}-b"), Next($"overlap-{tag}-{worker}")]);
                answers.AddRange(both.GetProperty("results").EnumerateArray());
            }

            return answers;
        })));

        Assert.All(results.SelectMany(r => r), r => Assert.True(r.GetProperty("ok").GetBoolean(), r.GetRawText()));
        // The counts add up: each entry is referenced by as many published documents as say so.
        var published = new Dictionary<string, int>();
        foreach (var id in results.SelectMany(r => r.TakeLast(2)).Select(r => r.GetProperty("id").GetInt64()))
        {
            var live = await (await client.GetAsync($"/api/2026-03/documents/{id}/latestPublication")).JsonAsync();
            foreach (var component in live.GetProperty("content").EnumerateArray())
            {
                var mediaId = component.GetProperty("content").GetProperty("image").GetProperty("mediaId").GetString()!;
                published[mediaId] = published.GetValueOrDefault(mediaId) + 1;
            }
        }

        foreach (var entry in entries)
        {
            Assert.Equal(published.GetValueOrDefault(entry), (await client.GetEntryAsync(entry, "2026-03")).GetProperty("usage").GetProperty("documents").GetInt32());
        }
    }

    [Fact]
    public async Task Import_upserts_by_external_id_with_integer_ids_and_publishes()
    {
        var client = await app.ReaderWriterAsync();
        var external = "story-" + Guid.NewGuid().ToString("N")[..8];
        var first = await client.ImportDocumentAsync(DocumentCalls.Document(external, publish: true, DocumentCalls.ImageComponent("c1", "img-1")));
        var again = await client.ImportDocumentAsync(DocumentCalls.Document(external, publish: true, DocumentCalls.ImageComponent("c1", "img-2")));
        Assert.Equal(first, again);

        var publication = await (await client.GetAsync($"/api/2026-03/documents/{first}/latestPublication")).JsonAsync();
        var system = publication.GetProperty("systemdata");
        Assert.Equal(first, system.GetProperty("documentId").GetInt64());
        Assert.Equal("regular", system.GetProperty("contentType").GetString());
        Assert.Equal(2, system.GetProperty("publicationId").GetInt32());
        Assert.Equal("Story " + external, system.GetProperty("title").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT[\d:]{8}\.\d{3}Z$", system.GetProperty("firstPublicationDate").GetString());
        Assert.Equal("img-2", publication.GetProperty("content")[0].GetProperty("content").GetProperty("image").GetProperty("mediaId").GetString());
    }

    [Fact]
    public async Task Unpublish_makes_latest_publication_404_and_unknown_documents_are_404()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportDocumentAsync(DocumentCalls.Document("u-" + Guid.NewGuid().ToString("N")[..8], publish: true));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/2026-03/documents/{id}/latestPublication")).StatusCode);

        var answer = await (await client.PostAsync($"/api/2026-03/documents/{id}/unpublish", null)).JsonAsync();
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        await (await client.GetAsync($"/api/2026-03/documents/{id}/latestPublication")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/api/2026-03/documents/999999999/unpublish", null)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/api/2026-03/documents/not-a-number/unpublish", null)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_draft_is_not_a_publication()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportDocumentAsync(DocumentCalls.Document("d-" + Guid.NewGuid().ToString("N")[..8], publish: false));
        await (await client.GetAsync($"/api/2026-03/documents/{id}/latestPublication")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_documents_are_per_item_400_results_and_legacy_shape_before_2026_01()
    {
        var client = await app.ReaderWriterAsync();
        var answer = await client.ImportDocumentsAsync("cms", [
            new JsonObject { ["contentType"] = "regular" },
            new JsonObject { ["externalId"] = "x", ["contentType"] = "regular", ["content"] = new JsonArray(new JsonObject { ["id"] = "c" }) },
            DocumentCalls.Document("ok-" + Guid.NewGuid().ToString("N")[..8], publish: false),
        ], "2025-11");
        var results = answer.GetProperty("documents");
        Assert.Equal(400, results[0].GetProperty("status").GetInt32());
        Assert.Contains(results[0].GetProperty("error_details").GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "externalId");
        Assert.Contains(results[1].GetProperty("error_details").GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "content.0.component");
        Assert.True(results[2].GetProperty("ok").GetBoolean());
    }

    [Theory]
    [InlineData("""{"documents": []}""", "systemName")]
    [InlineData("""{"systemName": "cms"}""", "documents")]
    [InlineData("""{"systemName": "cms", "documents": [], "x": 1}""", "x")]
    public async Task An_unusable_import_body_is_400(string body, string path)
    {
        var client = await app.ReaderWriterAsync();
        var details = await (await client.PostAsync("/api/2026-03/import/documents", Json(body))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(path, out _), details.GetRawText());
    }
}
