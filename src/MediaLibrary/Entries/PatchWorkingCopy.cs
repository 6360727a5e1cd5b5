using System.Text.Json.Nodes;
using MediaLibrary.Storage;

namespace MediaLibrary.Entries;

/// A write that a PATCH makes beside the entry's row (key history now; the usage log and events
/// next), inside the PATCH's transaction.
internal interface ISideWrite
{
    Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct);
}

/// A key the entry starts using (replaceAsset): added to its key history.
internal sealed record AddKey(StoredKey Key) : ISideWrite
{
    public Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct) =>
        EntryStore.AddKeysAsync(session, entryId, [Key], at, ct);
}

/// The entry while a PATCH applies its operations: the row's fields as JSON, and the writes the
/// operations make beside the row. What counts as a change is decided here, in one place: row
/// fields that differ, or any side write (an operation that only writes a side table is a change).
internal sealed class PatchWorkingCopy
{
    public required string Id { get; init; }
    public required string MediaType { get; init; }
    public required JsonObject Asset { get; set; }
    public required JsonObject Metadata { get; init; }
    public required JsonArray Translations { get; init; }
    public bool Revoked { get; set; }
    public string? RevokeNote { get; set; }
    public bool Archived { get; set; }

    /// SPEC §17: the image's edits as stored JSON; null when none.
    public string? ImageEdits { get; set; }

    public List<ISideWrite> SideWrites { get; } = [];

    /// The entry's usage log, read under the row lock when the request has usage-log operations.
    public List<UsageLog.UsageLogRow>? UsageLog { get; set; }

    public static PatchWorkingCopy From(EntryRow row) => new()
    {
        Id = row.Id,
        MediaType = row.MediaType,
        Asset = JsonNode.Parse(row.Asset)!.AsObject(),
        Metadata = JsonNode.Parse(row.Metadata)!.AsObject(),
        Translations = JsonNode.Parse(row.Translations)!.AsArray(),
        Revoked = row.Revoked,
        RevokeNote = row.RevokeNote,
        Archived = row.Archived,
        ImageEdits = row.ImageEdits,
    };

    /// True when writing this copy would change anything stored.
    public bool ChangesAnything(EntryRow row) => SideWrites.Count > 0 || !SameFieldsAs(row);

    private bool SameFieldsAs(EntryRow row) =>
        Revoked == row.Revoked && RevokeNote == row.RevokeNote && Archived == row.Archived && SameEdits(ImageEdits, row.ImageEdits) &&
        JsonNode.DeepEquals(Asset, JsonNode.Parse(row.Asset)) &&
        JsonNode.DeepEquals(Metadata, JsonNode.Parse(row.Metadata)) &&
        JsonNode.DeepEquals(Translations, JsonNode.Parse(row.Translations));

    /// Compared as edits: PostgreSQL hands jsonb back in its own spacing.
    public static bool SameEdits(string? a, string? b) =>
        Delivery.ImageEdits.FromStored(a)?.Canonical == Delivery.ImageEdits.FromStored(b)?.Canonical;

    public JsonObject? Translation(string locale) =>
        Translations.OfType<JsonObject>().FirstOrDefault(t => t["locale"]?.GetValue<string>() == locale);
}
