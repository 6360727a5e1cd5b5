using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Entries;

public sealed class GetEntriesTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task List_by_ids_keeps_their_order_and_leaves_out_unknown_ids()
    {
        var client = await app.ReaderWriterAsync();
        var a = await client.ImportImageAsync();
        var b = await client.ImportImageAsync();
        var c = await client.ImportImageAsync();

        var results = (await (await client.GetAsync($"/api/2026-03/mediaLibrary?ids={c},nope,{a},{b}")).JsonAsync()).GetProperty("results");
        Assert.Equal([c, a, b], results.EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        var legacy = await (await client.GetAsync($"/api/2025-11/mediaLibrary?ids={b},{a}")).JsonAsync();
        Assert.Equal([b, a], legacy.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Lists_of_any_length_and_odd_ids_share_one_statement_and_see_every_write()
    {
        // The list statement is prepared once and kept (ids travel as one JSON/array parameter):
        // lengths, quotes, backslashes and non-ASCII ids must not change what it finds.
        var client = await app.ReaderWriterAsync();
        var a = await client.ImportImageAsync();
        var b = await client.ImportImageAsync();
        string[] odd = ["x\"y", "back\\slash", "ünïcødé", "[1]", "'); DROP TABLE media_entries; --"];
        foreach (var ids in new[] { new[] { a }, [a, b], [.. odd, b, a], [.. odd] })
        {
            var query = string.Join(",", ids.Select(Uri.EscapeDataString));
            var results = (await (await client.GetAsync($"/api/2026-03/mediaLibrary?ids={query}")).JsonAsync()).GetProperty("results");
            Assert.Equal(ids.Where(id => id == a || id == b), results.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        }

        // A kept statement on a kept connection still reads what was committed since.
        await client.PatchOpsAsync(a, new JsonObject { ["operation"] = "setMetadataProperty", ["propertyName"] = "title", ["value"] = "after" });
        var again = (await (await client.GetAsync($"/api/2026-03/mediaLibrary?ids={a}")).JsonAsync()).GetProperty("results")[0];
        Assert.Equal("after", again.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal("after", (await (await client.GetAsync($"/api/2026-03/mediaLibrary/{a}")).JsonAsync()).GetProperty("metadata").GetProperty("title").GetString());
    }

    [Fact]
    public async Task List_by_external_id_and_system_name()
    {
        var client = await app.ReaderWriterAsync();
        var external = "ex-" + Guid.NewGuid().ToString("N")[..8];
        var id = await client.ImportImageAsync(extra: new JsonObject { ["systemName"] = "agency-x", ["externalId"] = external });

        var results = (await (await client.GetAsync($"/api/2026-01/mediaLibrary?externalId={external}&systemName=agency-x")).JsonAsync()).GetProperty("results");
        Assert.Equal(id, Assert.Single(results.EnumerateArray()).GetProperty("id").GetString());
        var other = (await (await client.GetAsync($"/api/2026-01/mediaLibrary?externalId={external}&systemName=agency-y")).JsonAsync()).GetProperty("results");
        Assert.Equal(0, other.GetArrayLength());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?systemName=agency-x")]
    [InlineData("?ids=")]
    public async Task List_without_ids_or_external_id_is_400(string query)
    {
        var client = await app.ClientAsync(Scopes.Read);
        await (await client.GetAsync("/api/2026-03/mediaLibrary" + query)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task List_of_more_than_100_ids_is_400_and_100_is_fine()
    {
        var client = await app.ClientAsync(Scopes.Read);
        var hundred = string.Join(",", Enumerable.Range(0, 100).Select(i => $"id{i}"));
        Assert.Equal(0, (await (await client.GetAsync($"/api/2026-03/mediaLibrary?ids={hundred}")).JsonAsync()).GetProperty("results").GetArrayLength());
        var details = await (await client.GetAsync($"/api/2026-03/mediaLibrary?ids={hundred},id100")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 100", details.GetProperty("ids").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_unknown_entry_is_404_with_the_livingdocs_message()
    {
        var client = await app.ClientAsync(Scopes.Read);
        var response = await client.GetAsync("/api/2026-03/mediaLibrary/doesNotExist");
        Assert.Contains("(id: 'doesNotExist')", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var details = await response.AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal("MediaLibrary Entry does not exist (id: 'doesNotExist')", details.GetProperty("message").GetString());
    }

    [Fact]
    public async Task State_follows_li_invalid_and_the_validity_window_at_request_time()
    {
        var client = await app.ReaderWriterAsync();
        var invalid = await client.ImportImageAsync(new JsonObject { ["title"] = "t", ["invalid"] = true });
        var expired = await client.ImportImageAsync(new JsonObject { ["title"] = "t", ["validity"] = new JsonObject { ["to"] = "2020-01-01T00:00:00.000Z" } });
        var future = await client.ImportImageAsync(new JsonObject { ["title"] = "t", ["validity"] = new JsonObject { ["from"] = "2099-01-01T00:00:00.000Z" } });
        var inWindow = await client.ImportImageAsync(new JsonObject
        {
            ["title"] = "t", ["invalid"] = false,
            ["validity"] = new JsonObject { ["from"] = "2020-01-01T00:00:00.000Z", ["to"] = "2099-01-01T00:00:00.000Z" },
        });

        Assert.Equal("invalid", (await client.GetEntryAsync(invalid)).GetProperty("state").GetString());
        Assert.Equal("invalid", (await client.GetEntryAsync(expired)).GetProperty("state").GetString());
        Assert.Equal("invalid", (await client.GetEntryAsync(future)).GetProperty("state").GetString());
        Assert.Equal("active", (await client.GetEntryAsync(inWindow)).GetProperty("state").GetString());
    }
}
