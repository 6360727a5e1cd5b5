using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaLibrary.Tests.Infrastructure;

/// Short hands for the calls most tests make.
public static class ApiCalls
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(JsonNode node) => Json(node.ToJsonString());

    /// Uploads a file and returns the asset object (as import and replaceAsset take it).
    public static async Task<JsonObject> UploadAsync(this HttpClient client, byte[] bytes, string filename = "picture.jpg")
    {
        var response = await client.PostAsync($"/api/2026-03/mediaLibrary/assets?filename={Uri.EscapeDataString(filename)}", new ByteArrayContent(bytes));
        var asset = JsonNode.Parse((await response.JsonAsync(HttpStatusCode.Created)).GetRawText())!.AsObject();
        asset.Remove("extracted");
        return asset;
    }

    public static Task<JsonObject> UploadImageAsync(this HttpClient client, int width = 1600, int height = 900) =>
        client.UploadAsync(SampleFiles.Jpeg(width, height), "harbour.jpg");

    public static async Task<JsonElement> ImportAsync(this HttpClient client, JsonArray entries, string version = "2026-03")
    {
        var response = await client.PostAsync($"/api/{version}/import/mediaLibrary", Json(new JsonObject { ["mediaLibraryEntries"] = entries }));
        return await response.JsonAsync();
    }

    /// Imports one image entry and returns its id.
    public static async Task<string> ImportImageAsync(this HttpClient client, JsonObject? metadata = null, JsonObject? extra = null)
    {
        var entry = new JsonObject
        {
            ["mediaType"] = "image",
            ["asset"] = await client.UploadImageAsync(),
            ["metadata"] = metadata ?? new JsonObject { ["title"] = "Harbour at dawn" },
        };
        foreach (var (name, value) in extra ?? [])
        {
            entry[name] = value?.DeepClone();
        }

        var result = (await client.ImportAsync([entry])).GetProperty("results")[0];
        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        return result.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetEntryAsync(this HttpClient client, string id, string version = "2026-03") =>
        await (await client.GetAsync($"/api/{version}/mediaLibrary/{id}")).JsonAsync();

    public static Task<HttpResponseMessage> PatchAsync(this HttpClient client, string id, JsonNode body, string version = "2026-03") =>
        client.PatchAsync($"/api/{version}/mediaLibrary/{id}", Json(body));

    public static Task<HttpResponseMessage> PatchOpsAsync(this HttpClient client, string id, params JsonObject[] patches) =>
        client.PatchAsync(id, (JsonNode)new JsonObject { ["patches"] = new JsonArray([.. patches]) });

    public static JsonObject Op(string operation, params (string Name, JsonNode? Value)[] fields)
    {
        var patch = new JsonObject { ["operation"] = operation };
        foreach (var (name, value) in fields)
        {
            patch[name] = value;
        }

        return patch;
    }

    public static JsonObject SetMetadata(string property, JsonNode? value) => Op("setMetadataProperty", ("propertyName", property), ("value", value));

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);
}
