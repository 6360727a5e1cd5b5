using System.Data.Common;
using MediaLibrary.Storage;

namespace MediaLibrary.Entries;

/// The columns of an entry row in the one order every statement names them and every reader reads
/// them: a column's ordinal is its value here, its SQL name the snake case of its name, its
/// parameter `@Name`. Adding one here moves the readers with it. The last two are computed (the
/// reference counts of <see cref="EntryRow.ColumnsWithReferenceCounts"/>).
internal enum EntryColumn
{
    Id,
    Version,
    MediaType,
    SystemName,
    ExternalId,
    Revoked,
    RevokeNote,
    Archived,
    Asset,
    Metadata,
    Translations,
    CreatedAt,
    UpdatedAt,
    ImageEdits,
    ReferencingDocuments,
    ReferencingMedia,
}

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

    /// SPEC §17: the image's edits as JSON (<see cref="Delivery.ImageEdits"/>); null when none.
    public string? ImageEdits { get; set; }

    /// (ours) Reference counts: how many published documents and media entries link here, read with the row.
    public int ReferencingDocuments { get; set; }
    public int ReferencingMedia { get; set; }

    /// The stored columns (without the computed reference counts).
    public static readonly EntryColumn[] Stored = Enum.GetValues<EntryColumn>()[..(int)EntryColumn.ReferencingDocuments];

    /// JSON columns: cast from text parameters on PostgreSQL (<see cref="Dialect.Json"/>).
    private static readonly HashSet<EntryColumn> JsonColumns = [EntryColumn.Asset, EntryColumn.Metadata, EntryColumn.Translations, EntryColumn.ImageEdits];

    public static readonly string Columns = string.Join(", ", Stored.Select(Name));

    /// The columns plus the reference counts: two primary-key lookups per row in the same query, never a query per entry.
    public static readonly string ColumnsWithReferenceCounts = Columns +
        ", COALESCE((SELECT sources FROM reference_counts WHERE target_id = media_entries.id AND source_kind = 'document'), 0) AS referencing_documents" +
        ", COALESCE((SELECT sources FROM reference_counts WHERE target_id = media_entries.id AND source_kind = 'media'), 0) AS referencing_media";

    /// The first ordinal after <see cref="ColumnsWithReferenceCounts"/>, for statements that select more.
    public const int NextOrdinal = (int)EntryColumn.ReferencingMedia + 1;

    /// `snake_case` of the column's name.
    public static string Name(EntryColumn column) =>
        string.Concat(column.ToString().Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// The parameter (with the dialect's JSON cast) that sets the column.
    public static string Value(EntryColumn column, Dialect dialect) => JsonColumns.Contains(column) ? dialect.Json("@" + column) : "@" + column;

    /// A row of <see cref="Columns"/> (and the reference counts when selected), read by position with
    /// typed getters: no boxing, no name lookups (a list of 100 reads 1,500 columns).
    public static EntryRow Read(DbDataReader r) => new()
    {
        Id = r.GetString(At(EntryColumn.Id)),
        Version = r.GetInt32(At(EntryColumn.Version)),
        MediaType = r.GetString(At(EntryColumn.MediaType)),
        SystemName = r.IsDBNull(At(EntryColumn.SystemName)) ? null : r.GetString(At(EntryColumn.SystemName)),
        ExternalId = r.IsDBNull(At(EntryColumn.ExternalId)) ? null : r.GetString(At(EntryColumn.ExternalId)),
        Revoked = r.GetBoolean(At(EntryColumn.Revoked)),
        RevokeNote = r.IsDBNull(At(EntryColumn.RevokeNote)) ? null : r.GetString(At(EntryColumn.RevokeNote)),
        Archived = r.GetBoolean(At(EntryColumn.Archived)),
        Asset = r.GetString(At(EntryColumn.Asset)),
        Metadata = r.GetString(At(EntryColumn.Metadata)),
        Translations = r.GetString(At(EntryColumn.Translations)),
        CreatedAt = Timestamp(r, At(EntryColumn.CreatedAt)),
        UpdatedAt = Timestamp(r, At(EntryColumn.UpdatedAt)),
        ImageEdits = r.IsDBNull(At(EntryColumn.ImageEdits)) ? null : r.GetString(At(EntryColumn.ImageEdits)),
        ReferencingDocuments = r.FieldCount > At(EntryColumn.ReferencingDocuments) ? r.GetInt32(At(EntryColumn.ReferencingDocuments)) : 0,
        ReferencingMedia = r.FieldCount > At(EntryColumn.ReferencingMedia) ? r.GetInt32(At(EntryColumn.ReferencingMedia)) : 0,
    };

    /// Every stored column's parameter, named as <see cref="Value"/> names it.
    public (string Name, object? Value)[] Parameters()
    {
        var parameters = new (string, object?)[Stored.Length];
        for (var i = 0; i < Stored.Length; i++)
        {
            parameters[i] = (ParameterNames[i], Get(Stored[i]));
        }

        return parameters;
    }

    private static readonly string[] ParameterNames = [.. Stored.Select(c => c.ToString())];

    private object? Get(EntryColumn column) => column switch
    {
        EntryColumn.Id => Id,
        EntryColumn.Version => Version,
        EntryColumn.MediaType => MediaType,
        EntryColumn.SystemName => SystemName,
        EntryColumn.ExternalId => ExternalId,
        EntryColumn.Revoked => Revoked,
        EntryColumn.RevokeNote => RevokeNote,
        EntryColumn.Archived => Archived,
        EntryColumn.Asset => Asset,
        EntryColumn.Metadata => Metadata,
        EntryColumn.Translations => Translations,
        EntryColumn.CreatedAt => CreatedAt,
        EntryColumn.UpdatedAt => UpdatedAt,
        EntryColumn.ImageEdits => ImageEdits,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a stored column"),
    };

    private static int At(EntryColumn column) => (int)column;

    public static DateTimeOffset Timestamp(DbDataReader r, int i) => DapperSetup.ReadTimestamp(r, i);
}
