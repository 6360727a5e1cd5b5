using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using MediaLibrary.Delivery;
using MediaLibrary.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Delivery;

public sealed class TransformTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<(HttpClient Client, string EntryId, string Path)> ImportAsync(byte[] bytes, string filename = "picture.jpg")
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadAsync(bytes, filename);
        var entry = new JsonObject { ["mediaType"] = "image", ["asset"] = asset, ["metadata"] = new JsonObject { ["title"] = "Transformed" } };
        var id = (await client.ImportAsync([entry])).GetProperty("results")[0].GetProperty("id").GetString()!;
        return (client, id, $"/api/2026-05/mediaLibrary/serve-image/{asset["key"]!.GetValue<string>()}");
    }

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(HttpClient client, string url, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("w=400", 400, 300)]
    [InlineData("h=150", 200, 150)]
    [InlineData("w=100&h=100&fit=crop", 100, 100)]
    [InlineData("w=4000&fit=max", 800, 600)]
    [InlineData("w=1600", 1600, 1200)]
    [InlineData("w=100&dpr=2", 200, 150)]
    [InlineData("rect=100,50,300,200", 300, 200)]
    [InlineData("rect=100,50,300,200&w=150", 150, 100)]
    public async Task Sizes_follow_the_imgix_parameters(string query, int width, int height)
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(800, 600));

        var (response, body) = await GetAsync(client, $"{path}?{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        var (w, h, _) = SampleFiles.Decode(body);
        Assert.Equal((width, height), (w, h));
    }

    [Theory]
    [InlineData("fm=webp", null, "image/webp")]
    [InlineData("fm=png", null, "image/png")]
    [InlineData("fm=avif", null, "image/avif")]
    [InlineData("w=50&auto=format", "image/avif,image/webp,*/*", "image/avif")]
    [InlineData("w=50&auto=format", "image/webp,*/*", "image/webp")]
    [InlineData("w=50&auto=format", "*/*", "image/jpeg")]
    public async Task Formats_follow_fm_and_auto_format(string query, string? accept, string mimeType)
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(120, 90));

        var (response, body) = await GetAsync(client, $"{path}?{query}", accept);

        Assert.Equal(mimeType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(SampleFiles.Decode(body).Width > 0);
        Assert.Equal(query.Contains("auto=format", StringComparison.Ordinal), response.Headers.Vary.Contains("Accept"));
    }

    [Fact]
    public async Task Orientation_is_applied_and_metadata_with_gps_is_stripped()
    {
        var source = SampleFiles.DecodableJpeg(200, 100, orientation: 6, withGps: true);
        Assert.Contains(SampleFiles.Decode(source).Fields, f => f.StartsWith("exif-ifd3-GPS", StringComparison.Ordinal));
        var (client, _, path) = await ImportAsync(source);

        var (_, body) = await GetAsync(client, $"{path}?w=50");

        var (w, h, fields) = SampleFiles.Decode(body);
        Assert.Equal((50, 100), (w, h));
        Assert.DoesNotContain(fields, f => f.Contains("GPS", StringComparison.OrdinalIgnoreCase) || f.StartsWith("exif", StringComparison.Ordinal) || f == "orientation");
    }

    [Fact]
    public async Task A_decompression_bomb_is_refused_with_422_before_decoding()
    {
        var (client, _, path) = await ImportAsync(SampleFiles.Png(50_000, 50_000), "bomb.png");

        var (response, body) = await GetAsync(client, $"{path}?w=100");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("50000 × 50000 pixels", JsonDocument.Parse(body).RootElement.GetProperty("error_details").GetProperty("message").GetString(), StringComparison.Ordinal);
        // The original is still served as it is.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        // The source spooled for libvips is gone with the refused render.
        Assert.Empty(SpooledSources());
    }

    private string[] SpooledSources()
    {
        var spool = app.Services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value.SpoolDirectory;
        return Directory.Exists(spool) ? Directory.GetFiles(spool, "*.source") : [];
    }

    [Theory]
    [InlineData("w=0", "w")]
    [InlineData("w=9000", "w")]
    [InlineData("h=abc", "h")]
    [InlineData("fit=fill", "fit")]
    [InlineData("fm=gif", "fm")]
    [InlineData("q=101", "q")]
    [InlineData("dpr=5", "dpr")]
    [InlineData("dpr=NaN", "dpr")]
    [InlineData("dpr=Infinity", "dpr")]
    [InlineData("q=1e2", "q")]
    [InlineData("rect=1,2,3", "rect")]
    [InlineData("auto=compress", "auto")]
    [InlineData("w=10&w=20", "w")]
    [InlineData("rect=700,500,200,200", "rect")]
    public async Task Bad_parameters_are_400_naming_them(string query, string name)
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(800, 600));

        var details = await (await client.GetAsync($"{path}?{query}")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);

        Assert.True(details.TryGetProperty(name, out _), details.GetRawText());
    }

    [Fact]
    public async Task Thirty_two_concurrent_requests_for_a_new_variant_render_it_once()
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(1600, 1200));
        var cache = app.Services.GetRequiredService<VariantCache>();
        var before = cache.RenderCount;

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => GetAsync(client, $"{path}?w=321&fm=webp")));

        Assert.All(answers, a => Assert.True(a.Response.StatusCode == HttpStatusCode.OK,
            $"{a.Response.StatusCode}: {System.Text.Encoding.UTF8.GetString(a.Body)} {string.Join("\n", app.Logs.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal)).TakeLast(5))}"));
        Assert.Single(answers.Select(a => Convert.ToBase64String(a.Body)).Distinct());
        Assert.Equal(1, cache.RenderCount - before);
        Assert.Empty(SpooledSources());
    }

    [Fact]
    public async Task Each_variant_has_its_own_strong_etag_with_304_head_and_range()
    {
        var (client, entryId, path) = await ImportAsync(SampleFiles.DecodableJpeg(400, 300));
        var (small, smallBody) = await GetAsync(client, $"{path}?w=100");
        var (large, _) = await GetAsync(client, $"{path}?h=200&w=300");
        var (original, _) = await GetAsync(client, path);

        var etag = small.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.NotEqual(etag, large.Headers.ETag);
        Assert.NotEqual(etag, original.Headers.ETag);
        Assert.Equal(etag, (await GetAsync(client, $"{path}?fit=clip&w=100&q=75")).Response.Headers.ETag);
        Assert.Equal(entryId, small.Headers.GetValues("Surrogate-Key").Single());
        Assert.Equal(entryId, small.Headers.GetValues("Cache-Tag").Single());
        Assert.Equal(entryId, original.Headers.GetValues("Surrogate-Key").Single());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"{path}?w=100");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);

        using var head = new HttpRequestMessage(HttpMethod.Head, $"{path}?w=100");
        var headAnswer = await client.SendAsync(head);
        Assert.Equal(smallBody.Length, headAnswer.Content.Headers.ContentLength);

        using var range = new HttpRequestMessage(HttpMethod.Get, $"{path}?w=100");
        range.Headers.Range = new RangeHeaderValue(0, 9);
        var partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(smallBody[..10], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_revoked_entry_stops_every_variant_at_once()
    {
        var (client, entryId, path) = await ImportAsync(SampleFiles.DecodableJpeg(300, 200));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, $"{path}?w=60")).Response.StatusCode);

        await client.PatchOpsAsync(entryId, Op("revokeAsset"));

        foreach (var query in new[] { "w=60", "w=61", "fm=png" })
        {
            var (response, _) = await GetAsync(client, $"{path}?{query}");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [Fact]
    public async Task The_cache_evicts_the_least_recently_used_variants_over_its_cap()
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(400, 300));
        var cache = app.Services.GetRequiredService<VariantCache>();
        foreach (var width in new[] { 101, 102, 103 })
        {
            await GetAsync(client, $"{path}?w={width}");
        }

        await cache.FlushUseAsync(CancellationToken.None);
        var evicted = await cache.EvictAsync(CancellationToken.None, capBytes: 1);
        Assert.True(evicted >= 3, $"evicted {evicted}");

        var before = cache.RenderCount;
        var (again, body) = await GetAsync(client, $"{path}?w=101");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(101, SampleFiles.Decode(body).Width);
        Assert.Equal(1, cache.RenderCount - before);
    }

    [Fact]
    public async Task Eviction_keeps_the_most_recently_used_variant()
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(400, 300));
        var cache = app.Services.GetRequiredService<VariantCache>();
        foreach (var width in new[] { 111, 112, 113 })
        {
            await GetAsync(client, $"{path}?w={width}");
            await Task.Delay(20);
        }

        await GetAsync(client, $"{path}?w=111");
        await cache.FlushUseAsync(CancellationToken.None);
        var database = app.Services.GetRequiredService<MediaLibrary.Storage.Database>();
        long newest;
        await using (var session = await database.OpenSessionAsync())
        {
            newest = (await session.QueryAsync<long>("SELECT size FROM image_variants ORDER BY last_used_at DESC, key LIMIT 1", CancellationToken.None))[0];
        }

        // A cap whose 90 % holds just the newest: everything older goes.
        await cache.EvictAsync(CancellationToken.None, capBytes: (newest * 10 / 9) + 2);

        var before = cache.RenderCount;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, $"{path}?w=111")).Response.StatusCode);
        Assert.Equal(0, cache.RenderCount - before);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, $"{path}?w=112")).Response.StatusCode);
        Assert.Equal(1, cache.RenderCount - before);
    }

    [Fact]
    public async Task Without_signing_keys_a_token_is_still_needed()
    {
        var (client, _, path) = await ImportAsync(SampleFiles.DecodableJpeg(100, 80));
        var anonymous = app.CreateClient();

        await (await anonymous.GetAsync($"{path}?w=20")).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync($"{path}?w=20&s={new string('a', 64)}")).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
        var signedUrl = await (await client.GetAsync($"/api/2026-05/mediaLibrary/{Guid.NewGuid():N}/signedUrl")).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Contains("SigningKeys", signedUrl.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
