using System.Text;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Imports;

/// Import by URL (SPEC §9): `POST /import/{images|videos|files}` accepts a job and answers with its
/// id at once; `GET /import/{kind}/status?id=` tells how far it is. One implementation, three names.
internal static class ImportEndpoints
{
    public const int MaxItems = 1000;
    public const int MaxContextBytes = 8192;

    public static VersionedApi MapImports(this VersionedApi api)
    {
        api.Write.MapPost("/import/images", (HttpRequest r, JsonBody j, ImportStarter s, System.Security.Claims.ClaimsPrincipal u, CancellationToken ct) =>
                s.StartAsync(ImportKind.Images, r, j, u, ct))
            .WithName("ImportImages").WithTags("Import by URL").AcceptsJsonBody<ImportImagesRequest>().Produces<ImportStarted>();
        api.Write.MapPost("/import/videos", (HttpRequest r, JsonBody j, ImportStarter s, System.Security.Claims.ClaimsPrincipal u, CancellationToken ct) =>
                s.StartAsync(ImportKind.Videos, r, j, u, ct))
            .WithName("ImportVideos").WithTags("Import by URL").AcceptsJsonBody<ImportVideosRequest>().Produces<ImportStarted>();
        api.Write.MapPost("/import/files", (HttpRequest r, JsonBody j, ImportStarter s, System.Security.Claims.ClaimsPrincipal u, CancellationToken ct) =>
                s.StartAsync(ImportKind.Files, r, j, u, ct))
            .WithName("ImportFiles").WithTags("Import by URL").AcceptsJsonBody<ImportFilesRequest>().Produces<ImportStarted>();
        foreach (var kind in ImportKind.All)
        {
            api.Write.MapGet($"/import/{kind.Name}/status", (string? id, ImportJobs jobs, IAssetUrls urls, CancellationToken ct) => StatusAsync(kind, id, jobs, urls, ct))
                .WithName($"Import{char.ToUpperInvariant(kind.Name[0])}{kind.Name[1..]}Status").WithTags("Import by URL")
                .WithSummary($"How far an import of {kind.Name} is; the items' outcomes once it has finished.");
        }

        return api;
    }

    public sealed record ImportStarted(string Id);

    public static async Task<IResult> StatusAsync(ImportKind kind, string? id, ImportJobs jobs, IAssetUrls urls, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id))
        {
            return ApiErrors.Validation("id", "is required: the id that POST /import/" + kind.Name + " answered");
        }

        var job = id.Length <= 64 ? await jobs.GetAsync(id, ct) : null;
        if (job is null || job.Kind != kind.Name)
        {
            return ApiErrors.NotFound($"No import of {kind.Name} has the id '{id}'.");
        }

        if (!job.Finished)
        {
            return TypedResults.Json(new JsonObject
            {
                ["finished"] = false, ["state"] = job.State, ["id"] = job.Id, ["startedAt"] = AppJson.Format(job.StartedAt),
                ["progress"] = new JsonObject { ["done"] = job.Done, ["total"] = job.Total },
            }, AppJson.Options);
        }

        var items = new JsonArray();
        foreach (var item in await jobs.ItemsAsync(job.Id, ct))
        {
            var shown = new JsonObject { ["state"] = item.State };
            if (item.State != ImportJobs.ItemSuccess && item.Reason is not null)
            {
                shown["reason"] = item.Reason;
            }

            shown["externalId"] = item.ExternalId;
            shown["systemName"] = job.SystemName;
            if (item.Result is not null && JsonNode.Parse(item.Result) is JsonObject result)
            {
                var entry = new JsonObject { ["mediaId"] = result["mediaId"]?.DeepClone(), ["originalUrl"] = item.Url };
                if (result["key"]?.GetValue<string>() is { } key)
                {
                    entry["url"] = urls.For(key);
                }

                foreach (var name in new[] { "width", "height", "mimeType" })
                {
                    if (result[name] is { } value)
                    {
                        entry[name] = value.DeepClone();
                    }
                }

                shown[kind.ItemProperty] = entry;
            }

            items.Add(shown);
        }

        return TypedResults.Json(new JsonObject
        {
            ["finished"] = true, ["state"] = job.State, ["id"] = job.Id, [kind.ItemsProperty] = items,
        }, AppJson.Options);
    }
}

internal static class ImportsSetup
{
    public static WebApplicationBuilder AddImports(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ImportOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Imports");
        builder.Services.AddSingleton<ImportJobs>();
        builder.Services.AddSingleton<ImportFetcher>();
        builder.Services.AddSingleton<ImportItemProcessor>();
        builder.Services.AddSingleton<ImportStarter>();
        builder.Services.AddSingleton<ImportWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ImportWorker>());
        // Completion webhooks go through the events' delivery table and sender, on their own channel.
        builder.Services.AddSingleton(services =>
        {
            var o = services.GetRequiredService<IOptions<ImportOptions>>().Value;
            var secret = string.IsNullOrEmpty(o.WebhookSecret) ? null : Encoding.UTF8.GetBytes(o.WebhookSecret);
            var channel = new Webhook(ImportJobs.WebhookChannel, "Import job callbacks", new Uri("http://import-jobs.invalid/"), secret, Active: true, []);
            return new DeliveryChannel(channel, TargetPolicy.Parse(o.AllowPrivateTargets, o.AllowedNetworks, "MediaLibrary:Imports:AllowedNetworks"), OnDemand: true);
        });
        return builder;
    }
}
