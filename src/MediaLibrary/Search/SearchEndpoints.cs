using MediaLibrary.Api;
using MediaLibrary.Hosting;
using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Search;

/// (ours) `GET /api/{v}/search/mediaLibrary` (SPEC §12): words, filters, sorts and a cursor.
internal static class SearchEndpoints
{
    /// `total` is exact up to 10,000 (`totalRelation` "eq"); above, it is 10,000 and `totalRelation` is "gte".
    public sealed record SearchResponse(IReadOnlyList<EntryResponse> Results, long Total, string TotalRelation, string Cursor);

    public static VersionedApi MapSearch(this VersionedApi api)
    {
        api.Read.MapGet("/search/mediaLibrary", SearchAsync).WithName("SearchMediaLibrary").WithTags("Media Library")
            .Produces<SearchResponse>()
            .WithSummary("(ours) Full text over title, caption, credit, tags, filename and translations, with filters; keyset pages that never skip or repeat while others write.");
        return api;
    }

    public static async Task<IResult> SearchAsync(
        HttpRequest request, ApiVersion apiVersion, SearchStore store, MediaTypeCatalog types, UsageLog.LicenseProfileCatalog licenses, UsageLog.UsagePurposeCatalog purposes,
        EntryMapper mapper, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var query = SearchQuery.Parse(request.Query, types, licenses, purposes, errors);
        if (query is null)
        {
            return ApiErrors.Validation(errors);
        }

        if (query.After is { } after)
        {
            if (!store.IsSnapshot(after.Snapshot))
            {
                return ApiErrors.Validation("after", "is not a cursor of this search; pass back the cursor of a previous page with the same q, filters and sort");
            }

            if (time.GetUtcNow() - after.TakenAt > SearchStore.CursorLifetime)
            {
                return ApiErrors.Validation("after", "has expired (a cursor lives 24 hours); start again from the first page");
            }
        }

        var page = await store.SearchAsync(query, ct);
        var more = page.Total > SearchStore.TotalLimit;
        return TypedResults.Ok(new SearchResponse(page.Rows.Select(row => mapper.ToResponse(row, apiVersion)).ToList(),
            more ? SearchStore.TotalLimit : page.Total, more ? "gte" : "eq", page.Cursor));
    }
}

internal static class SearchSetup
{
    public static WebApplicationBuilder AddSearch(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SearchStore>();
        builder.Services.AddHostedService<SearchChangeSweeper>();
        builder.Services.AddOptions<SearchOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Search");
        builder.Services.AddSingleton<SearchIndexer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SearchIndexer>());
        return builder;
    }
}
