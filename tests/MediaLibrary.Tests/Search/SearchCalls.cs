using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Search;

/// Calls of the search endpoint (SPEC §12) that the tests share.
public static class SearchCalls
{
    public static async Task<JsonElement> SearchAsync(this HttpClient client, string query, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync($"/api/2026-05/search/mediaLibrary?{query}")).JsonAsync(expected);

    public static List<string> Ids(this JsonElement page) =>
        page.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();

    /// Every page of a search, following the cursor; `between` runs after each page.
    public static async Task<List<string>> AllPagesAsync(this HttpClient client, string query, Func<int, Task>? between = null)
    {
        var ids = new List<string>();
        var after = "";
        for (var page = 0; page < 1000; page++)
        {
            var result = await client.SearchAsync(query + (after.Length > 0 ? "&after=" + Uri.EscapeDataString(after) : ""));
            ids.AddRange(result.Ids());
            after = result.GetProperty("cursor").GetString()!;
            if (after.Length == 0)
            {
                return ids;
            }

            if (between is not null)
            {
                await between(page);
            }
        }

        throw new InvalidOperationException("the cursor never ended");
    }

    /// Imports entries that share one uploaded asset; returns their ids in order.
    public static async Task<List<string>> ImportManyAsync(this HttpClient client, JsonObject asset, IEnumerable<JsonObject> metadata, JsonObject? extra = null)
    {
        var entries = new JsonArray();
        foreach (var m in metadata)
        {
            var entry = new JsonObject { ["mediaType"] = "image", ["asset"] = asset.DeepClone(), ["metadata"] = m };
            foreach (var (name, value) in extra ?? [])
            {
                entry[name] = value?.DeepClone();
            }

            entries.Add(entry);
        }

        var results = (await client.ImportAsync(entries)).GetProperty("results");
        return results.EnumerateArray().Select(r =>
        {
            Assert.True(r.GetProperty("ok").GetBoolean(), r.GetRawText());
            return r.GetProperty("id").GetString()!;
        }).ToList();
    }

    /// A word no other test uses, so searches in a shared database see only this test's entries.
    public static string Word() => "w" + Guid.NewGuid().ToString("N")[..10];
}
