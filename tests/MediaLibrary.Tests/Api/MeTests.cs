using System.Net;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Api;

/// `GET /api/{v}/me` (ours, 2026-07): the token's client and scopes, for a UI to hide what it may not do.
public sealed class MeTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Me_names_the_client_and_its_scopes()
    {
        var name = "desk-" + Guid.NewGuid().ToString("N")[..6];
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await app.CreateTokenAsync([Scopes.Read], name: name));
        var me = await (await client.GetAsync("/api/2026-07/me")).JsonAsync();
        Assert.Equal(name, me.GetProperty("name").GetString());
        Assert.Equal([Scopes.Read], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());

        var writer = await app.ReaderWriterAsync();
        var scopes = (await (await writer.GetAsync("/api/2026-07/me")).JsonAsync()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray();
        Assert.Equal(new[] { Scopes.Read, Scopes.Write }.Order(StringComparer.Ordinal), scopes);

        // Any valid token may ask, whatever its scopes; no token is a 401.
        var writeOnly = app.CreateClient();
        writeOnly.DefaultRequestHeaders.Authorization = new("Bearer", await app.CreateTokenAsync([Scopes.Write]));
        Assert.Equal([Scopes.Write], (await (await writeOnly.GetAsync("/api/2026-07/me")).JsonAsync()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        await (await app.CreateClient().GetAsync("/api/2026-07/me")).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Before_2026_07_there_is_no_me_route()
    {
        var client = await app.ReaderWriterAsync();
        var details = await (await client.GetAsync("/api/2026-05/me")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Contains("/me", details.GetRawText(), StringComparison.Ordinal);
    }
}
