using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Reliability;

/// Invalid UTF-8 and unpaired surrogates anywhere a request carries text: 400 naming where, nothing stored.
public sealed class InvalidTextTests(TestApp app) : IClassFixture<TestApp>
{
    private static ByteArrayContent JsonBytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Bytes(params object[] parts) =>
        parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p).ToArray();

    public static TheoryData<string, byte[], string> PatchBodies => new()
    {
        { "raw bytes FF FE FD", Bytes("""{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":" """, new byte[] { 0xFF, 0xFE, 0xFD }, "\"}]}"), "patches.0.value" },
        { "escaped lone high surrogate", Bytes("""{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"\ud800"}]}"""), "patches.0.value" },
        { "escaped lone low surrogate", Bytes("""{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"a\udc00b"}]}"""), "patches.0.value" },
        { "overlong UTF-8 in a property name", Bytes("""{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"x",""", "\"", new byte[] { 0xC0, 0xAF }, "\":1}]}"), "patches.0" },
        { "UTF-8 encoded surrogate at the root", Bytes("{\"", new byte[] { 0xED, 0xA0, 0x80 }, "\":1}"), "body" },
        { "escaped NUL", Bytes("""{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"a\u0000b"}]}"""), "patches.0.value" },
        { "truncated sequence in the operation", Bytes("{\"patches\":[{\"operation\":\"archive", new byte[] { 0xE2, 0x82 }, "\"}]}"), "patches.0.operation" },
    };

    [Theory]
    [MemberData(nameof(PatchBodies))]
    public async Task Patch_with_invalid_text_answers_400_naming_the_path_and_changes_nothing(string label, byte[] body, string path)
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "Kept", ["caption"] = "before" });
        var before = (await client.GetEntryAsync(id)).GetRawText();

        var response = await client.PatchAsync($"/api/2026-03/mediaLibrary/{id}", JsonBytes(body));

        var details = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(path, out var message), $"{label}: {details}");
        Assert.Contains("not valid text", message.GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetEntryAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Import_with_a_lone_surrogate_in_metadata_answers_400_and_creates_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var asset = (await client.UploadImageAsync()).ToJsonString();
        var body = Bytes("""{"mediaLibraryEntries":[{"id":"surrogate-1","mediaType":"image","asset":""", asset, ""","metadata":{"title":"\udfff"}}]}""");

        var response = await client.PostAsync("/api/2026-03/import/mediaLibrary", JsonBytes(body));

        var details = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty("mediaLibraryEntries.0.metadata.title", out _), details.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/2026-03/mediaLibrary/surrogate-1")).StatusCode);
    }

    [Fact]
    public async Task Documents_import_with_invalid_UTF8_answers_400()
    {
        var client = await app.ReaderWriterAsync();
        var body = Bytes("{\"systemName\":\"s\",\"documents\":[{\"externalId\":\"e\",\"contentType\":\"regular\",\"title\":\"", new byte[] { 0xFF }, "\"}]}");

        var response = await client.PostAsync("/api/2026-03/import/documents", JsonBytes(body));

        var details = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty("documents.0.title", out _), details.ToString());
    }

    [Theory]
    [InlineData("/api/2026-03/mediaLibrary/%FF%FE", "path")]
    [InlineData("/api/2026-03/mediaLibrary/%ED%A0%80/keys", "path")]
    [InlineData("/api/2026-03/mediaLibrary/serve-image/2026/%C0%AF.jpg", "path")]
    [InlineData("/api/2026-03/mediaLibrary?ids=a,%E2%82", "ids")]
    [InlineData("/api/2026-03/mediaLibrary?externalId=%F4%90%80%80&systemName=s", "externalId")]
    [InlineData("/api/2026-03/mediaLibrary/x/incomingDocumentReferences?after=%80", "after")]
    [InlineData("/api/2026-03/mediaLibrary?externalId=a%00b", "externalId")]
    public async Task Urls_that_are_not_text_answer_400_naming_the_part(string url, string part)
    {
        var client = await app.ReaderWriterAsync();

        var details = await (await client.GetAsync(url)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);

        Assert.True(details.TryGetProperty(part, out var message), details.ToString());
        Assert.Contains("not valid text", message.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_with_a_filename_that_is_not_text_answers_400_and_stores_nothing()
    {
        var client = await app.ReaderWriterAsync();
        var blobsBefore = Directory.GetFiles(app.DataDirectory, "*", SearchOption.AllDirectories).Length;

        var response = await client.PostAsync("/api/2026-03/mediaLibrary/assets?filename=a%ED%B0%80.jpg", new ByteArrayContent(SampleFiles.Jpeg(10, 10)));

        var details = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty("filename", out _), details.ToString());
        Assert.Equal(blobsBefore, Directory.GetFiles(app.DataDirectory, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Valid_text_of_every_kind_is_accepted_and_stored_as_sent()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        const string text = "😀 e\u0301 \u202Eabc \uFEFF \u0001 日本";

        var response = await client.PatchOpsAsync(id, ApiCalls.SetMetadata("caption", text));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(text, (await client.GetEntryAsync(id)).GetProperty("metadata").GetProperty("caption").GetString());
    }
}
