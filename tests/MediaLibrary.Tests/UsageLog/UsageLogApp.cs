using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.UsageLog;

/// The service with usage purposes: `print` (a required page), `web` (internal, recorded when
/// `regular` documents are published) and `newsletter` (recorded as confirmed).
public sealed class UsageLogApp : TestApp
{
    public const string Purposes = """
        [{"handle": "print", "label": {"en": "Print"}, "paramsSchema": [{"handle": "page", "type": "li-integer", "config": {"required": true, "min": 1}},
                                                                       {"handle": "edition", "type": "li-text"}]},
         {"handle": "web", "label": {"en": "Web"}, "internal": true, "contentType": ["regular"]},
         {"handle": "newsletter", "label": {"en": "Newsletter"}, "contentType": ["newsletter"], "recordAs": "confirmed"}]
        """;

    public override async Task InitializeAsync()
    {
        Overrides["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteAsync(DataDirectory, ("usagePurposes", Purposes));
        await base.InitializeAsync();
    }
}

public static class UsageLogCalls
{
    public const string V = "2026-05";

    public static Task<HttpResponseMessage> PatchLogAsync(this HttpClient client, string id, params JsonObject[] patches) =>
        client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray([.. patches]) }, V);

    public static JsonObject Add(string purpose, JsonObject? parameters = null, string? state = null, string? publicationDate = null, string? url = null)
    {
        var value = new JsonObject { ["purpose"] = purpose };
        if (state is not null)
        {
            value["state"] = state;
        }

        if (publicationDate is not null)
        {
            value["publicationDate"] = publicationDate;
        }

        if (url is not null)
        {
            value["url"] = url;
        }

        if (parameters is not null)
        {
            value["params"] = parameters;
        }

        return Op("addUsageLogEntry", ("value", value));
    }

    public static async Task<List<JsonElement>> LogAsync(this HttpClient client, string id) =>
        [.. (await (await client.GetAsync($"/api/{V}/mediaLibrary/{id}/usageLog")).JsonAsync()).GetProperty("results").EnumerateArray()];

    public static JsonObject ValueOf(JsonElement logEntry)
    {
        var value = new JsonObject { ["state"] = logEntry.GetProperty("state").GetString(), ["purpose"] = logEntry.GetProperty("purpose").GetString() };
        foreach (var name in new[] { "publicationDate", "url" })
        {
            if (logEntry.TryGetProperty(name, out var v))
            {
                value[name] = v.GetString();
            }
        }

        value["params"] = JsonNode.Parse(logEntry.GetProperty("params").GetRawText());
        return value;
    }
}
