using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Dapper;
using MediaLibrary.Hosting;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static MediaLibrary.Tests.Reliability.Fuzzing.FuzzJson;

namespace MediaLibrary.Tests.Reliability.Fuzzing;

/// Property-based fuzzing of every endpoint: valid requests, mutated in structure, numbers,
/// nesting, length and Unicode. For every request: never a 5xx, the envelope on every error,
/// and a rejected request changes nothing stored (rows and blob files). CsCheck prints the seed
/// of a failing case; `CsCheck_Seed=<seed>` replays it. MEDIALIBRARY_FUZZ_ITERATIONS sets the count.
public sealed class FuzzTests(FuzzApp app, ITestOutputHelper output) : IClassFixture<FuzzApp>
{
    private static readonly string[] Tables =
        ["media_entries", "media_entry_keys", "documents", "publications", "document_references", "media_references", "validity_boundaries", "webhook_deliveries", "published_entries", "blob_erasures"];

    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("MEDIALIBRARY_FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : 20_000;

    [Fact]
    public async Task Twenty_thousand_mutated_requests_get_no_5xx_always_the_envelope_and_rejected_ones_change_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var context = await SeedAsync(client);
        var statuses = new SortedDictionary<int, int>();
        var categories = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var baseline = await FingerprintAsync();
        var sent = 0;

        await RequestGen.For(context).SampleAsync(async request =>
        {
            sent++;
            using var response = await client.SendAsync(request.ToMessage());
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            foreach (var category in request.Categories)
            {
                categories[category] = categories.GetValueOrDefault(category) + 1;
            }

            var body = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                throw new InvalidOperationException($"{status} for {request}: {body}");
            }

            if (status >= 400 && request.Method != HttpMethod.Head && EnvelopeProblem(status, body) is { } problem)
            {
                throw new InvalidOperationException($"{problem} for {request}");
            }

            var now = await FingerprintAsync();
            if (Rejected(status, body) && now != baseline)
            {
                throw new InvalidOperationException($"a rejected request ({status}: {Short(body)}) changed stored state: {request}");
            }

            baseline = now;
        }, iter: Iterations, threads: 1, print: r => r.ToString());

        output.WriteLine($"{sent} requests on {(TestApp.UsePostgres ? "PostgreSQL" : "SQLite")}; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        foreach (var (category, count) in categories)
        {
            output.WriteLine($"  {category}: {count}");
        }

        Assert.True(sent >= Iterations, $"only {sent} requests were sent");
        Assert.True(statuses.Keys.Any(s => s < 300) && statuses.Keys.Any(s => s >= 400), "the mix should hold both accepted and rejected requests");
    }

    /// A 4xx, or an import answered 200 whose every item failed: then nothing may have changed.
    private static bool Rejected(int status, string body)
    {
        if (status >= 400)
        {
            return true;
        }

        if (status != 200 || !body.StartsWith('{'))
        {
            return false;
        }

        var root = JsonNode.Parse(body) as JsonObject;
        var items = (root?["results"] ?? root?["mediaLibraryEntries"] ?? root?["documents"]) as JsonArray;
        return items is { Count: > 0 } && items.All(i => i is JsonObject item && item["ok"]?.GetValueKind() == JsonValueKind.False);
    }

    private static string? EnvelopeProblem(int status, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.GetProperty("status").GetInt32() == status && root.GetProperty("error").ValueKind == JsonValueKind.String &&
                   root.GetProperty("error_details").ValueKind == JsonValueKind.Object
                ? null
                : $"{status} without the envelope: {Short(body)}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{status} without the envelope: {Short(body)}";
        }
    }

    private static string Short(string s) => s.Length > 300 ? s[..300] + "…" : s;

    /// Every row of the tables a request can write, and the blob files: small, as the generator
    /// only ever names a few ids.
    private async Task<string> FingerprintAsync()
    {
        var database = app.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync();
        var parts = new List<string>();
        foreach (var table in Tables)
        {
            var rows = await connection.QueryAsync(database.Dialect.IsPostgres ? $"SELECT t::text AS r FROM {table} t ORDER BY 1" : $"SELECT * FROM {table} ORDER BY 1");
            parts.Add($"{table}:" + string.Join("|", rows.Select(r => string.Join(",", ((IDictionary<string, object>)r).Values))));
        }

        // Import jobs only grow (each accepted one adds a job and its items): counted, not listed.
        parts.Add("imports:" + await connection.QueryFirstAsync<string>(
            "SELECT (SELECT COUNT(*) FROM import_jobs) || '/' || (SELECT COUNT(*) FROM import_items) || '/' || COALESCE((SELECT MAX(id) FROM import_jobs), '')"));

        // The usage log grows with every accepted addUsageLogEntry: summarised in the database.
        var logRows = "COALESCE(id || state || purpose || params || COALESCE(url, ''), '')";
        parts.Add("usage_log:" + await connection.QueryFirstAsync<string>(database.Dialect.IsPostgres
            ? $"SELECT COUNT(*) || '/' || COALESCE(md5(string_agg({logRows}, '|' ORDER BY seq)), '') FROM usage_log"
            : $"SELECT COUNT(*) || '/' || COALESCE(group_concat({logRows}, '|'), '') FROM (SELECT * FROM usage_log ORDER BY seq)"));

        // Events without their feed id: the sequencer numbers them in the background.
        var events = await connection.QueryAsync<string>("SELECT seq || ':' || name || ':' || COALESCE(media_id, '') FROM events ORDER BY seq");
        parts.Add("events:" + string.Join("|", events));
        var blobRoot = app.Services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value.BlobRoot;
        parts.Add("blobs:" + Directory.EnumerateFiles(blobRoot, "*", SearchOption.AllDirectories).Count());
        return string.Join("\n", parts);
    }

    private static async Task<FuzzContext> SeedAsync(HttpClient client)
    {
        var asset = await client.UploadImageAsync(64, 48);
        var entryId = await client.ImportImageAsync(
            new JsonObject { ["title"] = "Fuzz target", ["caption"] = "c" },
            new JsonObject { ["translations"] = new JsonArray(new JsonObject { ["locale"] = "fr", ["metadata"] = new JsonObject { ["title"] = "Cible" }, ["asset"] = asset.DeepClone() }) });
        var otherId = await client.ImportImageAsync(new JsonObject { ["title"] = "Other", ["caption"] = "another fuzz target", ["relatedImage"] = new JsonObject { ["mediaId"] = entryId } });
        var documents = await (await client.PostAsync("/api/2026-03/import/documents", ApiCalls.Json(new JsonObject
        {
            ["systemName"] = "fuzz-seed",
            ["documents"] = new JsonArray(new JsonObject
            {
                ["externalId"] = "seed", ["contentType"] = "regular", ["title"] = "Seed", ["publish"] = true,
                ["content"] = new JsonArray(new JsonObject { ["id"] = "c1", ["component"] = "image", ["content"] = new JsonObject { ["image"] = new JsonObject { ["mediaId"] = entryId } } }),
            }),
        }))).JsonAsync();
        var documentId = documents.GetProperty("results")[0].GetProperty("id").GetInt64();
        var key = asset["key"]!.GetValue<string>();
        var job = await (await client.PostAsync("/api/2026-03/import/images", ApiCalls.Json(
            """{"systemName": "fuzz-seed", "images": [{"url": "http://archive.example.com/1.jpg", "id": "1", "fileName": "1.jpg", "metadata": {"title": "t"}}]}"""))).JsonAsync();
        var logged = await client.PatchAsync(entryId, new JsonObject
        {
            ["patches"] = new JsonArray(new JsonObject
            {
                ["operation"] = "addUsageLogEntry", ["value"] = new JsonObject { ["purpose"] = "print", ["params"] = new JsonObject { ["page"] = 1 } },
            }),
        }, "2026-05");
        Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        var log = await (await client.GetAsync($"/api/2026-05/mediaLibrary/{entryId}/usageLog")).JsonAsync();
        var search = await (await client.GetAsync($"/api/2026-05/search/mediaLibrary?{RequestGen.SearchQuery}")).JsonAsync();
        Assert.NotEqual("", search.GetProperty("cursor").GetString());
        return new FuzzContext(entryId, otherId, documentId, From(asset), key, SampleFiles.Jpeg(32, 24), job.GetProperty("id").GetString()!,
            log.GetProperty("results")[0].GetProperty("id").GetString()!, search.GetProperty("cursor").GetString()!);
    }
}

/// The service as the fuzzer uses it: usage purposes configured; import jobs are accepted but
/// not worked on, so nothing changes stored rows in the background between two requests.
public sealed class FuzzApp : TestApp
{
    public override async Task InitializeAsync()
    {
        Overrides["MediaLibrary:Imports:Concurrency"] = "0";
        // Deleted entries' bytes stay (their erasure runs in the background and would change the blobs between two requests).
        Overrides["MediaLibrary:Lifecycle:EraseInBackground"] = "false";
        Overrides["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteAsync(DataDirectory, ("usagePurposes", UsageLog.UsageLogApp.Purposes));
        await base.InitializeAsync();
    }
}
