using System.Text.Json;
using MediaLibrary.Api;
using MediaLibrary.Entries;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Api;

/// The API reference an integrator reads at /docs/ documents what to send and what comes back.
public sealed class OpenApiTests(TestApp app) : IClassFixture<TestApp>
{
    // Write endpoints whose request has no body at all.
    private static readonly string[] Bodiless = ["POST /api/{apiVersion}/documents/{id}/unpublish", "DELETE /api/{apiVersion}/mediaLibrary/{id}"];

    private async Task<JsonElement> DocumentAsync() => await (await app.CreateClient().GetAsync("/openapi/v1.json")).JsonAsync();

    [Fact]
    public async Task Every_write_endpoint_documents_its_request_body_schema()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var writes = 0;
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "patch" or "put" or "delete"))
            {
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                if (Bodiless.Contains(name))
                {
                    Assert.False(operation.Value.TryGetProperty("requestBody", out _), $"{name} is listed as bodiless but documents a body");
                    continue;
                }

                writes++;
                Assert.True(operation.Value.TryGetProperty("requestBody", out var body), $"{name} documents no request body");
                var content = body.GetProperty("content").EnumerateObject().Single();
                Assert.True(content.Value.TryGetProperty("schema", out var schema) && schema.EnumerateObject().Any(), $"{name} has an empty body schema");
            }
        }

        Assert.Equal(9, writes);
    }

    [Fact]
    public async Task The_patch_body_names_every_operation_the_server_accepts()
    {
        var document = await DocumentAsync();
        var schema = document.GetProperty("paths").GetProperty("/api/{apiVersion}/mediaLibrary/{id}").GetProperty("patch")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var text = schema.GetRawText() + document.GetProperty("components").GetRawText();

        foreach (var name in PatchRequest.OperationNames(ApiVersion.All[^1]))
        {
            Assert.Contains($"\"{name}\"", text, StringComparison.Ordinal);
        }

        Assert.Contains("\"patches\"", schema.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_batch_patch_documents_its_entries_and_results()
    {
        var document = await DocumentAsync();
        var patch = document.GetProperty("paths").GetProperty("/api/{apiVersion}/mediaLibrary").GetProperty("patch");
        var components = document.GetProperty("components").GetProperty("schemas");
        var request = patch.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("properties");
        Assert.True(request.TryGetProperty("entries", out _) && request.TryGetProperty("preserveUpdatedAt", out _), request.GetRawText());
        var item = request.GetProperty("entries").GetProperty("items").GetProperty("properties");
        Assert.True(item.TryGetProperty("id", out _) && item.TryGetProperty("patches", out _) && item.TryGetProperty("version", out _), item.GetRawText());
        Assert.Contains("setUsageLogBilling", item.GetProperty("patches").GetRawText(), StringComparison.Ordinal);
        var result = components.GetProperty("BatchPatchResult").GetProperty("properties");
        Assert.True(result.TryGetProperty("ok", out _) && result.TryGetProperty("error_details", out _), result.GetRawText());
    }

    [Theory]
    [InlineData("/api/{apiVersion}/mediaLibrary", "get")]
    [InlineData("/api/{apiVersion}/import/mediaLibrary", "post")]
    [InlineData("/api/{apiVersion}/import/documents", "post")]
    [InlineData("/api/{apiVersion}/mediaLibrary/{mediaId}/incomingDocumentReferences", "get")]
    public async Task Answers_whose_shape_depends_on_the_version_document_both_shapes(string path, string method)
    {
        var ok = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("200");

        var shapes = ok.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("oneOf");
        Assert.Equal(2, shapes.GetArrayLength());
        Assert.Contains("2026-01", ok.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_are_documented_with_the_envelope()
    {
        var responses = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/{apiVersion}/mediaLibrary/{id}").GetProperty("get").GetProperty("responses");

        foreach (var status in new[] { "400", "401", "403", "404" })
        {
            Assert.Contains("error_details", responses.GetProperty(status).GetRawText() + (await DocumentAsync()).GetProperty("components").GetRawText(), StringComparison.Ordinal);
        }
    }
}
