using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MediaLibrary.Assets;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Delivery;

public sealed class FileSystemServeImageTests(TestApp app) : ServeImageTests(app), IClassFixture<TestApp>;

public sealed class S3ServeImageTests(S3TestApp app) : ServeImageTests(app), IClassFixture<S3TestApp>;

/// GET/HEAD /mediaLibrary/serve-image/{key} against each blob store.
public abstract class ServeImageTests(TestApp app)
{
    private static string Serve(string key, string version = "2026-03") => $"/api/{version}/mediaLibrary/serve-image/{key}";

    private async Task<(HttpClient Client, string Id, string Key, byte[] Bytes)> ImageEntryAsync(JsonObject? metadata = null, byte[]? image = null)
    {
        var client = await app.ReaderWriterAsync();
        var bytes = image ?? SampleFiles.Jpeg(1600, 900, scanBytes: 5000);
        var asset = await client.UploadAsync(bytes, "harbour.jpg");
        var result = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "image", ["asset"] = asset, ["metadata"] = metadata ?? new JsonObject { ["title"] = "Harbour" },
        }])).GetProperty("results")[0];
        return (client, result.GetProperty("id").GetString()!, asset["key"]!.GetValue<string>(), bytes);
    }

    [Fact]
    public async Task Serves_the_original_bytes_with_delivery_headers()
    {
        var (client, _, key, bytes) = await ImageEntryAsync();
        var response = await client.GetAsync(Serve(key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task A_transform_renders_from_this_store_and_stores_its_variant_there()
    {
        var (client, _, key, _) = await ImageEntryAsync(image: SampleFiles.DecodableJpeg(800, 600));

        var response = await client.GetAsync($"{Serve(key, "2026-05")}?w=200&fm=png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var (width, height, _) = SampleFiles.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((200, 150), (width, height));
        List<string> variants;
        await using (var session = await app.Services.GetRequiredService<MediaLibrary.Storage.Database>().OpenSessionAsync())
        {
            variants = await session.QueryAsync<string>("SELECT key FROM image_variants WHERE source_key = @key", CancellationToken.None, ("key", key));
        }

        Assert.NotNull(await app.Services.GetRequiredService<IBlobStore>().StatAsync(Assert.Single(variants), CancellationToken.None));
    }

    [Fact]
    public async Task Head_and_conditional_requests_answer_from_the_database_without_reading_storage()
    {
        var (client, _, key, bytes) = await ImageEntryAsync();
        var etag = (await client.GetAsync(Serve(key))).Headers.ETag!;
        await app.Services.GetRequiredService<IBlobStore>().DeleteAsync(key, CancellationToken.None);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Serve(key)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var conditional = new HttpRequestMessage(HttpMethod.Get, Serve(key));
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        var since = new HttpRequestMessage(HttpMethod.Get, Serve(key));
        since.Headers.IfModifiedSince = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(since)).StatusCode);

        // Only a body needs storage, and the bytes are gone.
        var details = await (await client.GetAsync(Serve(key))).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal("No image found.", details.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=100-", 100, -1)]
    [InlineData("bytes=-50", -50, 50)]
    [InlineData("bytes=10-999999", 10, -1)]
    public async Task Single_ranges_answer_206_with_content_range(string range, long from, long count)
    {
        var (client, _, key, bytes) = await ImageEntryAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, Serve(key));
        request.Headers.TryAddWithoutValidation("Range", range);
        var response = await client.SendAsync(request);

        var start = from < 0 ? bytes.Length + from : from;
        var length = count < 0 ? bytes.Length - start : count;
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {start}-{start + length - 1}/{bytes.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(bytes.AsSpan((int)start, (int)length).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unsatisfiable_range_is_416_and_if_range_falls_back_to_the_whole_image()
    {
        var (client, _, key, bytes) = await ImageEntryAsync();
        var outside = new HttpRequestMessage(HttpMethod.Get, Serve(key));
        outside.Headers.TryAddWithoutValidation("Range", $"bytes={bytes.Length}-");
        var response = await client.SendAsync(outside);
        await response.AssertEnvelopeAsync(HttpStatusCode.RequestedRangeNotSatisfiable);
        Assert.Equal($"bytes */{bytes.Length}", response.Content.Headers.ContentRange?.ToString());

        var stale = new HttpRequestMessage(HttpMethod.Get, Serve(key));
        stale.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        stale.Headers.TryAddWithoutValidation("If-Range", "\"some-other-version\"");
        var full = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(bytes.Length, (await full.Content.ReadAsByteArrayAsync()).Length);

        var etag = full.Headers.ETag!.Tag;
        var current = new HttpRequestMessage(HttpMethod.Get, Serve(key));
        current.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        current.Headers.TryAddWithoutValidation("If-Range", etag);
        Assert.Equal(HttpStatusCode.PartialContent, (await client.SendAsync(current)).StatusCode);
    }

    [Fact]
    public async Task Revoked_or_invalid_images_are_403_with_no_store_and_come_back_when_unrevoked()
    {
        var (client, id, key, _) = await ImageEntryAsync();
        await client.PatchOpsAsync(id, Op("revokeAsset"));
        var revoked = await client.GetAsync(Serve(key));
        var details = await revoked.AssertEnvelopeAsync(HttpStatusCode.Forbidden);
        Assert.Equal("The requested image is revoked or marked as invalid", details.GetProperty("message").GetString());
        Assert.True(revoked.Headers.CacheControl?.NoStore);

        await client.PatchOpsAsync(id, Op("unrevokeAsset"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Serve(key))).StatusCode);

        await client.PatchOpsAsync(id, SetMetadata("invalid", true));
        await (await client.GetAsync(Serve(key))).AssertEnvelopeAsync(HttpStatusCode.Forbidden);

        var (_, _, expiredKey, _) = await ImageEntryAsync(new JsonObject { ["title"] = "t", ["validity"] = new JsonObject { ["to"] = "2020-01-01T00:00:00Z" } });
        await (await client.GetAsync(Serve(expiredKey))).AssertEnvelopeAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Archived_images_are_still_served()
    {
        var (client, id, key, _) = await ImageEntryAsync();
        await client.PatchOpsAsync(id, Op("archive"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Serve(key))).StatusCode);
    }

    [Fact]
    public async Task Translation_and_replaced_keys_are_served_too()
    {
        var (client, id, oldKey, oldBytes) = await ImageEntryAsync();
        var french = await client.UploadImageAsync(800, 600);
        var replacement = await client.UploadImageAsync(1000, 800);
        await client.PatchOpsAsync(id, Op("replaceAsset", ("value", replacement)));
        var translated = await client.ImportImageAsync(extra: new JsonObject
        {
            ["translations"] = new JsonArray(new JsonObject { ["locale"] = "fr", ["asset"] = french }),
        });

        Assert.Equal(oldBytes, await (await client.GetAsync(Serve(oldKey))).Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Serve(replacement["key"]!.GetValue<string>()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Serve(french["key"]!.GetValue<string>()))).StatusCode);
        Assert.NotEmpty(translated);
    }

    [Theory]
    [InlineData("2026/01/01/nothing-here.jpg")]
    [InlineData("../../etc/passwd")]
    [InlineData("a%5Cb.jpg")]
    [InlineData("%2e%2e/%2e%2e/etc/passwd")]
    public async Task Unknown_or_hostile_keys_are_404_no_image_found(string key)
    {
        var client = await app.ClientAsync(Scopes.Read);
        var details = await (await client.GetAsync(Serve(key))).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.True(details.TryGetProperty("message", out var message) ? message.GetString() == "No image found." : details.TryGetProperty("url", out _));
    }

    [Fact]
    public async Task Files_and_videos_are_not_served_as_images()
    {
        var client = await app.ReaderWriterAsync();
        var pdf = await client.UploadAsync(SampleFiles.Pdf(), "report.pdf");
        var video = await client.UploadAsync(SampleFiles.Mp4(640, 360, 2), "clip.mp4");
        await client.ImportAsync([
            new JsonObject { ["mediaType"] = "file", ["asset"] = pdf, ["metadata"] = new JsonObject { ["title"] = "Report" } },
            new JsonObject { ["mediaType"] = "video", ["asset"] = video, ["metadata"] = new JsonObject { ["title"] = "Clip" } },
        ]);

        await (await client.GetAsync(Serve(pdf["key"]!.GetValue<string>()))).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync(Serve(video["key"]!.GetValue<string>()))).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Svg_gets_a_sandboxing_content_security_policy()
    {
        var client = await app.ReaderWriterAsync();
        var svg = await client.UploadAsync(SampleFiles.Svg(300, 150), "logo.svg");
        await client.ImportAsync([new JsonObject { ["mediaType"] = "image", ["asset"] = svg, ["metadata"] = new JsonObject { ["title"] = "Logo" } }]);

        var response = await client.GetAsync(Serve(svg["key"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Serving_needs_the_read_scope()
    {
        var (_, _, key, _) = await ImageEntryAsync();
        await (await app.CreateClient().GetAsync(Serve(key))).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
        await (await (await app.ClientAsync(Scopes.Write)).GetAsync(Serve(key))).AssertEnvelopeAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Keys_lists_every_key_from_2026_03_and_is_404_before()
    {
        var (client, id, key, _) = await ImageEntryAsync();
        var replacement = await client.UploadImageAsync(10, 10);
        await client.PatchOpsAsync(id, Op("replaceAsset", ("value", replacement)));

        var keys = (await (await client.GetAsync($"/api/2026-03/mediaLibrary/{id}/keys")).JsonAsync()).GetProperty("results");
        Assert.Equal(new[] { key, replacement["key"]!.GetValue<string>() }.Order(), keys.EnumerateArray().Select(k => k.GetString()).Order());
        await (await client.GetAsync($"/api/2026-01/mediaLibrary/{id}/keys")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/api/2026-03/mediaLibrary/unknown-id/keys")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Import_trusts_storage_not_the_client_about_type_and_size()
    {
        var client = await app.ReaderWriterAsync();
        var pdf = await client.UploadAsync(SampleFiles.Pdf(), "report.pdf");
        pdf["mimeType"] = "image/jpeg";
        pdf["width"] = 10;
        pdf["height"] = 10;
        var rejected = (await client.ImportAsync([new JsonObject { ["mediaType"] = "image", ["asset"] = pdf, ["metadata"] = new JsonObject { ["title"] = "x" } }])).GetProperty("results")[0];
        Assert.Equal(400, rejected.GetProperty("status").GetInt32());
        Assert.Contains("application/pdf", rejected.GetRawText(), StringComparison.Ordinal);

        var image = await client.UploadImageAsync();
        var realSize = image["size"]!.GetValue<long>();
        image["size"] = 1;
        image["mimeType"] = "image/png";
        var id = (await client.ImportAsync([new JsonObject { ["mediaType"] = "image", ["asset"] = image, ["metadata"] = new JsonObject { ["title"] = "x" } }]))
            .GetProperty("results")[0].GetProperty("id").GetString()!;
        var stored = (await client.GetEntryAsync(id)).GetProperty("asset");
        Assert.Equal(realSize, stored.GetProperty("size").GetInt64());
        Assert.Equal("image/jpeg", stored.GetProperty("mimeType").GetString());
    }
}
