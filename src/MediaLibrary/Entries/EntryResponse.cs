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
    JsonObject Asset,
    JsonObject Metadata,
    JsonArray Translations,
    string State,
    bool Archived,
    string? RevokeNote,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    EntryUsage? Usage = null);

/// (ours, ≥ 2026-03) Published documents and media entries that link to the entry.
public sealed record EntryUsage(int Documents, int Media);

internal sealed class EntryMapper(AssetUrls urls, MediaTypeCatalog types, TimeProvider time)
{
    public EntryResponse ToResponse(EntryRow row, ApiVersion version)
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
            metadata, translations, state, row.Archived, row.Revoked ? row.RevokeNote : null, row.CreatedAt, row.UpdatedAt,
            version >= ApiVersion.V2026_03 ? new EntryUsage(row.UsageDocuments, row.UsageMedia) : null);
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
