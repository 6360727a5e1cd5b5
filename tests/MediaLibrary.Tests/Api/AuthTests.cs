using System.Net;
using System.Net.Http.Headers;
using Dapper;
using MediaLibrary.Clients;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Api;

public sealed class AuthTests(TestApp app) : IClassFixture<TestApp>
{
    private const string Route = "/api/2026-03/mediaLibrary/nope";

    private async Task<string> AccessTokenMessageAsync(HttpClient client, HttpStatusCode expected)
    {
        var details = await (await client.GetAsync(Route)).AssertEnvelopeAsync(expected);
        return details.GetProperty("access_token").GetString()!;
    }

    private HttpClient WithAuthorization(string scheme, string value)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, value);
        return client;
    }

    [Fact]
    public async Task Missing_token_is_401_even_for_an_unknown_entry()
    {
        Assert.Equal("The access token is missing.", await AccessTokenMessageAsync(app.CreateClient(), HttpStatusCode.Unauthorized));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("ml_aaaaaaaaaaaa_bbbb")]
    [InlineData("ml_")]
    public async Task Garbage_token_is_401_invalid(string token)
    {
        Assert.Equal("The access token is invalid.", await AccessTokenMessageAsync(WithAuthorization("Bearer", token), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Right_client_id_with_wrong_secret_is_401_invalid()
    {
        var token = await app.CreateTokenAsync([Scopes.Read]);
        var tampered = token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        Assert.Equal("The access token is invalid.", await AccessTokenMessageAsync(WithAuthorization("Bearer", tampered), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Other_schemes_are_401_invalid()
    {
        var token = await app.CreateTokenAsync([Scopes.Read]);
        Assert.Equal("The access token is invalid.", await AccessTokenMessageAsync(WithAuthorization("Basic", token), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Expired_token_is_401_expired()
    {
        var token = await app.CreateTokenAsync([Scopes.Read], DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("The access token expired.", await AccessTokenMessageAsync(WithAuthorization("Bearer", token), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Token_that_expires_later_is_accepted()
    {
        var token = await app.CreateTokenAsync([Scopes.Read], DateTimeOffset.UtcNow.AddDays(1));
        await (await WithAuthorization("Bearer", token).GetAsync(Route)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Write_scope_does_not_imply_read()
    {
        var client = await app.ClientAsync(Scopes.Write);
        Assert.Equal("The request requires higher privileges", await AccessTokenMessageAsync(client, HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task Revoked_token_is_refused_within_five_seconds()
    {
        var name = "revoke-me-" + Guid.NewGuid().ToString("N")[..6];
        var token = await app.CreateTokenAsync([Scopes.Read], name: name);
        var client = WithAuthorization("Bearer", token);
        await (await client.GetAsync(Route)).AssertEnvelopeAsync(HttpStatusCode.NotFound);

        Assert.True(await app.Services.GetRequiredService<ApiClients>().RevokeAsync(name, CancellationToken.None));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            status = (await client.GetAsync(Route)).StatusCode;
        }
        while (status != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline);

        Assert.Equal("The access token is invalid.", await AccessTokenMessageAsync(client, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Only_a_hash_of_the_secret_is_stored_and_tokens_never_reach_the_logs()
    {
        var token = await app.CreateTokenAsync([Scopes.Read]);
        // ml_<12-character id>_<secret>: the secret itself may contain '_', so it is cut by position.
        var secret = token[("ml_".Length + 12 + 1)..];
        Assert.Equal(43, secret.Length);
        var response = await WithAuthorization("Bearer", token).GetAsync(Route);
        await response.AssertEnvelopeAsync(HttpStatusCode.NotFound);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();

        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        var rows = (await connection.QueryAsync("SELECT * FROM api_clients")).Cast<IDictionary<string, object>>().ToList();
        Assert.NotEmpty(rows);
        Assert.DoesNotContain(rows.SelectMany(r => r.Values), v => v?.ToString()?.Contains(secret, StringComparison.Ordinal) == true);
        Assert.Equal(32, rows.Select(r => (byte[])r["secret_hash"]).First().Length);

        Assert.Contains(app.Logs, line => line.Contains("GET " + Route + " 404", StringComparison.Ordinal) && line.Contains(requestId, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs, line => line.Contains(secret, StringComparison.Ordinal));
    }
}
