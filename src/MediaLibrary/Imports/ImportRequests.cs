using System.ComponentModel;
using System.Text.Json;
using MediaLibrary.Assets;

namespace MediaLibrary.Imports;

// The JSON bodies of the import-by-URL endpoints (SPEC §9), as the API reference shows them; the
// handlers take their allowed properties from these records (see Api/RequestSchema).

/// POST /import/images.
public sealed record ImportImagesRequest(
    string SystemName,
    [property: Description("1 to 1,000 images.")] IReadOnlyList<ImportUrlItem> Images,
    [property: Description("Called with the job's outcome when it finishes, signed like the events' webhooks.")] string? Webhook = null,
    [property: Description("Any JSON, at most 8,192 bytes; sent back in the completion webhook.")] JsonElement? Context = null);

/// POST /import/videos.
public sealed record ImportVideosRequest(
    string SystemName,
    [property: Description("1 to 1,000 videos.")] IReadOnlyList<ImportUrlItem> Videos,
    string? Webhook = null,
    JsonElement? Context = null);

/// POST /import/files.
public sealed record ImportFilesRequest(
    string SystemName,
    [property: Description("1 to 1,000 files.")] IReadOnlyList<ImportUrlItem> Files,
    string? Webhook = null,
    JsonElement? Context = null);

public sealed record ImportUrlItem(
    [property: Description("http or https; fetched by the server, never from a private address unless configured.")] string Url,
    [property: Description("The external id: with systemName it identifies the entry, so importing again updates or skips it.")] string Id,
    [property: Description("The asset's file name.")] string FileName,
    [property: Description("Validated by the media type's metadata config when the item is processed.")] Dictionary<string, JsonElement> Metadata,
    [property: Description("Defaults to the project's first media type of this kind.")] string? MediaType = null);

/// The three import kinds: one implementation, three names.
internal sealed record ImportKind(string Name, string ItemsProperty, string ItemProperty, AssetKind AssetKind, string[] AllowedProperties)
{
    public static readonly ImportKind Images = new("images", "images", "image", AssetKind.Image, Api.RequestSchema<ImportImagesRequest>.Properties);
    public static readonly ImportKind Videos = new("videos", "videos", "video", AssetKind.Video, Api.RequestSchema<ImportVideosRequest>.Properties);
    public static readonly ImportKind Files = new("files", "files", "file", AssetKind.File, Api.RequestSchema<ImportFilesRequest>.Properties);

    public static readonly IReadOnlyList<ImportKind> All = [Images, Videos, Files];

    public static ImportKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
