using System.Text;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
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

/// Checks a job's body and stores the job and its items in one transaction; the items are then
/// worked on in the background (<see cref="ImportWorker"/>), by whichever process claims them.
internal sealed class ImportStarter(
    ImportJobs jobs, ImportWorker worker, MediaTypeCatalog types, IOptions<ImportOptions> options, TimeProvider time, ILogger<ImportStarter> logger)
{
    private readonly TargetPolicy _policy = TargetPolicy.Parse(options.Value.AllowPrivateTargets, options.Value.AllowedNetworks, "MediaLibrary:Imports:AllowedNetworks");

    public async Task<Results<Ok<ImportEndpoints.ImportStarted>, JsonHttpResult<ErrorEnvelope>>> StartAsync(
        ImportKind kind, HttpRequest request, JsonBody json, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var (body, error) = await json.ReadAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var shape = new JsonShape();
        var obj = shape.Object(body, "", kind.AllowedProperties);
        if (obj is null)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        var systemName = shape.String(obj, "", "systemName", required: true, maxLength: 200);
        if (systemName is { Length: 0 })
        {
            shape.Add("systemName", "must not be empty");
        }

        var webhook = shape.String(obj, "", "webhook", required: false, maxLength: 2048);
        if (webhook is not null && WebhookProblem(webhook) is { } webhookProblem)
        {
            shape.Add("webhook", webhookProblem);
        }

        string? context = null;
        if (obj["context"] is { } contextNode)
        {
            context = contextNode.ToJsonString();
            if (Encoding.UTF8.GetByteCount(context) > ImportEndpoints.MaxContextBytes)
            {
                shape.Add("context", $"must be at most {ImportEndpoints.MaxContextBytes} bytes as JSON");
            }
        }

        var items = ReadItems(shape, kind, obj[kind.ItemsProperty]);
        if (!shape.Ok)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        var job = new ImportJobRow
        {
            Id = ImportJobs.NewId(), Kind = kind.Name, SystemName = systemName!, Webhook = webhook, Context = context,
            ActorName = user.Identity?.Name, State = ImportJobs.Started, Total = items.Count, StartedAt = time.GetUtcNow(),
        };
        await jobs.CreateAsync(job, items, ct);
        worker.Wake();
        logger.LogInformation("Import {JobId} of {Count} {Kind} from system {SystemName} accepted", job.Id, items.Count, kind.Name, job.SystemName);
        return TypedResults.Ok(new ImportEndpoints.ImportStarted(job.Id));
    }

    private List<ImportJobs.NewItem> ReadItems(JsonShape shape, ImportKind kind, JsonNode? node)
    {
        var items = new List<ImportJobs.NewItem>();
        if (node is not JsonArray list || list.Count is 0 or > ImportEndpoints.MaxItems)
        {
            shape.Add(kind.ItemsProperty, node is null ? "is required" : $"must be an array of 1 to {ImportEndpoints.MaxItems} {kind.Name}");
            return items;
        }

        var ofKind = types.All.Where(t => t.Kind == kind.AssetKind).ToList();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"{kind.ItemsProperty}.{i}";
            var item = shape.Object(list[i], path, RequestSchema<ImportUrlItem>.Properties);
            if (item is null)
            {
                continue;
            }

            var url = shape.String(item, path, "url", required: true, maxLength: 4096);
            var externalId = shape.String(item, path, "id", required: true, maxLength: 200);
            var fileName = shape.String(item, path, "fileName", required: true, maxLength: 255);
            foreach (var (name, value) in new[] { ("url", url), ("id", externalId), ("fileName", fileName) })
            {
                if (value is { Length: 0 } || (value is not null && value.Any(char.IsControl)))
                {
                    shape.Add($"{path}.{name}", "must not be empty or hold control characters");
                }
            }

            if (externalId is not null && !seen.TryAdd(externalId, i))
            {
                shape.Add($"{path}.id", $"'{externalId}' appears twice in this job (also at {kind.ItemsProperty}.{seen[externalId]})");
            }

            if (item["metadata"] is not JsonObject metadata)
            {
                shape.Add($"{path}.metadata", item["metadata"] is null ? "is required" : "must be an object");
                metadata = [];
            }

            var handle = shape.String(item, path, "mediaType", required: false, maxLength: 100);
            var type = handle is null ? ofKind.FirstOrDefault() : ofKind.FirstOrDefault(t => t.Handle == handle);
            if (type is null)
            {
                shape.Add($"{path}.mediaType", handle is null
                    ? $"the project has no media type for {kind.Name}"
                    : $"'{handle}' is not a media type for {kind.Name} of this project (known: {string.Join(", ", ofKind.Select(t => t.Handle))})");
            }

            if (shape.Ok)
            {
                var host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host.ToLowerInvariant() : "";
                items.Add(new ImportJobs.NewItem(url!, host, externalId!, fileName!, type!.Handle, metadata.ToJsonString(AppJson.Options)));
            }
        }

        return items;
    }

    /// The completion webhook must be an absolute http(s) URL, and not a literal address the guard would refuse.
    private string? WebhookProblem(string webhook)
    {
        if (ImportFetcher.Problem(webhook, out var uri, "it", "called") is { } problem)
        {
            return problem;
        }

        return _policy.LiteralRefusal(uri!) is { } refusal
            ? $"{uri!.Host} is {refusal}; such targets need MediaLibrary__Imports__AllowPrivateTargets=true"
            : null;
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
