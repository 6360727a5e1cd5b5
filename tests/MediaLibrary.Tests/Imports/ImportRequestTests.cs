using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Imports.ImportFlow;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Imports;

/// What an import request must look like, and who may ask for a job's status.
public sealed class ImportRequestTests(ImportApp app) : IClassFixture<ImportApp>
{
    public static TheoryData<string, string, string> BadBodies => new()
    {
        { """{"images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": {}}]}""", "systemName", "is required" },
        { """{"systemName": "s", "images": []}""", "images", "must be an array of 1 to 1000 images" },
        { """{"systemName": "s"}""", "images", "is required" },
        { """{"systemName": "s", "videos": [], "images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": {}}]}""", "videos", "is not an allowed property" },
        { """{"systemName": "s", "images": [{"id": "1", "fileName": "a", "metadata": {}}]}""", "images.0.url", "is required" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "fileName": "a", "metadata": {}}]}""", "images.0.id", "is required" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "id": "1", "metadata": {}}]}""", "images.0.fileName", "is required" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "id": "1", "fileName": "a"}]}""", "images.0.metadata", "is required" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": []}]}""", "images.0.metadata", "must be an object" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": {}, "mediaType": "video"}]}""", "images.0.mediaType", "'video' is not a media type for images of this project (known: image)" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": {}}, {"url": "http://y/", "id": "1", "fileName": "b", "metadata": {}}]}""", "images.1.id", "'1' appears twice in this job (also at images.0)" },
        { """{"systemName": "s", "webhook": "ftp://x/", "images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": {}}]}""", "webhook", "only http and https URLs can be called, not ftp:" },
        { """{"systemName": "s", "images": [{"url": "http://x/", "id": "1", "fileName": "a", "metadata": {}, "extra": 1}]}""", "images.0.extra", "is not an allowed property" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_400_naming_the_problem_and_stores_no_job(string body, string path, string message)
    {
        var client = await app.ReaderWriterAsync();
        var before = await CountAsync("SELECT COUNT(*) FROM import_jobs");

        var response = await client.PostAsync("/api/2026-03/import/images", Json(body));

        var envelope = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Equal(message, envelope.GetProperty(path).GetString());
        Assert.Equal(before, await CountAsync("SELECT COUNT(*) FROM import_jobs"));
    }

    [Fact]
    public async Task Limits_on_items_and_context_are_enforced()
    {
        var client = await app.ReaderWriterAsync();
        var tooMany = new JsonArray([.. Enumerable.Range(0, 1001).Select(i => Item("http://x/" + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture)))]);
        var response = await client.PostAsync("/api/2026-03/import/images", Json(new JsonObject { ["systemName"] = "s", ["images"] = tooMany }));
        Assert.Equal("must be an array of 1 to 1000 images",
            (await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest)).GetProperty("images").GetString());

        var context = new JsonObject { ["pad"] = new string('x', 8200) };
        response = await client.PostAsync("/api/2026-03/import/images",
            Json(new JsonObject { ["systemName"] = "s", ["context"] = context, ["images"] = new JsonArray(Item("http://x/", "1")) }));
        Assert.Equal("must be at most 8192 bytes as JSON",
            (await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest)).GetProperty("context").GetString());
    }

    [Fact]
    public async Task Status_needs_a_known_id_and_the_write_scope()
    {
        var client = await app.ReaderWriterAsync();
        await (await client.GetAsync("/api/2026-03/import/images/status")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        var missing = await (await client.GetAsync("/api/2026-03/import/files/status?id=nope")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal("No import of files has the id 'nope'.", missing.GetProperty("message").GetString());

        var reader = await app.ClientAsync("public-api:read");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/2026-03/import/images/status?id=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/2026-03/import/images", Json("{}"))).StatusCode);
    }

    private async Task<long> CountAsync(string sql, string? parameter = null)
    {
        var database = app.Services.GetRequiredService<Database>();
        await using var session = await database.OpenSessionAsync();
        return (await session.QueryAsync<long>(sql, CancellationToken.None, ("p", parameter)))[0];
    }
}
