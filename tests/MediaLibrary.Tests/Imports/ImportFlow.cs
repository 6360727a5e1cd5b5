using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Imports;

/// Starting an import by URL and waiting for its end, as a client does.
public static class ImportFlow
{
    public static JsonObject Item(string url, string id, JsonObject? metadata = null, string? mediaType = null)
    {
        var item = new JsonObject
        {
            ["url"] = url, ["id"] = id, ["fileName"] = id + ".bin",
            ["metadata"] = metadata ?? new JsonObject { ["title"] = "Imported " + id },
        };
        if (mediaType is not null)
        {
            item["mediaType"] = mediaType;
        }

        return item;
    }

    public static async Task<string> StartAsync(this HttpClient client, string kind, string systemName, IEnumerable<JsonObject> items, JsonObject? extra = null)
    {
        var body = new JsonObject { ["systemName"] = systemName, [kind] = new JsonArray([.. items]) };
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }

        var response = await client.PostAsync($"/api/2026-03/import/{kind}", Json(body));
        var answer = await response.JsonAsync();
        return answer.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> StatusAsync(this HttpClient client, string kind, string jobId) =>
        await (await client.GetAsync($"/api/2026-03/import/{kind}/status?id={jobId}")).JsonAsync();

    /// The status once `finished` is true.
    public static async Task<JsonElement> FinishedAsync(this HttpClient client, string kind, string jobId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await client.StatusAsync(kind, jobId);
            if (status.GetProperty("finished").GetBoolean())
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The import {jobId} did not finish: {status}");
            await Task.Delay(100);
        }
    }

    public static async Task<JsonElement> ImportAndWaitAsync(this HttpClient client, string kind, string systemName, IEnumerable<JsonObject> items, JsonObject? extra = null) =>
        await client.FinishedAsync(kind, await client.StartAsync(kind, systemName, items, extra));

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
