using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Delivery;

/// Signing keys `k2` (signs) and `k1` (still verifies): the state in the middle of a rotation.
public sealed class SigningApp : TestApp
{
    public const string NewSecret = "new-secret-0123456789";
    public const string OldSecret = "old-secret-0123456789";

    public override Task InitializeAsync()
    {
        Overrides["MediaLibrary:Delivery:SigningKeys:0:Id"] = "k2";
        Overrides["MediaLibrary:Delivery:SigningKeys:0:Secret"] = NewSecret;
        Overrides["MediaLibrary:Delivery:SigningKeys:1:Id"] = "k1";
        Overrides["MediaLibrary:Delivery:SigningKeys:1:Secret"] = OldSecret;
        return base.InitializeAsync();
    }
}

public sealed class SignedUrlTests(SigningApp app) : IClassFixture<SigningApp>
{
    /// SPEC §11's algorithm, written out here independently of the server's.
    private static string Sign(string secret, string path, params string[] parameters)
    {
        var canonical = parameters.Length == 0 ? path : path + "?" + string.Join("&", parameters.OrderBy(p => p.Split('=')[0], StringComparer.Ordinal));
        var s = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(canonical)));
        return $"{path}?{string.Join("&", parameters.Append($"s={s}"))}";
    }

    private async Task<(string EntryId, string Path)> ImportAsync()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadAsync(SampleFiles.DecodableJpeg(300, 200));
        var entry = new JsonObject { ["mediaType"] = "image", ["asset"] = asset, ["metadata"] = new JsonObject { ["title"] = "Signed" } };
        var id = (await client.ImportAsync([entry])).GetProperty("results")[0].GetProperty("id").GetString()!;
        return (id, $"/api/2026-05/mediaLibrary/serve-image/{asset["key"]!.GetValue<string>()}");
    }

    [Fact]
    public async Task Entry_answers_carry_signed_urls_that_need_no_token()
    {
        var client = await app.ReaderWriterAsync();
        var (id, path) = await ImportAsync();

        var url = (await client.GetEntryAsync(id, "2026-05")).GetProperty("asset").GetProperty("url").GetString()!;

        Assert.Matches("^http://localhost/api/2026-05/mediaLibrary/serve-image/.+\\?s=[0-9a-f]{64}$", url);
        var anonymous = app.CreateClient();
        var response = await anonymous.GetAsync(new Uri(url).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri(url).PathAndQuery, Sign(SigningApp.NewSecret, path));
    }

    [Fact]
    public async Task Tampered_expired_unsigned_and_unknown_key_urls_are_403()
    {
        var (_, path) = await ImportAsync();
        var anonymous = app.CreateClient();
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();

        var good = Sign(SigningApp.NewSecret, path, "w=100", $"expires={future}");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(good)).StatusCode);
        // The old key still verifies during a rotation.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(Sign(SigningApp.OldSecret, path, "fm=webp"))).StatusCode);

        var cases = new Dictionary<string, (string Url, string Message)>
        {
            ["tampered query"] = (good.Replace("w=100", "w=200", StringComparison.Ordinal), "The URL's signature is not valid."),
            ["tampered path"] = (good.Replace(path, path + "x", StringComparison.Ordinal), "The URL's signature is not valid."),
            ["added parameter"] = (good + "&fm=png", "The URL's signature is not valid."),
            ["expired"] = (Sign(SigningApp.NewSecret, path, "w=100", $"expires={past}"), "The signed URL has expired."),
            ["removed key"] = (Sign("a-key-nobody-configured", path, "w=100"), "The URL's signature is not valid."),
            ["unsigned"] = (path + "?w=100", "The URL is not signed: send a bearer token or use a signed URL."),
        };
        foreach (var (name, (url, message)) in cases)
        {
            var details = await (await anonymous.GetAsync(url)).AssertEnvelopeAsync(HttpStatusCode.Forbidden);
            Assert.True(message == details.GetProperty("s").GetString(), $"{name}: {details}");
        }

        // A bearer token still works without a signature; a bad one is 401 as before.
        var reader = await app.ClientAsync("public-api:read");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path + "?w=100")).StatusCode);
        var badToken = app.CreateClient();
        badToken.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "nope");
        await (await badToken.GetAsync(good)).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_signed_url_endpoint_signs_parameters_and_expiry()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await ImportAsync();

        var answer = await (await client.GetAsync($"/api/2026-05/mediaLibrary/{id}/signedUrl?w=120&fm=webp&expiresIn=600")).JsonAsync();

        var url = new Uri(answer.GetProperty("url").GetString()!);
        Assert.Contains("w=120", url.Query, StringComparison.Ordinal);
        Assert.Contains("expires=", url.Query, StringComparison.Ordinal);
        var response = await app.CreateClient().GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(120, SampleFiles.Decode(await response.Content.ReadAsByteArrayAsync()).Width);

        await (await client.GetAsync($"/api/2026-05/mediaLibrary/{id}/signedUrl?expiresIn=0")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync($"/api/2026-05/mediaLibrary/{id}/signedUrl?w=0")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/2026-05/mediaLibrary/nope/signedUrl")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }
}
