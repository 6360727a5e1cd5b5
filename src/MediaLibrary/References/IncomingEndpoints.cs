using System.Globalization;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.References;

/// GET /mediaLibrary/{mediaId}/incomingDocumentReferences and …/incomingMediaReferences (SPEC §3).
internal static class IncomingEndpoints
{
    public const int DefaultLimit = 100;

    public static VersionedApi MapIncomingReferences(this VersionedApi api)
    {
        api.Read.MapGet("/mediaLibrary/{mediaId}/incomingDocumentReferences", GetIncomingDocumentReferencesAsync)
            .WithName("GetIncomingDocumentReferences").WithTags("References")
            .AnswersByVersion<IReadOnlyList<DocumentItem>, PagedList<DocumentItem>>(ApiVersion.V2026_01);
        api.Read.MapGet("/mediaLibrary/{mediaId}/incomingMediaReferences", GetIncomingMediaReferencesAsync)
            .WithName("GetIncomingMediaReferences").WithTags("References")
            .AnswersByVersion<IReadOnlyList<MediaItem>, PagedList<MediaItem>>(ApiVersion.V2026_01);
        return api;
    }

    /// What both lists take from the request and the container.
    public sealed record IncomingRequest(
        string MediaId, string? Limit, string? Offset, string? After, ApiVersion ApiVersion,
        EntryStore Entries, MediaTypeCatalog Types, IncomingReferenceStore Store);

    public static Task<IResult> GetIncomingDocumentReferencesAsync([AsParameters] IncomingRequest request, CancellationToken ct) =>
        ListAsync(ReferenceIndex.Documents, request, ct);

    public static Task<IResult> GetIncomingMediaReferencesAsync([AsParameters] IncomingRequest request, CancellationToken ct) =>
        ListAsync(ReferenceIndex.Media, request, ct);

    public sealed record ReferenceItem(
        string Type, string Id, string Location, string? ComponentId = null, string? ComponentName = null, string? DirectiveName = null, string? PropertyName = null);

    public sealed record DocumentItem(long Id, IReadOnlyList<ReferenceItem> References);

    public sealed record MediaItem(string Id, IReadOnlyList<ReferenceItem> References);

    public sealed record PagedList<T>(IReadOnlyList<T> Results, int Total, string Cursor);

    private static async Task<IResult> ListAsync(string list, IncomingRequest request, CancellationToken ct)
    {
        var (mediaId, limitText, offsetText, after, apiVersion, entries, types, store) = request;
        var errors = new Dictionary<string, string>();
        var limit = DefaultLimit;
        if (limitText is not null && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 100))
        {
            errors["limit"] = "must be a whole number from 1 to 100";
        }

        var offset = 0;
        if (offsetText is not null && !int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            errors["offset"] = "must be a whole number of at least 0";
        }

        // The cursor exists from 2026-01; older clients' `after` is ignored.
        string? afterId = null;
        if (apiVersion >= ApiVersion.V2026_01 && !string.IsNullOrEmpty(after))
        {
            if (Cursor.TryDecode(after, list, mediaId, out var decoded) &&
                (list == ReferenceIndex.Media || long.TryParse(decoded, CultureInfo.InvariantCulture, out _)))
            {
                afterId = decoded;
            }
            else
            {
                errors["after"] = "is not a cursor of this list; pass back the cursor of a previous page";
            }
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Validation(errors);
        }

        var target = mediaId.Length <= 64 ? await entries.GetAsync(mediaId, ct, withReferenceCounts: false) : null;
        if (target is null)
        {
            return ApiErrors.EntryNotFound(mediaId);
        }

        var kind = (types.Find(target.MediaType)?.Kind ?? AssetKind.File).ToString().ToLowerInvariant();
        var page = list == ReferenceIndex.Documents
            ? await store.DocumentPageAsync(mediaId, afterId is null ? null : long.Parse(afterId, CultureInfo.InvariantCulture), offset, limit, ct)
            : await store.MediaPageAsync(mediaId, afterId, offset, limit, ct);

        var bySource = page.References.ToLookup(r => r.SourceId);
        ReferenceItem Item(StoredReference r) => r.Kind == "metadata"
            ? new ReferenceItem(kind, mediaId, "metadata", PropertyName: r.PropertyName)
            : new ReferenceItem(kind, mediaId, $"{kind}-directive", r.ComponentId, r.ComponentName, r.DirectiveName);
        var cursor = page.More ? Cursor.Encode(list, mediaId, page.Sources[^1]) : "";

        if (list == ReferenceIndex.Documents)
        {
            var items = page.Sources.Select(s => new DocumentItem(long.Parse(s, CultureInfo.InvariantCulture), bySource[s].Select(Item).ToList())).ToList();
            return apiVersion >= ApiVersion.V2026_01 ? TypedResults.Ok(new PagedList<DocumentItem>(items, page.Total, cursor)) : TypedResults.Ok(items);
        }

        var media = page.Sources.Select(s => new MediaItem(s, bySource[s].Select(Item).ToList())).ToList();
        return apiVersion >= ApiVersion.V2026_01 ? TypedResults.Ok(new PagedList<MediaItem>(media, page.Total, cursor)) : TypedResults.Ok(media);
    }
}

internal static class ReferencesSetup
{
    public static WebApplicationBuilder AddReferences(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IncomingReferenceStore>();
        return builder;
    }
}
