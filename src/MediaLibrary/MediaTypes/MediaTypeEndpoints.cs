using System.Text.Json.Nodes;
using MediaLibrary.Api;

namespace MediaLibrary.MediaTypes;

/// (ours) `GET /api/{v}/mediaTypes`: the project's media types (SPEC §6) as configured, so a
/// client (the browser UI among them) can build a metadata form for an entry.
internal static class MediaTypeEndpoints
{
    public sealed record AssetSettings(bool Translatable, bool Replaceable);

    /// `ui` (Livingdocs' metadata config): `{"label": "…"}` when configured, absent otherwise.
    public sealed record PropertyResponse(string Handle, string Type, bool Required, JsonObject Config, JsonObject? Ui = null);

    public sealed record MediaTypeResponse(string Handle, string Type, AssetSettings Asset, IReadOnlyList<PropertyResponse> Metadata);

    public sealed record MediaTypeList(IReadOnlyList<MediaTypeResponse> Results);

    public static VersionedApi MapMediaTypes(this VersionedApi api)
    {
        api.Read.MapGet("/mediaTypes", (MediaTypeCatalog types) => TypedResults.Ok(new MediaTypeList(types.All.Select(t => new MediaTypeResponse(
                t.Handle, t.Type, new AssetSettings(t.Translatable, t.Replaceable),
                t.Metadata.Select(p => new PropertyResponse(p.Handle, p.Type, p.Required, p.Config, p.Ui)).ToList())).ToList())))
            .WithName("GetMediaTypes").WithTags("Media Library")
            .WithSummary("(ours) The project's media types and their metadata properties, as configured.");
        return api;
    }
}
