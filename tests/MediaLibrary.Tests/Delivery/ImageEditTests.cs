using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Delivery;

/// Decoded pixels of an answer: width, height and RGB bytes.
public sealed record Pixels(int Width, int Height, byte[] Rgb)
{
    public static Pixels Of(byte[] encoded)
    {
        using var image = NetVips.Image.NewFromBuffer(encoded);
        using var rgb = image.Bands >= 3 ? image.ExtractBand(0, n: 3) : image.Bandjoin(image, image);
        using var uchar = rgb.Cast(NetVips.Enums.BandFormat.Uchar);
        return new Pixels(uchar.Width, uchar.Height, uchar.WriteToMemory<byte>());
    }

    public (byte R, byte G, byte B) At(int x, int y)
    {
        var i = ((y * Width) + x) * 3;
        return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
    }

    /// Whether the area [x0, x1) × [y0, y1) is made of `block`-sized squares of one colour each
    /// (starting at x0, y0), with more than one colour among them.
    public bool IsBlocky(int x0, int y0, int x1, int y1, int block)
    {
        var colours = new HashSet<(byte, byte, byte)>();
        for (var by = y0; by < y1; by += block)
        {
            for (var bx = x0; bx < x1; bx += block)
            {
                var colour = At(bx, by);
                colours.Add(colour);
                for (var y = by; y < Math.Min(by + block, y1); y++)
                {
                    for (var x = bx; x < Math.Min(bx + block, x1); x++)
                    {
                        if (At(x, y) != colour)
                        {
                            return false;
                        }
                    }
                }
            }
        }

        return colours.Count > 1;
    }

    /// The mean absolute difference from `other` inside [x0, x1) × [y0, y1), or outside it (`inside: false`).
    public double MeanDifference(Pixels other, int x0, int y0, int x1, int y1, bool inside = true)
    {
        var (sum, count) = (0L, 0L);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if ((x >= x0 && x < x1 && y >= y0 && y < y1) != inside)
                {
                    continue;
                }

                var (a, b) = (At(x, y), other.At(x, y));
                sum += Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);
                count += 3;
            }
        }

        return (double)sum / Math.Max(1, count);
    }

    /// Pixels outside [x0, x1) × [y0, y1) equal `other`'s.
    public bool SameOutside(Pixels other, int x0, int y0, int x1, int y1)
    {
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if ((x < x0 || x >= x1 || y < y0 || y >= y1) && At(x, y) != other.At(x, y))
                {
                    return false;
                }
            }
        }

        return true;
    }
}

public static class EditCalls
{
    public const string V = "2026-07";

    /// A 400 × 300 PNG of noise: every pixel its own, so pixelation shows.
    public static byte[] NoisePng(int width = 400, int height = 300)
    {
        using var red = NetVips.Image.Gaussnoise(width, height, sigma: 60, mean: 128, seed: 1);
        using var green = NetVips.Image.Gaussnoise(width, height, sigma: 60, mean: 128, seed: 2);
        using var blue = NetVips.Image.Gaussnoise(width, height, sigma: 60, mean: 128, seed: 3);
        using var rgb = red.Bandjoin(green, blue);
        using var uchar = rgb.Cast(NetVips.Enums.BandFormat.Uchar);
        return uchar.PngsaveBuffer();
    }

    public static Task<HttpResponseMessage> EditAsync(this HttpClient client, string id, JsonNode? value) =>
        client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("setImageEdits", ("value", value))) }, V);

    public static async Task<(string Id, string Key)> ImportNoiseAsync(this HttpClient client, int width = 400, int height = 300)
    {
        var asset = await client.UploadAsync(NoisePng(width, height), "crowd.png");
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "Crowd" }, new JsonObject { ["asset"] = asset });
        return (id, asset["key"]!.GetValue<string>());
    }

    public static async Task<HttpResponseMessage> ServeAsync(this HttpClient client, string key, string query = "", Action<HttpRequestMessage>? headers = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, $"/api/{V}/mediaLibrary/serve-image/{key}{(query.Length > 0 ? "?" + query : "")}");
        headers?.Invoke(request);
        return await client.SendAsync(request);
    }
}

public sealed class ImageEditTests(TestApp app) : IClassFixture<TestApp>
{
    private static readonly JsonObject Middle = new() { ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0.25, ["y"] = 0.25, ["w"] = 0.5, ["h"] = 0.5 }) };

    [Fact]
    public async Task While_a_region_is_pixelated_no_path_returns_the_unedited_pixels()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportNoiseAsync();
        var before = await client.ServeAsync(key);
        var originalBytes = await before.Content.ReadAsByteArrayAsync();
        var original = Pixels.Of(originalBytes);
        var oldTag = before.Headers.ETag!;
        var oldDate = before.Content.Headers.LastModified!.Value;
        var oldVariant = await client.ServeAsync(key, "w=200&fm=png");
        var oldVariantTag = oldVariant.Headers.ETag!;
        Assert.Equal(HttpStatusCode.OK, oldVariant.StatusCode);

        var patched = await (await client.EditAsync(id, Middle.DeepClone())).JsonAsync();
        Assert.Equal(2, patched.GetProperty("version").GetInt32());
        var entry = await client.GetEntryAsync(id, EditCalls.V);
        Assert.Equal(0.25, entry.GetProperty("imageEdits").GetProperty("pixelate")[0].GetProperty("x").GetDouble());
        Assert.False((await client.GetEntryAsync(id, "2026-05")).TryGetProperty("imageEdits", out _));
        Assert.Equal("mediaLibraryEntry.update", (await Events.EventFeed.EventsOfAsync(client, id, 2))[^1].GetProperty("event").GetString());

        // The original URL: the region is blocks (block = max(8, 2 % of 300) = 8), the rest untouched (PNG is lossless).
        var edited = await client.ServeAsync(key);
        var editedBytes = await edited.Content.ReadAsByteArrayAsync();
        var pixels = Pixels.Of(editedBytes);
        Assert.Equal((400, 300), (pixels.Width, pixels.Height));
        Assert.True(pixels.IsBlocky(100, 75, 300, 225, 8));
        Assert.False(original.IsBlocky(100, 75, 300, 225, 8));
        Assert.True(pixels.SameOutside(original, 100, 75, 300, 225));
        Assert.NotEqual(oldTag, edited.Headers.ETag);
        Assert.Equal("image/png", edited.Content.Headers.ContentType!.MediaType);

        // The old ETag, an old date, HEAD and a range: all of the edited bytes.
        var conditional = await client.ServeAsync(key, headers: r => r.Headers.IfNoneMatch.Add(oldTag));
        Assert.Equal(HttpStatusCode.OK, conditional.StatusCode);
        Assert.Equal(editedBytes, await conditional.Content.ReadAsByteArrayAsync());
        var byDate = await client.ServeAsync(key, headers: r => r.Headers.IfModifiedSince = oldDate.AddDays(1));
        Assert.Equal(HttpStatusCode.OK, byDate.StatusCode);
        Assert.Equal(editedBytes, await byDate.Content.ReadAsByteArrayAsync());
        var head = await client.ServeAsync(key, method: HttpMethod.Head);
        Assert.Equal(editedBytes.LongLength, head.Content.Headers.ContentLength);
        Assert.Equal(edited.Headers.ETag, head.Headers.ETag);
        var range = await client.ServeAsync(key, headers: r => r.Headers.Range = new RangeHeaderValue(0, 99));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(editedBytes[..100], await range.Content.ReadAsByteArrayAsync());
        var oldRange = await client.ServeAsync(key, headers: r =>
        {
            r.Headers.Range = new RangeHeaderValue(100, 199);
            r.Headers.IfRange = new RangeConditionHeaderValue(oldDate);
        });
        Assert.Equal(HttpStatusCode.OK, oldRange.StatusCode);
        Assert.Equal(editedBytes, await oldRange.Content.ReadAsByteArrayAsync());

        // The variant cached before the edit is not served: a new one, from the edited image.
        var variant = await client.ServeAsync(key, "w=200&fm=png");
        Assert.NotEqual(oldVariantTag, variant.Headers.ETag);
        var small = Pixels.Of(await variant.Content.ReadAsByteArrayAsync());
        var unedited = Pixels.Of(await oldVariant.Content.ReadAsByteArrayAsync());
        Assert.Equal((200, 150), (small.Width, small.Height));
        Assert.True(small.MeanDifference(unedited, 52, 40, 148, 110) > 10, "the region is not pixelated in the variant");
        Assert.True(small.MeanDifference(unedited, 46, 34, 154, 116, inside: false) < 2, "the variant changed outside the region");
        var full = Pixels.Of(await (await client.ServeAsync(key, "w=400&fm=png")).Content.ReadAsByteArrayAsync());
        Assert.True(full.IsBlocky(100, 75, 300, 225, 8));
        var stale = await client.ServeAsync(key, "w=200&fm=png", r => r.Headers.IfNoneMatch.Add(oldVariantTag));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);

        // Clearing the edits serves the original bytes again, with their old ETag.
        (await client.EditAsync(id, null)).EnsureSuccessStatusCode();
        var restored = await client.ServeAsync(key);
        Assert.Equal(originalBytes, await restored.Content.ReadAsByteArrayAsync());
        Assert.Equal(oldTag, restored.Headers.ETag);
        Assert.False((await client.GetEntryAsync(id, EditCalls.V)).TryGetProperty("imageEdits", out _));
    }

    [Fact]
    public async Task Entries_sharing_bytes_each_keep_their_regions_hidden()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var asset = await client.UploadAsync(EditCalls.NoisePng(), "shared.png");
        var key = asset["key"]!.GetValue<string>();
        var first = await client.ImportImageAsync(new JsonObject { ["title"] = "A" }, new JsonObject { ["asset"] = asset.DeepClone(), ["id"] = $"shared-a-{tag}" });
        var second = await client.ImportImageAsync(new JsonObject { ["title"] = "B" }, new JsonObject { ["asset"] = asset.DeepClone(), ["id"] = $"shared-b-{tag}" });
        var original = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());

        // A hides its left quarter; B, turned upside down, hides what is its own left quarter: the
        // original's right quarter. A comes first: the bytes are served unturned, both quarters hidden.
        (await client.EditAsync(first, new JsonObject { ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0, ["y"] = 0, ["w"] = 0.25, ["h"] = 1 }) })).EnsureSuccessStatusCode();
        (await client.EditAsync(second, new JsonObject
        {
            ["rotate"] = 180, ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0, ["y"] = 0, ["w"] = 0.25, ["h"] = 1 }),
        })).EnsureSuccessStatusCode();

        var served = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());
        Assert.Equal((400, 300), (served.Width, served.Height));
        Assert.True(served.IsBlocky(0, 0, 100, 300, 8));
        Assert.True(served.IsBlocky(300, 0, 400, 300, 8));
        Assert.Equal(0, served.MeanDifference(original, 100, 0, 300, 300));
    }

    [Fact]
    public async Task Rotation_turns_the_dimensions_and_comes_before_pixelation()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportNoiseAsync();
        var original = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());

        (await client.EditAsync(id, new JsonObject { ["rotate"] = 90 })).EnsureSuccessStatusCode();
        var turned = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());
        Assert.Equal((300, 400), (turned.Width, turned.Height));
        // Clockwise: the original's bottom-left corner is the top-left one now.
        Assert.Equal(original.At(0, 299), turned.At(0, 0));
        Assert.Equal(original.At(0, 0), turned.At(299, 0));
        var variant = Pixels.Of(await (await client.ServeAsync(key, "w=150&fm=png")).Content.ReadAsByteArrayAsync());
        Assert.Equal((150, 200), (variant.Width, variant.Height));

        // Regions are fractions of the rotated image: the top half of the turned picture.
        (await client.EditAsync(id, new JsonObject
        {
            ["rotate"] = 90, ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0, ["y"] = 0, ["w"] = 1, ["h"] = 0.5 }),
        })).EnsureSuccessStatusCode();
        var both = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());
        Assert.True(both.IsBlocky(0, 0, 300, 200, 8));
        Assert.True(both.SameOutside(turned, 0, 0, 300, 200));
    }

    [Fact]
    public async Task The_focal_point_moves_the_crop_and_imgix_parameters_override_it()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportNoiseAsync();
        var original = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());

        (await client.EditAsync(id, new JsonObject { ["focalPoint"] = new JsonObject { ["x"] = 0.0, ["y"] = 0.5 } })).EnsureSuccessStatusCode();
        // A focal point alone leaves the original as it was.
        Assert.Equal(original.Rgb, Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync()).Rgb);

        // 100 × 300 out of 400 × 300: at full height, the cut is clamped to the left edge.
        var left = Pixels.Of(await (await client.ServeAsync(key, "w=100&h=300&fit=crop&fm=png")).Content.ReadAsByteArrayAsync());
        Assert.Equal((100, 300), (left.Width, left.Height));
        Assert.Equal(original.At(0, 150), left.At(0, 150));
        Assert.Equal(original.At(99, 10), left.At(99, 10));
        var right = Pixels.Of(await (await client.ServeAsync(key, "w=100&h=300&fit=crop&fm=png&crop=focalpoint&fp-x=1&fp-y=0.5")).Content.ReadAsByteArrayAsync());
        Assert.Equal(original.At(399, 150), right.At(99, 150));
        var middle = Pixels.Of(await (await client.ServeAsync(key, "w=100&h=300&fit=crop&fm=png&crop=focalpoint&fp-x=0.5&fp-y=0.5")).Content.ReadAsByteArrayAsync());
        Assert.Equal(original.At(150, 20), middle.At(0, 20));
        await (await client.ServeAsync(key, "w=100&h=100&fit=crop&crop=faces")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        await (await client.ServeAsync(key, "w=100&h=100&fit=crop&crop=focalpoint&fp-x=2")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
    }

    public static TheoryData<string, string> BadEdits => new()
    {
        { """{"rotate": 45}""", "patches.0.value.rotate" },
        { """{"rotate": "90"}""", "patches.0.value.rotate" },
        { """{"pixelate": []}""", "patches.0.value.pixelate" },
        { """{"pixelate": [{"x": 0.8, "y": 0, "w": 0.5, "h": 0.5}]}""", "patches.0.value.pixelate.0" },
        { """{"pixelate": [{"x": 0, "y": 0, "w": 0, "h": 0.5}]}""", "patches.0.value.pixelate.0" },
        { """{"pixelate": [{"x": -0.1, "y": 0, "w": 0.5, "h": 0.5}]}""", "patches.0.value.pixelate.0" },
        { """{"focalPoint": {"x": 1.5, "y": 0.5}}""", "patches.0.value.focalPoint" },
        { """{"blur": 3}""", "patches.0.value.blur" },
        { """[1]""", "patches.0.value" },
        { """{"pixelate": [{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1},{"x":0,"y":0,"w":0.1,"h":0.1}]}""", "patches.0.value.pixelate" },
    };

    [Theory]
    [MemberData(nameof(BadEdits))]
    public async Task Bad_edits_are_400_naming_the_field_and_change_nothing(string value, string field)
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var details = await (await client.EditAsync(id, JsonNode.Parse(value))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(field, out _), details.GetRawText());
        Assert.Equal(1, (await client.GetEntryAsync(id, EditCalls.V)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Only_image_entries_take_edits_and_only_from_2026_07()
    {
        var client = await app.ReaderWriterAsync();
        var video = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "video", ["metadata"] = new JsonObject { ["title"] = "Clip" },
            ["asset"] = await client.UploadAsync(SampleFiles.Mp4(64, 48, 1), "clip.mp4"),
        }])).GetProperty("results")[0].GetProperty("id").GetString()!;
        var details = await (await client.EditAsync(video, new JsonObject { ["rotate"] = 90 })).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("image", details.GetProperty("patches.0.operation").GetString(), StringComparison.Ordinal);

        var image = await client.ImportImageAsync();
        var old = await (await client.PatchAsync(image, new JsonObject { ["patches"] = new JsonArray(Op("setImageEdits", ("value", new JsonObject { ["rotate"] = 90 }))) }, "2026-05"))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("No enum match", old.GetProperty("patches.0.operation").GetString(), StringComparison.Ordinal);
        var missing = await (await client.PatchAsync(image, JsonNode.Parse("""{"patches": [{"operation": "setImageEdits"}]}""")!, EditCalls.V)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(missing.TryGetProperty("patches.0.value", out _));
    }

    [Fact]
    public async Task A_revoked_edited_image_is_still_refused()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportNoiseAsync();
        (await client.EditAsync(id, Middle.DeepClone())).EnsureSuccessStatusCode();
        (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("revokeAsset")) }, EditCalls.V)).EnsureSuccessStatusCode();
        await (await client.ServeAsync(key)).AssertEnvelopeAsync(HttpStatusCode.Forbidden);
        await (await client.ServeAsync(key, "w=100")).AssertEnvelopeAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_variant_served_and_held_by_another_process_is_redacted_after_an_edit_through_this_one()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportNoiseAsync();
        await using var other = await ServiceProcess.StartAsync(app.Settings());
        using var otherClient = other.Client(await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Read]));
        // B renders the small variant and holds its bytes in memory; then the original's lookup too.
        var held = await (await otherClient.ServeAsync(key, "w=400&fm=png")).Content.ReadAsByteArrayAsync();
        Assert.Equal(held, await (await otherClient.ServeAsync(key, "w=400&fm=png")).Content.ReadAsByteArrayAsync());
        var plain = await (await otherClient.ServeAsync(key)).Content.ReadAsByteArrayAsync();

        (await client.EditAsync(id, new JsonObject { ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0, ["y"] = 0, ["w"] = 1, ["h"] = 1 }) })).EnsureSuccessStatusCode();

        var after = await (await otherClient.ServeAsync(key, "w=400&fm=png")).Content.ReadAsByteArrayAsync();
        Assert.True(Pixels.Of(after).IsBlocky(0, 0, 400, 300, 8));
        Assert.False(Pixels.Of(held).IsBlocky(0, 0, 400, 300, 8));
        var whole = await (await otherClient.ServeAsync(key)).Content.ReadAsByteArrayAsync();
        Assert.NotEqual(plain, whole);
        Assert.True(Pixels.Of(whole).IsBlocky(0, 0, 400, 300, 8));
    }
}

/// Signed URLs reach the edited image like tokens do.
public sealed class SignedImageEditTests(SigningApp app) : IClassFixture<SigningApp>
{
    [Fact]
    public async Task The_entry_s_signed_url_serves_the_pixelated_image()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await client.ImportNoiseAsync();
        (await client.EditAsync(id, new JsonObject { ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0, ["y"] = 0, ["w"] = 0.5, ["h"] = 1 }) })).EnsureSuccessStatusCode();

        var url = (await client.GetEntryAsync(id, EditCalls.V)).GetProperty("asset").GetProperty("url").GetString()!;
        var anonymous = app.CreateClient();
        var pixels = Pixels.Of(await (await anonymous.GetAsync(new Uri(url).PathAndQuery)).Content.ReadAsByteArrayAsync());
        Assert.True(pixels.IsBlocky(0, 0, 200, 300, 8));
        var signed = (await (await client.GetAsync($"/api/{EditCalls.V}/mediaLibrary/{id}/signedUrl?w=400&fm=png")).JsonAsync()).GetProperty("url").GetString()!;
        Assert.True(Pixels.Of(await (await anonymous.GetAsync(new Uri(signed).PathAndQuery)).Content.ReadAsByteArrayAsync()).IsBlocky(0, 0, 200, 300, 8));
    }
}

/// On the S3 store the edited image is rendered from the object and kept beside it; the object stays.
public sealed class S3ImageEditTests(S3TestApp app) : IClassFixture<S3TestApp>
{
    [Fact]
    public async Task The_edited_original_comes_from_the_bucket_and_the_original_object_stays()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportNoiseAsync();
        var originalBytes = await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync();
        (await client.EditAsync(id, new JsonObject { ["rotate"] = 180, ["pixelate"] = new JsonArray(new JsonObject { ["x"] = 0.5, ["y"] = 0.5, ["w"] = 0.5, ["h"] = 0.5 }) })).EnsureSuccessStatusCode();

        var edited = Pixels.Of(await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());
        var original = Pixels.Of(originalBytes);
        Assert.True(edited.IsBlocky(200, 150, 400, 300, 8));
        Assert.Equal(original.At(399, 299), edited.At(0, 0));
        Assert.Contains(key, await app.KeysAsync());
        Assert.Contains(await app.KeysAsync(), k => k.StartsWith("_variants/", StringComparison.Ordinal));

        (await client.EditAsync(id, null)).EnsureSuccessStatusCode();
        Assert.Equal(originalBytes, await (await client.ServeAsync(key)).Content.ReadAsByteArrayAsync());
    }
}
