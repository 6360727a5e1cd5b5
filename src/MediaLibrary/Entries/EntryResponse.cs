using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Entries;

/// An entry as the API shows it (SPEC §2).
public sealed record EntryResponse(
    string Id,
    int Version,
    string MediaType,
    string? SystemName,
    string? ExternalId,
    RawJson Asset,
    RawJson Metadata,
    RawJson Translations,
    string State,
    bool Archived,
    string? RevokeNote,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("usage")] ReferenceCounts? ReferenceCounts = null,
    [property: System.ComponentModel.Description("From 2026-07, image entries with edits: rotate, pixelate, focalPoint (SPEC §17).")] JsonObject? ImageEdits = null);

/// (ours, ≥ 2026-03) How many published documents and media entries link to the entry. On the
/// wire it is `usage` (it shipped so); in the code it is never called usage, which is the usage
/// log's word (API 2026-05).
public sealed record ReferenceCounts(int Documents, int Media);

internal sealed class EntryMapper(IAssetUrls urls, MediaTypeCatalog types, TimeProvider time)
{
    public EntryResponse ToResponse(EntryRow row, ApiVersion version)
    {
        var state = EntryState.Of(types.Find(row.MediaType), row.Revoked, row.Metadata, time.GetUtcNow());
        return new EntryResponse(row.Id, row.Version, row.MediaType, row.SystemName, row.ExternalId, new RawJson(WithUrl(row.Asset)),
            new RawJson(row.Metadata), new RawJson(TranslationsWithUrls(row.Translations)), state, row.Archived,
            row.Revoked ? row.RevokeNote : null, row.CreatedAt, row.UpdatedAt,
            version >= ApiVersion.V2026_03 ? new ReferenceCounts(row.ReferencingDocuments, row.ReferencingMedia) : null,
            version >= ApiVersion.V2026_07 ? Delivery.ImageEdits.FromStored(row.ImageEdits)?.ToJson() : null);
    }

    // The stored asset is an object we wrote, so the url goes in before its closing brace.
    private string WithUrl(string asset) =>
        KeyOf(asset) is { } key
            ? string.Concat(asset.AsSpan(0, asset.LastIndexOf('}')), ",\"url\":", JsonSerializer.Serialize(urls.For(key), AppJson.Options), "}")
            : asset;

    private string TranslationsWithUrls(string translations)
    {
        if (translations is "[]" || !translations.Contains("\"asset\"", StringComparison.Ordinal))
        {
            return translations;
        }

        var list = JsonNode.Parse(translations)!.AsArray();
        foreach (var translation in list)
        {
            if (translation?["asset"] is JsonObject asset && asset["key"]?.GetValue<string>() is { } key)
            {
                asset["url"] = urls.For(key);
            }
        }

        return list.ToJsonString(AppJson.Options);
    }

    private static string? KeyOf(string asset)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(asset));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKey = reader.ValueTextEquals("key"u8);
            reader.Read();
            if (isKey && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }
}
