using System.Globalization;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaLibrary.Documents;

internal static class DocumentEndpoints
{
    public static VersionedApi MapDocuments(this VersionedApi api)
    {
        api.Write.MapPost("/import/documents", ImportAsync).WithName("ImportDocuments").WithTags("Documents")
            .AcceptsJsonBody<ImportDocumentsRequest>().AnswersByVersion<ImportResponseLegacy, ImportResponse>(ApiVersion.V2026_01);
        api.Write.MapPost("/documents/{id}/unpublish", UnpublishAsync).WithName("UnpublishDocument").WithTags("Documents");
        api.Read.MapGet("/documents/{id}/latestPublication", LatestPublicationAsync).WithName("GetLatestPublication").WithTags("Documents");
        api.Write.MapPost("/documents/{id}/licenseApprovals", ApproveLicensesAsync).WithName("ApproveLicenses").WithTags("Documents")
            .WithSummary("From 2026-07: approves entries whose licence profile requires approval for this document (for as long as it exists); each must be referenced by its current content.")
            .AcceptsJsonBody<LicenseApprovalsRequest>().Produces<LicenseApprovalsResponse>();
        return api;
    }

    public sealed record ImportResponseLegacy(IReadOnlyList<DocumentImportResult> Documents);

    public sealed record ImportResponse(IReadOnlyList<DocumentImportResult> Results);

    public static async Task<IResult> ImportAsync(
        HttpRequest request, ApiVersion apiVersion, JsonBody json, DocumentImporter importer, IOptions<MediaLibraryOptions> options, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var (body, error) = await json.ReadAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var shape = new JsonShape();
        var obj = shape.Object(body, "", RequestSchema<ImportDocumentsRequest>.Properties);
        var systemName = obj is null ? null : shape.String(obj, "", "systemName", required: true, maxLength: 200);
        var maxItems = options.Value.Limits.MaxImportItems;
        if (obj is not null && !(obj["documents"] is JsonArray list && list.Count > 0 && list.Count <= maxItems))
        {
            shape.Add("documents", $"is required: an array of 1 to {maxItems} documents");
        }

        if (!shape.Ok || systemName is null)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        var results = await importer.ImportAsync(systemName, (JsonArray)obj!["documents"]!, Actor.Client(user), ct);
        return apiVersion >= ApiVersion.V2026_01 ? TypedResults.Ok(new ImportResponse(results)) : TypedResults.Ok(new ImportResponseLegacy(results));
    }

    public sealed record UnpublishResponse(int Status, long Id);

    public static async Task<Results<Ok<UnpublishResponse>, JsonHttpResult<ErrorEnvelope>>> UnpublishAsync(
        string id, DocumentStore store, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) =>
        ParseId(id) is { } documentId && await store.UnpublishAsync(documentId, Actor.Client(user), ct)
            ? TypedResults.Ok(new UnpublishResponse(200, documentId))
            : DocumentNotFound(id);

    /// `title` (ours): the document's title, so a "where used" list can name it; absent when it has none.
    public sealed record SystemData(long DocumentId, string ContentType, int PublicationId, DateTimeOffset FirstPublicationDate, DateTimeOffset LastPublicationDate, string? Title);

    public sealed record Publication(SystemData Systemdata, JsonObject Metadata, JsonArray Content);

    public static async Task<Results<Ok<Publication>, JsonHttpResult<ErrorEnvelope>>> LatestPublicationAsync(string id, DocumentStore store, CancellationToken ct)
    {
        var row = ParseId(id) is { } documentId ? await store.LatestPublicationAsync(documentId, ct) : null;
        if (row is null)
        {
            return ApiErrors.NotFound($"Document is not published or does not exist (id: '{id}')");
        }

        return TypedResults.Ok(new Publication(
            new SystemData(row.DocumentId, row.ContentType, row.PublicationId, row.FirstPublicationDate, row.LastPublicationDate, row.Title),
            JsonNode.Parse(row.Metadata)!.AsObject(), JsonNode.Parse(row.Content)!.AsArray()));
    }

    public sealed record LicenseApprovalsResponse(IReadOnlyList<string> Approved);

    public static async Task<IResult> ApproveLicensesAsync(
        string id, HttpRequest request, ApiVersion apiVersion, JsonBody json, DocumentStore store, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        if (apiVersion < ApiVersion.V2026_07)
        {
            return ApiErrors.RouteNotFound("/api/:apiVersion/documents/:id/licenseApprovals");
        }

        var (body, error) = await json.ReadAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var shape = new JsonShape();
        var obj = shape.Object(body, "", RequestSchema<LicenseApprovalsRequest>.Properties);
        var ids = new List<string>();
        if (obj is not null)
        {
            if (obj["mediaIds"] is JsonArray list && list.Count is > 0 and <= MaxApprovals)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is JsonValue v && v.TryGetValue<string>(out var mediaId) && mediaId.Length is > 0 and <= 64)
                    {
                        ids.Add(mediaId);
                    }
                    else
                    {
                        shape.Add($"mediaIds.{i}", "must be a media id");
                    }
                }
            }
            else
            {
                shape.Add("mediaIds", $"is required: an array of 1 to {MaxApprovals} media ids");
            }
        }

        if (!shape.Ok)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        if (ParseId(id) is not { } documentId)
        {
            return DocumentNotFound(id);
        }

        var (found, unreferenced) = await store.ApproveLicensesAsync(documentId, ids, Actor.Client(user), ct);
        if (!found)
        {
            return DocumentNotFound(id);
        }

        if (unreferenced.Count > 0)
        {
            return ApiErrors.Validation(unreferenced.ToDictionary(
                u => $"mediaIds.{ids.IndexOf(u)}", u => $"the document's current content does not reference '{u}'"));
        }

        return TypedResults.Ok(new LicenseApprovalsResponse([.. ids.Distinct(StringComparer.Ordinal)]));
    }

    private const int MaxApprovals = 1000;

    private static long? ParseId(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    private static JsonHttpResult<ErrorEnvelope> DocumentNotFound(string id) => ApiErrors.NotFound($"Document does not exist (id: '{id}')");
}

internal static class DocumentsSetup
{
    public static WebApplicationBuilder AddDocuments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DocumentStore>();
        builder.Services.AddSingleton<DocumentImporter>();
        return builder;
    }
}
