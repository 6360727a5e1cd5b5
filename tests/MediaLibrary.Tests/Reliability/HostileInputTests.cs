using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaLibrary.Tests.Reliability;

/// Thousands of malformed and adversarial requests at every endpoint: never a 5xx, always the
/// envelope on errors, and the stored entries stay exactly as they were.
public sealed partial class HostileInputTests(TestApp app, ITestOutputHelper output) : IClassFixture<TestApp>
{
    private const int Seed = 20261129;

    private static readonly JsonNode?[] WrongValues =
    [
        null, 0, -1, 1.5, long.MaxValue, true, "", new string('x', 20_000), "\u202e\u0000evil", "' OR 1=1 --",
        new JsonArray(), new JsonArray(1, "a"), new JsonObject(), new JsonObject { ["$ref"] = "image" }, "../../etc/passwd",
    ];

    private static readonly string[] HostileIds =
    [
        new string('a', 1000), "../../etc/passwd", "%2e%2e%2f", "' OR 1=1 --", "ünïcødé", "a b", "😀", "null", "-1", "%25",
        "..", "a/b", "a\\b", "$(reboot)", "<script>",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "}", "[", "null", "true", "1", "\"x\"", "{\"a\":}", "{\"a\" 1}", "{,}", "[1,]", "{\"a\":1,}", "{'a':1}",
        "{\"patches\": [], \"patches\": []}", "\uFEFF{}", "{\"a\":\"\\ud800\"}", string.Concat(Enumerable.Repeat("[", 500)),
        string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300), "{\"mediaLibraryEntries\": 5}",
        "{\"mediaLibraryEntries\": [null, 1, \"x\", []]}", "{\"systemName\": 1, \"documents\": {}}", "{\"patches\": {}}",
        "{\"patches\": [null]}", "{\"patches\": [{\"operation\": 7}]}", "{\"version\": -1, \"patches\": []}",
    ];

    private static readonly string?[] ContentTypes = [null, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/json"];

    [Fact]
    public async Task Five_thousand_hostile_requests_get_no_5xx_always_an_envelope_and_change_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var entryId = await client.ImportImageAsync(new JsonObject { ["title"] = "Untouchable", ["caption"] = "keep me" });
        var before = (await client.GetEntryAsync(entryId)).GetRawText();
        var entriesBefore = await CountEntriesAsync();

        var requests = Generate(new Random(Seed), entryId).ToList();
        Assert.True(requests.Count >= 5000, $"only {requests.Count} requests generated");

        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        foreach (var batch in requests.Chunk(16))
        {
            var responses = await Task.WhenAll(batch.Select(async r => (r.Label, Response: await client.SendAsync(r.Build()))));
            foreach (var (label, response) in responses)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var problem = await ProblemAsync(response);
                if (problem is not null && failures.Count < 20)
                {
                    failures.Add($"{label}: {problem}");
                }
            }
        }

        output.WriteLine($"{requests.Count} requests; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, (await client.GetEntryAsync(entryId)).GetRawText());
        Assert.Equal(entriesBefore, await CountEntriesAsync());
    }

    private static async Task<string?> ProblemAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"{status} {await response.Content.ReadAsStringAsync()}";
        }

        if (status < 400 || response.RequestMessage?.Method == HttpMethod.Head)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.GetProperty("status").GetInt32() == status && root.TryGetProperty("error", out _) &&
                   root.GetProperty("error_details").ValueKind == JsonValueKind.Object
                ? null
                : $"{status} without the envelope: {body}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{status} without the envelope: {body}";
        }
    }

    private async Task<long> CountEntriesAsync()
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM media_entries");
    }

    private sealed record Hostile(string Label, Func<HttpRequestMessage> Build);

    private static Hostile Request(string label, HttpMethod method, string url, string? body = null, string? contentType = "application/json", byte[]? bytes = null) =>
        new(label, () =>
        {
            var request = new HttpRequestMessage(method, url);
            if (body is not null || bytes is not null)
            {
                var content = bytes is not null ? new ByteArrayContent(bytes) : new ByteArrayContent(Encoding.UTF8.GetBytes(body!));
                content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
                request.Content = content;
            }

            return request;
        });

    private static IEnumerable<Hostile> Generate(Random random, string entryId)
    {
        var bodyRoutes = new (HttpMethod Method, string Url)[]
        {
            (HttpMethod.Patch, $"/api/2026-03/mediaLibrary/{entryId}"),
            (HttpMethod.Post, "/api/2026-03/import/mediaLibrary"),
            (HttpMethod.Post, "/api/2025-03/import/mediaLibrary"),
            (HttpMethod.Post, "/api/2026-03/import/documents"),
        };

        // Broken bodies × content types at every JSON route.
        foreach (var (method, url) in bodyRoutes)
        {
            foreach (var body in Bodies)
            {
                foreach (var contentType in ContentTypes)
                {
                    yield return Request($"{method} {url} body {Short(body)} as {contentType}", method, url, body, contentType);
                }
            }

            for (var i = 0; i < 150; i++)
            {
                var noise = new byte[random.Next(1, 300)];
                random.NextBytes(noise);
                yield return Request($"{method} {url} random bytes #{i}", method, url, bytes: noise);
            }

            for (var i = 0; i < 500; i++)
            {
                yield return Request($"{method} {url} random json #{i}", method, url, RandomJson(random, 0)?.ToJsonString() ?? "null");
            }
        }

        // Every leaf of a valid PATCH replaced by every wrong value; a trailing bad operation keeps each one invalid.
        foreach (var template in PatchTemplates())
        {
            foreach (var (path, mutated) in Mutations(template))
            {
                var patches = mutated["patches"] as JsonArray;
                patches?.Add(new JsonObject { ["operation"] = "definitelyNotAnOperation" });
                yield return Request($"PATCH mutation {path}", HttpMethod.Patch, $"/api/2026-03/mediaLibrary/{entryId}", mutated.ToJsonString());
            }
        }

        // Every leaf of an import whose asset key does not exist: nothing may be created.
        var import = JsonNode.Parse("""
            {"mediaLibraryEntries": [{"id": "hostile-1", "systemName": "s", "externalId": "e", "mediaType": "image",
              "asset": {"key": "2000/01/01/missing.jpg", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "m.jpg"},
              "metadata": {"title": "t", "tags": ["a"], "validity": {"from": "2026-01-01T00:00:00Z"}},
              "translations": [{"locale": "fr", "metadata": {"title": "x"}}]}]}
            """)!.AsObject();
        foreach (var (path, mutated) in Mutations(import))
        {
            yield return Request($"import mutation {path}", HttpMethod.Post, "/api/2026-03/import/mediaLibrary", mutated.ToJsonString());
        }

        var documents = JsonNode.Parse("""
            {"systemName": "hostile", "documents": [{"externalId": "e", "contentType": "regular", "title": "t", "metadata": {"m": 1},
              "content": [{"id": "c", "component": "image", "content": {"image": {"mediaId": "x"}}, "containers": {"c": []}}], "publish": false}]}
            """)!.AsObject();
        foreach (var (path, mutated) in Mutations(documents))
        {
            yield return Request($"documents mutation {path}", HttpMethod.Post, "/api/2026-03/import/documents", mutated.ToJsonString());
        }

        // Hostile ids, keys, cursors and query values at every route that takes them.
        foreach (var id in HostileIds)
        {
            var e = Uri.EscapeDataString(id);
            yield return Request($"get {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{e}");
            yield return Request($"keys {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{e}/keys");
            yield return Request($"list {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary?ids={e},{e}");
            yield return Request($"external {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary?externalId={e}&systemName={e}");
            yield return Request($"serve {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/serve-image/{e}");
            yield return Request($"serve raw {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/serve-image/{id.Replace("%", "%25", StringComparison.Ordinal)}");
            yield return Request($"head {id}", HttpMethod.Head, $"/api/2026-03/mediaLibrary/serve-image/{e}");
            yield return Request($"incoming {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{e}/incomingDocumentReferences?after={e}");
            yield return Request($"incoming media {id}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{e}/incomingMediaReferences?after={e}&limit={e}");
            yield return Request($"unpublish {id}", HttpMethod.Post, $"/api/2026-03/documents/{e}/unpublish");
            yield return Request($"publication {id}", HttpMethod.Get, $"/api/2026-03/documents/{e}/latestPublication");
            yield return Request($"patch {id}", HttpMethod.Patch, $"/api/2026-03/mediaLibrary/{e}", "{\"patches\": [{\"operation\": \"archive\"}]}");
            yield return Request($"upload name {id}", HttpMethod.Post, $"/api/2026-03/mediaLibrary/assets?filename={e}", bytes: [1, 2, 3]);
            yield return Request($"version {id}", HttpMethod.Get, $"/api/{e}/mediaLibrary/x");
        }

        foreach (var query in new[] { "limit=-1", "limit=0", "limit=1e3", "limit=99999999999999999999", "offset=-5", "offset=x", "offset=99999999999", "after=", "after=%00", "limit=&offset=" })
        {
            yield return Request($"incoming ?{query}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{entryId}/incomingDocumentReferences?{query}");
            yield return Request($"incoming media ?{query}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{entryId}/incomingMediaReferences?{query}");
        }

        for (var i = 0; i < 400; i++)
        {
            var cursor = new byte[random.Next(1, 64)];
            random.NextBytes(cursor);
            var text = Convert.ToBase64String(cursor).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            yield return Request($"random cursor #{i}", HttpMethod.Get, $"/api/2026-03/mediaLibrary/{entryId}/incomingDocumentReferences?after={text}");
        }

        // Upload: wrong, tiny, truncated and random files under lying names.
        for (var i = 0; i < 400; i++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length > 3)
            {
                bytes[0] = 0xFF;
                bytes[1] = 0xD8;
                bytes[2] = 0xFF;
            }

            yield return Request($"upload noise #{i}", HttpMethod.Post, "/api/2026-03/mediaLibrary/assets?filename=x.png", bytes: bytes, contentType: "image/png");
        }

        // Range headers and wrong methods on serve-image and friends.
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Options, new HttpMethod("PURGE") })
        {
            yield return Request($"{method} entry", method, $"/api/2026-03/mediaLibrary/{entryId}");
            yield return Request($"{method} import", method, "/api/2026-03/import/mediaLibrary");
        }
    }
}
