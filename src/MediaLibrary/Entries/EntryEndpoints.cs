using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaLibrary.Entries;

internal static class EntryEndpoints
{
    public static VersionedApi MapEntries(this VersionedApi api)
    {
        api.Read.MapGet("/mediaLibrary/{id}", GetEntryAsync).WithName("GetMediaLibraryEntry").WithTags("Media Library");
        api.Read.MapGet("/mediaLibrary", ListEntriesAsync).WithName("GetMediaLibraryEntries").WithTags("Media Library")
            .AnswersByVersion<IReadOnlyList<EntryResponse>, EntryList>(ApiVersion.V2026_01);
        api.Read.MapGet("/mediaLibrary/{id}/keys", GetKeysAsync).WithName("GetMediaLibraryEntryKeys").WithTags("Media Library");
        api.Write.MapPatch("/mediaLibrary/{id}", PatchEntryAsync).WithName("PatchMediaLibraryEntry").WithTags("Media Library")
            .AcceptsJsonBody<PatchEntryRequest>();
        api.Write.MapPatch("/mediaLibrary", PatchEntriesAsync).WithName("PatchMediaLibraryEntries").WithTags("Media Library")
            .WithSummary("From 2026-07: PATCH up to 100 entries in one call, each exactly as its own PATCH and atomic on its own; one result per entry, in order.")
            .AcceptsJsonBody<PatchEntriesRequest>().Produces<PatchEntriesResponse>();
        api.Write.MapPost("/import/mediaLibrary", ImportAsync).WithName("ImportMediaLibraryEntries").WithTags("Media Library")
            .AcceptsJsonBody<ImportEntriesRequest>().AnswersByVersion<ImportResponseLegacy, ImportResponse>(ApiVersion.V2026_01);
        return api;
    }

    public static async Task<Results<Ok<EntryResponse>, JsonHttpResult<ErrorEnvelope>>> GetEntryAsync(
        string id, ApiVersion apiVersion, EntryStore store, EntryMapper mapper, CancellationToken ct)
    {
        var row = id.Length <= 64 ? await store.GetAsync(id, ct) : null;
        return row is null ? ApiErrors.EntryNotFound(id) : TypedResults.Ok(mapper.ToResponse(row, apiVersion));
    }

    public sealed record KeyList(IReadOnlyList<string> Results);

    /// Every storage key the entry has used (current, translations, replaced): what a CDN must purge. From 2026-03.
    public static async Task<Results<Ok<KeyList>, JsonHttpResult<ErrorEnvelope>>> GetKeysAsync(
        string id, ApiVersion apiVersion, EntryStore store, CancellationToken ct)
    {
        if (apiVersion < ApiVersion.V2026_03)
        {
            return ApiErrors.RouteNotFound("/api/:apiVersion/mediaLibrary/:id/keys");
        }

        if (id.Length > 64 || await store.GetAsync(id, ct, withReferenceCounts: false) is null)
        {
            return ApiErrors.EntryNotFound(id);
        }

        return TypedResults.Ok(new KeyList(await store.KeysAsync(id, ct)));
    }

    public sealed record EntryList(IReadOnlyList<EntryResponse> Results);

    public static async Task<IResult> ListEntriesAsync(
        string? ids, string? externalId, string? systemName, ApiVersion apiVersion, EntryStore store, EntryMapper mapper,
        IOptions<MediaLibraryOptions> options, CancellationToken ct)
    {
        List<EntryRow> rows;
        if (!string.IsNullOrEmpty(ids))
        {
            if (externalId is not null)
            {
                return ApiErrors.Validation("ids", "use either ids or externalId, not both");
            }

            var wanted = ids.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
            var maxIds = options.Value.Limits.MaxListIds;
            if (wanted.Count > maxIds)
            {
                return ApiErrors.Validation("ids", $"at most {maxIds} ids are allowed (got {wanted.Count})");
            }

            var found = (await store.GetManyAsync(wanted.Where(i => i.Length <= 64).ToList(), ct)).ToDictionary(r => r.Id, StringComparer.Ordinal);
            rows = wanted.Where(found.ContainsKey).Select(i => found[i]).ToList();
        }
        else if (!string.IsNullOrEmpty(externalId))
        {
            rows = await store.FindByExternalIdAsync(externalId, systemName, ct);
        }
        else
        {
            return ApiErrors.Validation("ids", "one of ids or externalId is required");
        }

        var entries = rows.Select(row => mapper.ToResponse(row, apiVersion)).ToList();
        return apiVersion >= ApiVersion.V2026_01 ? TypedResults.Ok(new EntryList(entries)) : TypedResults.Ok(entries);
    }

    public static async Task<Results<Ok<PatchResponse>, JsonHttpResult<ErrorEnvelope>>> PatchEntryAsync(
        string id, HttpRequest request, ApiVersion apiVersion, JsonBody json, EntryPatcher patcher, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var (body, error) = await json.ReadAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        return id.Length > 64 ? ApiErrors.EntryNotFound(id) : await patcher.PatchAsync(id, body!, apiVersion, Actor.Client(user), ct);
    }

    public sealed record PatchEntriesResponse(IReadOnlyList<BatchPatchResult> Results);

    public const int MaxBatchEntries = 100;

    public static async Task<IResult> PatchEntriesAsync(
        HttpRequest request, ApiVersion apiVersion, JsonBody json, EntryPatcher patcher, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        if (apiVersion < ApiVersion.V2026_07)
        {
            return ApiErrors.RouteNotFound("/api/:apiVersion/mediaLibrary");
        }

        var (body, error) = await json.ReadAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        // The body as a whole: its shape, 1 to 100 entries, each an object with an id (once) and
        // only the fields of a single PATCH. What is wrong inside an entry's patches is that entry's answer.
        var shape = new JsonShape();
        var obj = shape.Object(body, "", RequestSchema<PatchEntriesRequest>.Properties);
        var preserve = obj is null ? null : shape.Boolean(obj, "", "preserveUpdatedAt");
        var items = new List<BatchPatchItem>();
        if (obj is not null)
        {
            if (obj["entries"] is not JsonArray entries || entries.Count is 0 or > MaxBatchEntries)
            {
                shape.Add("entries", $"is required: an array of 1 to {MaxBatchEntries} entries");
            }
            else
            {
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < entries.Count; i++)
                {
                    var entry = shape.Object(entries[i], $"entries.{i}", RequestSchema<PatchEntriesItem>.Properties);
                    // An id no entry can have (over 64 characters) is that entry's 404, as in a single PATCH.
                    var id = entry is null ? null : shape.String(entry, $"entries.{i}", "id", required: true, maxLength: 1000);
                    if (entry is null || id is null)
                    {
                        continue;
                    }

                    if (!seen.TryAdd(id, i))
                    {
                        shape.Add($"entries.{i}.id", $"'{id}' is already entries.{seen[id]}; an entry may appear once");
                        continue;
                    }

                    var single = new JsonObject();
                    foreach (var (name, value) in entry)
                    {
                        if (name != "id")
                        {
                            single[name] = value?.DeepClone();
                        }
                    }

                    if (preserve is not null)
                    {
                        single["preserveUpdatedAt"] = preserve;
                    }

                    items.Add(new BatchPatchItem(id, single));
                }
            }
        }

        if (!shape.Ok)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        return TypedResults.Ok(new PatchEntriesResponse(await patcher.PatchManyAsync(items, apiVersion, Actor.Client(user), ct)));
    }

    public sealed record ImportResponseLegacy(IReadOnlyList<ImportResult> MediaLibraryEntries);

    public sealed record ImportResponse(IReadOnlyList<ImportResult> Results);

    public static async Task<IResult> ImportAsync(
        HttpRequest request, ApiVersion apiVersion, JsonBody json, EntryImporter importer, IOptions<MediaLibraryOptions> options,
        System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var (body, error) = await json.ReadAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var shape = new JsonShape();
        var obj = shape.Object(body, "", RequestSchema<ImportEntriesRequest>.Properties);
        if (obj is null || !shape.Ok)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        if (obj["mediaLibraryEntries"] is not JsonArray items)
        {
            return ApiErrors.Validation("mediaLibraryEntries", "is required and must be an array");
        }

        var maxItems = options.Value.Limits.MaxImportItems;
        if (items.Count > maxItems)
        {
            return ApiErrors.Validation("mediaLibraryEntries", $"must hold at most {maxItems} entries (got {items.Count})");
        }

        var results = await importer.ImportManyAsync([.. items], Actor.Client(user), ct);

        return apiVersion >= ApiVersion.V2026_01 ? TypedResults.Ok(new ImportResponse(results)) : TypedResults.Ok(new ImportResponseLegacy(results));
    }
}

internal static class EntriesSetup
{
    public static WebApplicationBuilder AddEntries(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EntryStore>();
        builder.Services.AddSingleton<EntryMapper>();
        builder.Services.AddSingleton<AssetVerifier>();
        builder.Services.AddSingleton<EntryImporter>();
        builder.Services.AddSingleton<EntryPatcher>();
        return builder;
    }
}
