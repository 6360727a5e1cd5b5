namespace MediaLibrary.Entries;

/// A row of media_entries as stored; handlers answer with <see cref="EntryResponse"/>, never this.
internal sealed class EntryRow
{
    public string Id { get; set; } = "";
    public int Version { get; set; }
    public string MediaType { get; set; } = "";
    public string? SystemName { get; set; }
    public string? ExternalId { get; set; }
    public bool Revoked { get; set; }
    public string? RevokeNote { get; set; }
    public bool Archived { get; set; }
    public string Asset { get; set; } = "{}";
    public string Metadata { get; set; } = "{}";
    public string Translations { get; set; } = "[]";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// (ours) How many published documents and media entries link here, read with the row.
    public int UsageDocuments { get; set; }
    public int UsageMedia { get; set; }

    public const string Columns =
        "id, version, media_type, system_name, external_id, revoked, revoke_note, archived, asset, metadata, translations, created_at, updated_at";

    /// The columns plus the usage counts: two primary-key lookups per row in the same query, never a query per entry.
    public const string ColumnsWithUsage = Columns +
        ", COALESCE((SELECT sources FROM reference_counts WHERE target_id = media_entries.id AND source_kind = 'document'), 0) AS usage_documents" +
        ", COALESCE((SELECT sources FROM reference_counts WHERE target_id = media_entries.id AND source_kind = 'media'), 0) AS usage_media";
}
