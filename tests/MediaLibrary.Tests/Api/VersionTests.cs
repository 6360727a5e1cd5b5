using System.Net;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Api;

public sealed class VersionTests(TestApp app) : IClassFixture<TestApp>
{
    [Theory]
    [InlineData("2025-03")]
    [InlineData("2025-05")]
    [InlineData("2025-07")]
    [InlineData("2025-09")]
    [InlineData("2025-11")]
    [InlineData("2026-01")]
    [InlineData("2026-03")]
    [InlineData("2026-05")]
    [InlineData("2026-07")]
    [InlineData("v1")]
    [InlineData("beta")]
    public async Task Every_known_version_and_alias_reaches_the_handler(string version)
    {
        var client = await app.ClientAsync(Scopes.Read);
        var response = await client.GetAsync($"/api/{version}/mediaLibrary/nope");
        var details = await response.AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal("NotFound", details.GetProperty("name").GetString());
        Assert.Equal("MediaLibrary Entry does not exist (id: 'nope')", details.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("2024-01")]
    [InlineData("2026-09")]
    [InlineData("v2")]
    [InlineData("latest")]
    public async Task Unknown_version_answers_404_envelope(string version)
    {
        var client = await app.ClientAsync(Scopes.Read);
        var details = await (await client.GetAsync($"/api/{version}/mediaLibrary/nope")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Contains($"Unknown API version '{version}'", details.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Authentication_is_checked_before_the_version()
    {
        var response = await app.CreateClient().GetAsync("/api/2024-01/mediaLibrary/nope");
        await response.AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Retired_versions_from_configuration_answer_410_including_their_aliases()
    {
        await using var retiring = new TestApp { Overrides = { ["MediaLibrary:RetiredApiVersions"] = "2025-03, 2025-05" } };
        await retiring.InitializeAsync();
        var client = await retiring.ClientAsync(Scopes.Read);

        foreach (var version in new[] { "2025-03", "v1", "beta", "2025-05" })
        {
            var details = await (await client.GetAsync($"/api/{version}/mediaLibrary/nope")).AssertEnvelopeAsync(HttpStatusCode.Gone);
            Assert.Equal("Gone", details.GetProperty("name").GetString());
        }

        await (await client.GetAsync("/api/2025-07/mediaLibrary/nope")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }
}
