using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Api;

public sealed class TightLimitsApp : TestApp
{
    public TightLimitsApp()
    {
        Overrides["MediaLibrary:Limits:MaxJsonDepth"] = "8";
        Overrides["MediaLibrary:Limits:MaxHeaderBytes"] = "4096";
        Overrides["MediaLibrary:Limits:MaxPatches"] = "2";
        Overrides["MediaLibrary:Limits:MaxListIds"] = "3";
        Overrides["MediaLibrary:Limits:MaxImportItems"] = "2";
        Overrides["MediaLibrary:RateLimit:Enabled"] = "true";
        Overrides["MediaLibrary:RateLimit:TokensPerSecond"] = "1";
        Overrides["MediaLibrary:RateLimit:Burst"] = "50";
    }
}

public sealed class LimitsTests(TightLimitsApp app) : IClassFixture<TightLimitsApp>
{
    [Fact]
    public async Task Configured_limits_are_answered_with_a_4xx_envelope()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();

        var deep = "{\"patches\": [{\"operation\": \"setMetadataProperty\", \"propertyName\": \"tags\", \"value\": [[[[[[[[[\"x\"]]]]]]]]]}]}";
        await (await client.PatchAsync($"/api/2026-03/mediaLibrary/{id}", Json(deep))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);

        var patches = await (await client.PatchOpsAsync(id, Op("archive"), Op("archive"), Op("archive"))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1 to 2", patches.GetProperty("patches").GetString(), StringComparison.Ordinal);

        var ids = await (await client.GetAsync("/api/2026-03/mediaLibrary?ids=a,b,c,d")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 3", ids.GetProperty("ids").GetString(), StringComparison.Ordinal);

        var entries = new JsonArray([.. Enumerable.Range(0, 3).Select(_ => (JsonNode)new JsonObject())]);
        await (await client.PostAsync("/api/2026-03/import/mediaLibrary", Json(new JsonObject { ["mediaLibraryEntries"] = entries }))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        var documents = new JsonArray([.. Enumerable.Range(0, 3).Select(i => (JsonNode)DocumentCalls.Document($"limit-{i}", false))]);
        await (await client.PostAsync("/api/2026-03/import/documents", Json(new JsonObject { ["systemName"] = "s", ["documents"] = documents }))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Oversized_headers_and_urls_get_an_envelope()
    {
        var client = await app.ClientAsync(Scopes.Read);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/2026-03/mediaLibrary/x");
        request.Headers.Add("X-Padding", new string('p', 5000));
        await (await client.SendAsync(request)).AssertEnvelopeAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);

        await (await client.GetAsync("/api/2026-03/mediaLibrary?ids=" + new string('a', 9000))).AssertEnvelopeAsync(HttpStatusCode.RequestUriTooLong);
    }

    [Fact]
    public async Task Rate_limit_per_client_answers_429_with_retry_after_and_spares_other_clients()
    {
        var busy = await app.ClientAsync(Scopes.Read);
        // Burst 50, one token a second: of 120 requests about 70 are refused, fewer only if the run takes many seconds.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ => busy.GetAsync("/api/2026-03/mediaLibrary/x")));
        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(limited.Count, 40, 70);
        Assert.All(statuses.Except(limited), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        var details = await limited[0].AssertEnvelopeAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("TooManyRequests", details.GetProperty("name").GetString());
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));

        var other = await app.ClientAsync(Scopes.Read);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/2026-03/mediaLibrary/x")).StatusCode);
    }
}
