using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Assets;

public sealed class FileSystemUploadTests(TestApp app) : UploadTests(app), IClassFixture<TestApp>;

public sealed class S3UploadTests(S3TestApp app) : UploadTests(app), IClassFixture<S3TestApp>;

/// POST /mediaLibrary/assets against each blob store.
public abstract class UploadTests(TestApp app)
{
    protected async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string filename = "upload.bin", string contentType = "application/octet-stream")
    {
        var client = await app.ClientAsync(Scopes.Write);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.PostAsync($"/api/2026-03/mediaLibrary/assets?filename={Uri.EscapeDataString(filename)}", content);
    }

    [Fact]
    public async Task Jpeg_upload_is_stored_with_its_real_type_size_hash_and_rotated_dimensions()
    {
        var bytes = SampleFiles.Jpeg(1600, 900, orientation: 6, caption: "Harbour at dawn", credit: "Agency X", artist: "Jane Doe", withGps: true);
        var response = await UploadAsync(bytes, "harbour.jpg", "image/png");
        var asset = await response.JsonAsync(HttpStatusCode.Created);

        var key = asset.GetProperty("key").GetString()!;
        Assert.Matches($"^{DateTime.UtcNow:yyyy/MM/dd}/[0-9a-f-]{{36}}\\.jpg$", key);
        Assert.Equal("image/jpeg", asset.GetProperty("mimeType").GetString());
        Assert.Equal(900, asset.GetProperty("width").GetInt32());
        Assert.Equal(1600, asset.GetProperty("height").GetInt32());
        Assert.Equal(bytes.Length, asset.GetProperty("size").GetInt64());
        Assert.Equal("harbour.jpg", asset.GetProperty("filename").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), asset.GetProperty("sha256").GetString());
        Assert.EndsWith("/mediaLibrary/serve-image/" + key, asset.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(asset.GetProperty("url").GetString(), response.Headers.Location?.ToString());

        var extracted = asset.GetProperty("extracted");
        Assert.Equal("Harbour at dawn", extracted.GetProperty("caption").GetString());
        Assert.Equal("Agency X", extracted.GetProperty("credit").GetString());
        Assert.Equal("Jane Doe", extracted.GetProperty("creator").GetString());
        Assert.DoesNotContain("gps", asset.GetRawText(), StringComparison.OrdinalIgnoreCase);

        Assert.Equal(bytes, await app.ReadAsync(key));
        Assert.Empty(app.SpoolFiles());
    }

    public static TheoryData<string, string, string, int?, int?, double?> Samples => new()
    {
        { "png", "image/png", "png", 640, 480, null },
        { "gif", "image/gif", "gif", 320, 200, null },
        { "webp", "image/webp", "webp", 1024, 768, null },
        { "svg", "image/svg+xml", "svg", 300, 150, null },
        { "svg-viewbox", "image/svg+xml", "svg", 48, 24, null },
        { "mp4", "video/mp4", "mp4", 1920, 1080, 12.5 },
        { "mov", "video/quicktime", "mov", 1280, 720, 3 },
        { "pdf", "application/pdf", "pdf", null, null, null },
    };

    private static byte[] Sample(string name) => name switch
    {
        "png" => SampleFiles.Png(640, 480),
        "gif" => SampleFiles.Gif(320, 200),
        "webp" => SampleFiles.WebP(1024, 768),
        "svg" => SampleFiles.Svg(300, 150),
        "svg-viewbox" => SampleFiles.SvgWithViewBox(48, 24),
        "mp4" => SampleFiles.Mp4(1920, 1080, 12.5),
        "mov" => SampleFiles.Mp4(1280, 720, 3, major: "qt  "),
        "pdf" => SampleFiles.Pdf(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Type_and_size_come_from_the_bytes(string sample, string mimeType, string extension, int? width, int? height, double? duration)
    {
        var asset = await (await UploadAsync(Sample(sample), "whatever.dat", "text/plain")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(mimeType, asset.GetProperty("mimeType").GetString());
        Assert.EndsWith("." + extension, asset.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal(width, asset.TryGetProperty("width", out var w) ? w.GetInt32() : null);
        Assert.Equal(height, asset.TryGetProperty("height", out var h) ? h.GetInt32() : null);
        Assert.Equal(duration, asset.TryGetProperty("duration", out var d) ? d.GetDouble() : null);
    }

    [Fact]
    public async Task Huge_declared_dimensions_are_reported_without_allocating_for_them()
    {
        var asset = await (await UploadAsync(SampleFiles.Png(200_000, 150_000), "bomb.png")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(200_000, asset.GetProperty("width").GetInt32());
        Assert.Equal(150_000, asset.GetProperty("height").GetInt32());
    }

    public static TheoryData<string, HttpStatusCode, string> BadFiles => new()
    {
        { "text-named-png", HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType" },
        { "binary-noise", HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType" },
        { "empty", HttpStatusCode.BadRequest, "EmptyFile" },
        { "truncated-jpeg", HttpStatusCode.BadRequest, "InvalidFile" },
        { "truncated-png", HttpStatusCode.BadRequest, "InvalidFile" },
        { "jpeg-without-size", HttpStatusCode.BadRequest, "InvalidFile" },
    };

    private static byte[] BadFile(string name) => name switch
    {
        "text-named-png" => SampleFiles.Text(),
        "binary-noise" => [0x00, 0x01, 0x02, 0xFE, 0x00, 0x00, 0x10],
        "empty" => [],
        "truncated-jpeg" => SampleFiles.Jpeg(800, 600, scanBytes: 4000)[..3000],
        "truncated-png" => SampleFiles.Png(800, 600, truncated: true),
        "jpeg-without-size" => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xD9],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Bad_files_get_an_envelope_and_leave_nothing_behind(string file, HttpStatusCode status, string name)
    {
        var before = await app.KeysAsync();
        var details = await (await UploadAsync(BadFile(file), "picture.png", "image/png")).AssertEnvelopeAsync(status);
        Assert.Equal(name, details.GetProperty("name").GetString());
        Assert.Equal(before.Order(), (await app.KeysAsync()).Order());
        Assert.Empty(app.SpoolFiles());
    }

    [Fact]
    public async Task A_multipart_form_upload_is_a_415_that_says_to_send_the_raw_bytes()
    {
        var client = await app.ClientAsync(Scopes.Write);
        var before = await app.KeysAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(SampleFiles.Png(4, 4)), "file", "tiny.png" } };
        // As `curl -F file=@tiny.png` sends it: no ?filename=, the name inside the form.
        var details = await (await client.PostAsync("/api/2026-03/mediaLibrary/assets", form)).AssertEnvelopeAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("UnsupportedMediaType", details.GetProperty("name").GetString());
        Assert.Contains("raw bytes", details.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.Order(), (await app.KeysAsync()).Order());
        Assert.Empty(app.SpoolFiles());
    }

    [Fact]
    public async Task Filename_is_required()
    {
        var client = await app.ClientAsync(Scopes.Write);
        var response = await client.PostAsync("/api/2026-03/mediaLibrary/assets", new ByteArrayContent(SampleFiles.Png(4, 4)));
        var details = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty("filename", out _));
    }

    [Fact]
    public async Task Upload_needs_the_write_scope()
    {
        var client = await app.ClientAsync(Scopes.Read);
        var response = await client.PostAsync("/api/2026-03/mediaLibrary/assets?filename=a.png", new ByteArrayContent(SampleFiles.Png(4, 4)));
        await response.AssertEnvelopeAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Path_in_the_filename_is_dropped()
    {
        var asset = await (await UploadAsync(SampleFiles.Png(4, 4), "../../etc/passwd.png")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("passwd.png", asset.GetProperty("filename").GetString());
    }

    internal static async Task<JsonElement> UploadJsonAsync(HttpClient client, byte[] bytes, string filename)
    {
        var response = await client.PostAsync($"/api/2026-03/mediaLibrary/assets?filename={filename}", new ByteArrayContent(bytes));
        return await response.JsonAsync(HttpStatusCode.Created);
    }
}
