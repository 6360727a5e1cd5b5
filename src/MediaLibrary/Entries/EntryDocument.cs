using System.Text.Json.Nodes;

namespace MediaLibrary.Entries;

/// An entry being changed by a PATCH: parsed from its row, compared and written back.
internal sealed class EntryDocument
{
    public required string Id { get; init; }
    public required string MediaType { get; init; }
    public required JsonObject Asset { get; set; }
    public required JsonObject Metadata { get; init; }
    public required JsonArray Translations { get; init; }
    public bool Revoked { get; set; }
    public string? RevokeNote { get; set; }
    public bool Archived { get; set; }

    /// Keys this change adds to the entry's key history.
    public List<StoredKey> NewKeys { get; } = [];

    public static EntryDocument From(EntryRow row) => new()
    {
        Id = row.Id,
        MediaType = row.MediaType,
        Asset = JsonNode.Parse(row.Asset)!.AsObject(),
        Metadata = JsonNode.Parse(row.Metadata)!.AsObject(),
        Translations = JsonNode.Parse(row.Translations)!.AsArray(),
        Revoked = row.Revoked,
        RevokeNote = row.RevokeNote,
        Archived = row.Archived,
    };

    public bool SameAs(EntryRow row) =>
        Revoked == row.Revoked && RevokeNote == row.RevokeNote && Archived == row.Archived &&
        JsonNode.DeepEquals(Asset, JsonNode.Parse(row.Asset)) &&
        JsonNode.DeepEquals(Metadata, JsonNode.Parse(row.Metadata)) &&
        JsonNode.DeepEquals(Translations, JsonNode.Parse(row.Translations));

    public JsonObject? Translation(string locale) =>
        Translations.OfType<JsonObject>().FirstOrDefault(t => t["locale"]?.GetValue<string>() == locale);
}
