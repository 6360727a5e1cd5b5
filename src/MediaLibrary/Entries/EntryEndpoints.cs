using MediaLibrary.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaLibrary.Entries;

internal static class EntryEndpoints
{
    public static VersionedApi MapEntries(this VersionedApi api)
    {
        api.Read.MapGet("/mediaLibrary/{id}", GetEntryAsync).WithName("GetMediaLibraryEntry").WithTags("Media Library");
        return api;
    }

    public static async Task<Results<Ok<EntryResponse>, JsonHttpResult<ErrorEnvelope>>> GetEntryAsync(
        string id, ApiVersion apiVersion, EntryStore store, EntryMapper mapper, CancellationToken ct)
    {
        var row = id.Length <= 64 ? await store.GetAsync(id, ct) : null;
        return row is null
            ? ApiErrors.EntryNotFound(id)
            : TypedResults.Ok(mapper.ToResponse(row));
    }
}

internal static class EntriesSetup
{
    public static WebApplicationBuilder AddEntries(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EntryStore>();
        builder.Services.AddSingleton<EntryMapper>();
        return builder;
    }
}
