using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Lifecycle;

/// The service with usage purposes (`print`, recorded by hand; `web`, recorded when `regular`
/// documents are published), so every rule of "in use" can be reached.
public sealed class LifecycleApp : TestApp
{
    public override async Task InitializeAsync()
    {
        Overrides["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteAsync(DataDirectory, ("usagePurposes", UsageLog.UsageLogApp.Purposes));
        await base.InitializeAsync();
    }
}

public static class LifecycleCalls
{
    public const string V = "2026-07";

    public static Task<HttpClient> EraserAsync(this TestApp app) => app.ClientAsync(Scopes.Read, Scopes.Write, Scopes.Erase);

    public static Task<HttpResponseMessage> DeleteEntryAsync(this HttpClient client, string id, string query = "", string version = V) =>
        client.DeleteAsync($"/api/{version}/mediaLibrary/{id}{(query.Length > 0 ? "?" + query : "")}");

    /// The events of an entry once at least `count` are in the feed (PostgreSQL numbers them in the background).
    public static Task<List<JsonElement>> EventsOfAsync(this HttpClient client, string id, int count) =>
        Events.EventFeed.EventsOfAsync(client, id, count);

    /// Imports an image entry with a fresh upload; its id and storage key.
    public static async Task<(string Id, string Key)> ImportWithKeyAsync(this HttpClient client, JsonObject? extra = null, string? caption = null)
    {
        var asset = await client.UploadAsync(SampleFiles.DecodableJpeg(64, 48), "quay.jpg");
        var fields = extra ?? [];
        fields["asset"] = asset;
        var metadata = new JsonObject { ["title"] = "Quay at dusk" };
        if (caption is not null)
        {
            metadata["caption"] = caption;
        }

        var id = await client.ImportImageAsync(metadata, fields);
        return (id, asset["key"]!.GetValue<string>());
    }
}
