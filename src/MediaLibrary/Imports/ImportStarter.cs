using System.Text;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.MediaTypes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Imports;

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
