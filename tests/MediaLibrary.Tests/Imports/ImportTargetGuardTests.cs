using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Imports.ImportFlow;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Imports;

/// The importer with the protection on, as in production: only 127.0.0.2 (standing in for a
/// public archive, through MediaLibrary:Imports:AllowedNetworks) may be fetched from.
public sealed class GuardedImportApp : ImportApp
{
    public SourceServer Public { get; private set; } = null!;

    protected override bool AllowPrivateTargets => false;

    public override async Task InitializeAsync()
    {
        Public = await SourceServer.StartAsync("127.0.0.2");
        Overrides["MediaLibrary:Imports:AllowedNetworks"] = "127.0.0.2/32";
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Public is not null)
        {
            await Public.DisposeAsync();
        }
    }
}

public sealed class ImportTargetGuardTests(GuardedImportApp app) : IClassFixture<GuardedImportApp>
{
    [Fact]
    public async Task Every_form_of_a_refused_address_fails_its_item_without_a_connection()
    {
        using var watch = new ConnectionWatch();
        var port = watch.Port;
        var client = await app.ReaderWriterAsync();
        app.Public.Serve("/fine.png", SampleFiles.Png(6, 6));
        app.Public.Redirect("/to-loopback", $"http://127.0.0.1:{port}/secret");
        var targets = new Dictionary<string, string>
        {
            ["loopback"] = $"http://127.0.0.1:{port}/",
            ["localhost"] = $"http://localhost:{port}/",
            ["ipv6-loopback"] = $"http://[::1]:{port}/",
            ["mapped"] = $"http://[::ffff:127.0.0.1]:{port}/",
            ["unspecified"] = $"http://0.0.0.0:{port}/",
            ["decimal"] = $"http://2130706433:{port}/",
            ["hex-short"] = $"http://0x7f.1:{port}/",
            ["private"] = "http://10.0.0.1/",
            ["metadata"] = "http://169.254.169.254/latest/meta-data/",
            ["redirect"] = app.Public.Url("/to-loopback"),
            ["file"] = "file:///etc/passwd",
            ["data"] = "data:text/plain;base64,aGVsbG8=",
            ["ftp"] = "ftp://archive.example.com/p/1.jpg",
            ["allowed"] = app.Public.Url("/fine.png"),
        };

        var status = await client.ImportAndWaitAsync("images", Unique("ssrf"), targets.Select(t => Item(t.Value, t.Key)));

        var items = status.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("externalId").GetString()!);
        Assert.Equal("success", items["allowed"].GetProperty("state").GetString());
        string Reason(string id)
        {
            Assert.Equal("failed", items[id].GetProperty("state").GetString());
            return items[id].GetProperty("reason").GetString()!;
        }

        foreach (var id in new[] { "loopback", "localhost", "ipv6-loopback", "mapped", "decimal", "hex-short" })
        {
            Assert.Contains("a loopback address", Reason(id), StringComparison.Ordinal);
        }

        Assert.Contains("an unspecified address", Reason("unspecified"), StringComparison.Ordinal);
        Assert.Contains("Refused: 10.0.0.1 resolves to a private address", Reason("private"), StringComparison.Ordinal);
        Assert.Contains("Refused: 169.254.169.254 resolves to a link-local address", Reason("metadata"), StringComparison.Ordinal);
        Assert.StartsWith($"redirected to http://127.0.0.1:{port}/secret: Refused: 127.0.0.1 resolves to a loopback address", Reason("redirect"), StringComparison.Ordinal);
        Assert.Equal(1, app.Public.HitsOf("/to-loopback"));
        Assert.Equal("only http and https URLs can be imported, not file:", Reason("file"));
        Assert.Equal("only http and https URLs can be imported, not data:", Reason("data"));
        Assert.Equal("only http and https URLs can be imported, not ftp:", Reason("ftp"));
        Assert.Equal(0, watch.Accepted);
    }

    [Fact]
    public async Task A_completion_webhook_at_a_private_address_is_refused_up_front()
    {
        var client = await app.ReaderWriterAsync();
        var response = await client.PostAsync("/api/2026-03/import/images", Json(new JsonObject
        {
            ["systemName"] = "s", ["webhook"] = "http://127.0.0.1:9/done", ["images"] = new JsonArray(Item(app.Public.Url("/x.png"), "1")),
        }));

        var details = await response.AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Equal("127.0.0.1 is a loopback address; such targets need MediaLibrary__Imports__AllowPrivateTargets=true", details.GetProperty("webhook").GetString());
    }
}
