using System.Text.Json.Nodes;
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
    JsonObject Asset,
    JsonObject Metadata,
    JsonArray Translations,
    string State,
    bool Archived,
    string? RevokeNote,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

internal sealed class EntryMapper(AssetUrls urls, MediaTypeCatalog types, TimeProvider time)
{
    public EntryResponse ToResponse(EntryRow row)
    {
        var asset = WithUrl(JsonNode.Parse(row.Asset)!.AsObject());
        var translations = JsonNode.Parse(row.Translations)!.AsArray();
        foreach (var translation in translations)
        {
            if (translation?["asset"] is JsonObject translated)
            {
                WithUrl(translated);
            }
        }

        var metadata = JsonNode.Parse(row.Metadata)!.AsObject();
        var state = EntryState.Of(types.Find(row.MediaType), row.Revoked, metadata, time.GetUtcNow());
        return new EntryResponse(row.Id, row.Version, row.MediaType, row.SystemName, row.ExternalId, asset,
            metadata, translations, state, row.Archived, row.Revoked ? row.RevokeNote : null, row.CreatedAt, row.UpdatedAt);
    }

    private JsonObject WithUrl(JsonObject asset)
    {
        if (asset["key"]?.GetValue<string>() is { } key)
        {
            asset["url"] = urls.For(key);
        }

        return asset;
    }
}
