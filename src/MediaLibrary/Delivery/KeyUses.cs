using MediaLibrary.Entries;
using MediaLibrary.Storage;

namespace MediaLibrary.Delivery;

/// What serve-image knows of a key: one row per entry that uses it. Shared between requests: never changed.
internal sealed class KeyUse
{
    public string? MimeType { get; init; }
    public long? Size { get; init; }
    public string? Sha256 { get; init; }
    public DateTimeOffset? AddedAt { get; init; }
    public string EntryId { get; init; } = "";
    public string MediaType { get; init; } = "";
    public bool Revoked { get; init; }
    public string Metadata { get; init; } = "{}";

    /// SPEC §17: the entry's edits (stored JSON, null when none) and when the entry last changed.
    public string? ImageEdits { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// Every entry that uses a key, with what delivery needs. One implementation per provider, chosen at start.
internal interface IKeyUses
{
    Task<IReadOnlyList<KeyUse>> FindAsync(string key, CancellationToken ct);
}

/// PostgreSQL: one indexed query per request (it has no cheap "nothing changed" number to cache by).
internal sealed class PostgresKeyUses(Database database) : IKeyUses
{
    public async Task<IReadOnlyList<KeyUse>> FindAsync(string key, CancellationToken ct) => await KeyUseQuery.RunAsync(database, key, ct);
}

internal static class KeyUseQuery
{
    private const string Sql =
        """
        SELECT k.mime_type, k.size, k.sha256, k.added_at, e.id AS entry_id, e.media_type, e.revoked, e.metadata, e.image_edits, e.updated_at
        FROM media_entry_keys k JOIN media_entries e ON e.id = k.entry_id
        WHERE k.key = @key
        """;

    // Read by position with typed getters: this runs on every serve-image request that the cache misses.
    public static async Task<List<KeyUse>> RunAsync(Database database, string key, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryAsync(Sql, r => new KeyUse
        {
            MimeType = r.IsDBNull(0) ? null : r.GetString(0),
            Size = r.IsDBNull(1) ? null : r.GetInt64(1),
            Sha256 = r.IsDBNull(2) ? null : r.GetString(2),
            AddedAt = r.IsDBNull(3) ? null : EntryRow.Timestamp(r, 3),
            EntryId = r.GetString(4),
            MediaType = r.GetString(5),
            Revoked = r.GetBoolean(6),
            Metadata = r.GetString(7),
            ImageEdits = r.IsDBNull(8) ? null : r.GetString(8),
            UpdatedAt = EntryRow.Timestamp(r, 9),
        }, ct, ("key", key));
    }
}
