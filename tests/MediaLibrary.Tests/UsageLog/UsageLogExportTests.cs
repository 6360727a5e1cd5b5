using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Hosting;
using MediaLibrary.Tests.Infrastructure;
using MediaLibrary.UsageLog;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;
using static MediaLibrary.Tests.UsageLog.UsageLogCalls;

namespace MediaLibrary.Tests.UsageLog;

public sealed class UsageLogExportTests(UsageLogApp app) : IClassFixture<UsageLogApp>
{
    /// A fresh set of entries with log entries in May of `year` (each test its own year).
    private async Task<(string A, string B)> SeedAsync(HttpClient client, string edition, int year)
    {
        var a = await client.ImportImageAsync();
        var b = await client.ImportImageAsync();
        await client.PatchLogAsync(a, Add("print", new JsonObject { ["page"] = 1, ["edition"] = edition }, "confirmed", $"{year}-05-03T10:00:00.000Z"));
        await client.PatchLogAsync(a, Add("print", new JsonObject { ["page"] = 2, ["edition"] = edition }, "confirmed", $"{year}-05-01T10:00:00.000Z"));
        await client.PatchLogAsync(b, Add("print", new JsonObject { ["page"] = 3, ["edition"] = edition }, "pending", $"{year}-05-02T10:00:00.000Z"));
        await client.PatchLogAsync(b, Add("newsletter", null, "confirmed", $"{year}-05-31T23:59:59.999Z", url: "=HYPERLINK(\"http://x\")"));
        await client.PatchLogAsync(b, Add("newsletter", null, "confirmed", $"{year}-06-01T00:00:00.000Z"));
        return (a, b);
    }

    [Fact]
    public async Task The_export_lists_by_publication_date_then_id_in_pages_with_filters()
    {
        var client = await app.ReaderWriterAsync();
        var (a, b) = await SeedAsync(client, "pages", 2031);

        var all = new List<JsonElement>();
        var cursor = "";
        var pages = 0;
        do
        {
            var page = await (await client.GetAsync($"/api/{V}/usageLog?from=2031-05-01&to=2031-05-31&limit=2&after={cursor}")).JsonAsync();
            all.AddRange(page.GetProperty("results").EnumerateArray());
            cursor = page.GetProperty("cursor").GetString()!;
            pages++;
        }
        while (cursor.Length > 0 && pages < 10);

        Assert.Equal(2, pages);
        Assert.Equal(["2031-05-01T10:00:00.000Z", "2031-05-02T10:00:00.000Z", "2031-05-03T10:00:00.000Z", "2031-05-31T23:59:59.999Z"],
            all.Select(r => r.GetProperty("publicationDate").GetString()));
        Assert.Equal([a, b, a, b], all.Select(r => r.GetProperty("mediaId").GetString()));

        var confirmedPrint = await (await client.GetAsync($"/api/{V}/usageLog?from=2031-05-01T00:00:00Z&to=2031-06-02&purpose=print&state=confirmed")).JsonAsync();
        Assert.Equal([2, 1], confirmedPrint.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("params").GetProperty("page").GetInt32()));
        Assert.Equal("", confirmedPrint.GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task Entries_without_a_publication_date_come_last_when_no_range_is_asked_for()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchLogAsync(id, Add("print", new JsonObject { ["page"] = 7, ["edition"] = "undated" }));

        var seen = new List<JsonElement>();
        var cursor = "";
        for (var i = 0; i < 200 && (i == 0 || cursor.Length > 0); i++)
        {
            var page = await (await client.GetAsync($"/api/{V}/usageLog?limit=1000&after={cursor}")).JsonAsync();
            seen.AddRange(page.GetProperty("results").EnumerateArray());
            cursor = page.GetProperty("cursor").GetString()!;
        }

        var undated = seen.FindIndex(r => r.GetProperty("mediaId").GetString() == id);
        Assert.True(undated >= 0);
        Assert.All(seen.Skip(undated), r => Assert.False(r.TryGetProperty("publicationDate", out _)));
        Assert.Equal(seen.Count, seen.Select(r => r.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Csv_streams_the_same_columns_quoted_and_safe_for_spreadsheets()
    {
        var client = await app.ReaderWriterAsync();
        var (_, b) = await SeedAsync(client, "csv, \"quoted\"", 2032);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/{V}/usageLog?from=2032-05-01&to=2032-05-31");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,mediaId,purpose,state,publicationDate,reportingDate,reportedBy,url,documentId,publicationId,params", lines[0]);
        var rows = lines.Skip(1).ToList();
        Assert.Contains(rows, l => l.Contains(",print,confirmed,2032-05-01T10:00:00.000Z,", StringComparison.Ordinal) &&
                                   l.EndsWith("\"{\"\"page\"\":2,\"\"edition\"\":\"\"csv, \\\"\"quoted\\\"\"\"\"}\"", StringComparison.Ordinal));
        // A value a spreadsheet would run as a formula is written with a leading quote.
        Assert.Contains(rows, l => l.Contains(",\"'=HYPERLINK(\"\"http://x\"\")\",", StringComparison.Ordinal));
        Assert.Equal(4, rows.Count);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2031-13-01", "to")]
    [InlineData("purpose=radio", "purpose")]
    [InlineData("state=done", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=bm90IGEgY3Vyc29y", "after")]
    public async Task Bad_query_values_are_400_naming_them(string query, string name)
    {
        var client = await app.ReaderWriterAsync();
        var details = await (await client.GetAsync($"/api/{V}/usageLog?{query}")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(details.TryGetProperty(name, out _), details.GetRawText());
    }
}

public sealed class UsagePurposeConfigTests
{
    [Theory]
    [InlineData("""{"purposes": []}""", "\"usagePurposes\" must be an array")]
    [InlineData("""[{"label": {"en": "x"}}]""", "needs a \"handle\"")]
    [InlineData("""[{"handle": "a"}, {"handle": "a"}]""", "usage purpose 'a' is defined twice")]
    [InlineData("""[{"handle": "a", "contentType": ["regular"]}, {"handle": "b", "contentType": ["regular"]}]""", "content type 'regular' belongs to usage purposes 'a' and 'b'")]
    [InlineData("""[{"handle": "a", "paramsSchema": [{"handle": "p", "type": "li-colour"}]}]""", "usage purpose 'a', property 'p' has unknown type 'li-colour'")]
    [InlineData("""[{"handle": "a", "recordAs": "maybe"}]""", "\"recordAs\" must be \"pending\" or \"confirmed\"")]
    [InlineData("""[{"handle": "a", "internal": "yes"}]""", "\"internal\" must be true or false")]
    [InlineData("""[{"handle": "a", "colour": "red"}]""", "unknown setting \"colour\"")]
    public void A_bad_purpose_stops_the_start_naming_it(string json, string message)
    {
        var error = Assert.Throws<StartupException>(() => UsagePurposeCatalog.Parse(JsonNode.Parse(json), "test"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_service_does_not_start_with_a_bad_purpose()
    {
        var folder = Directory.CreateTempSubdirectory("medialibrary-purposes-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["MediaLibrary:DataDirectory"] = folder,
                ["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteAsync(folder, ("usagePurposes", """[{"handle": "a", "contentType": ["regular"]}, {"handle": "b", "contentType": ["regular"]}]""")),
            };

            var (exit, _, stderr) = await ServiceProcess.RunAsync(settings, "--urls", "http://127.0.0.1:0");

            Assert.Equal(2, exit);
            Assert.Contains("content type 'regular' belongs to usage purposes 'a' and 'b'", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
