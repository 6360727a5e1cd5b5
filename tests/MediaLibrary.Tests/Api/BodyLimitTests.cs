using System.Net;
using System.Net.Http.Headers;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Api;

public sealed class SmallBodyApp : TestApp
{
    public SmallBodyApp() => Overrides["MediaLibrary:MaxJsonBodyBytes"] = "2048";
}

public sealed class BodyLimitTests(SmallBodyApp app) : IClassFixture<SmallBodyApp>
{
    private static string BigImport =>
        "{\"mediaLibraryEntries\": [{\"mediaType\": \"image\", \"metadata\": {\"title\": \"" + new string('x', 4000) + "\"}}]}";

    [Fact]
    public async Task Json_body_over_the_configured_limit_is_413_in_process()
    {
        var client = await app.ClientAsync(Scopes.Write);
        var details = await (await client.PostAsync("/api/2026-03/import/mediaLibrary", Json(BigImport))).AssertEnvelopeAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("2048 bytes", details.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_body_over_the_limit_is_413_from_the_real_server_with_and_without_a_length()
    {
        await using var server = await ServiceProcess.StartAsync(app.Settings());
        using var http = server.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([Scopes.Write]));

        var declared = await http.PostAsync("/api/2026-03/import/mediaLibrary", Json(BigImport));
        await declared.AssertEnvelopeAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.True(declared.Headers.ConnectionClose, "an unread body must end the connection");

        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(BigImport)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/2026-03/import/mediaLibrary") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await (await http.SendAsync(request)).AssertEnvelopeAsync(HttpStatusCode.RequestEntityTooLarge);
    }
}
