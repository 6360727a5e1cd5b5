using System.Data.Common;
using Dapper;
using MediaLibrary.References;
using MediaLibrary.Storage;

namespace MediaLibrary.Entries;

internal sealed class KeyUse
{
    public string? MimeType { get; set; }
    public long? Size { get; set; }
    public string? Sha256 { get; set; }
    public DateTimeOffset? AddedAt { get; set; }
    public string EntryId { get; set; } = "";
    public string MediaType { get; set; } = "";
    public bool Revoked { get; set; }
    public string Metadata { get; set; } = "{}";
}

public enum InsertOutcome
{
    Inserted,
    DuplicateId,
    DuplicateExternalId,
}

/// Reads and writes media_entries and their key history with plain SQL.
internal sealed class EntryStore(Database database)
{
    private Dialect Sql => database.Dialect;

    private const string SelectWithUsage = $"SELECT {EntryRow.ColumnsWithUsage} FROM media_entries WHERE id = @id";
    private const string SelectWithoutUsage = $"SELECT {EntryRow.Columns} FROM media_entries WHERE id = @id";
    private const string SelectByExternalId = $"SELECT {EntryRow.ColumnsWithUsage} FROM media_entries WHERE external_id = @externalId ORDER BY system_name, id";
    private const string SelectByExternalIdAndSystem =
        $"SELECT {EntryRow.ColumnsWithUsage} FROM media_entries WHERE external_id = @externalId AND system_name = @systemName ORDER BY system_name, id";

    // Statements that differ by provider, built once (the prepared-statement cache is keyed by their text).
    private readonly string _selectMany = $"SELECT {EntryRow.ColumnsWithUsage} FROM media_entries WHERE {database.Dialect.InList("id", "@ids")}";
    private readonly string _selectForUpdate = $"SELECT {EntryRow.Columns} FROM media_entries WHERE id = @id{database.Dialect.ForUpdate}";
    private readonly string _conditionalUpdate =
        $"""
        UPDATE media_entries
        SET version = @Version, revoked = @Revoked, revoke_note = @RevokeNote, archived = @Archived,
            asset = {database.Dialect.Json("@Asset")}, metadata = {database.Dialect.Json("@Metadata")}, translations = {database.Dialect.Json("@Translations")},
            updated_at = @UpdatedAt
        WHERE id = @Id AND version = @ExpectedVersion
        """;

    /// One entry; `withUsage: false` where nobody shows the usage counts (saves two subqueries).
    public async Task<EntryRow?> GetAsync(string id, CancellationToken ct, bool withUsage = true)
    {
        await using var session = await database.OpenPreparedAsync(cancellationToken: ct);
        return await session.QueryFirstOrDefaultAsync(withUsage ? SelectWithUsage : SelectWithoutUsage, EntryRow.Read, ct, ("id", id));
    }

    /// One query for up to 100 ids; the caller restores the order.
    public async Task<List<EntryRow>> GetManyAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var session = await database.OpenPreparedAsync(cancellationToken: ct);
        return await session.QueryAsync(_selectMany, EntryRow.Read, ct, ("ids", ids.ToArray()));
    }

    public async Task<List<EntryRow>> FindByExternalIdAsync(string externalId, string? systemName, CancellationToken ct)
    {
        await using var session = await database.OpenPreparedAsync(cancellationToken: ct);
        return systemName is null
            ? await session.QueryAsync(SelectByExternalId, EntryRow.Read, ct, ("externalId", externalId))
            : await session.QueryAsync(SelectByExternalIdAndSystem, EntryRow.Read, ct, ("externalId", externalId), ("systemName", systemName));
    }

    public async Task<InsertOutcome> InsertAsync(EntryRow row, IEnumerable<StoredKey> keys, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await Database.BeginWriteAsync(connection, ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO media_entries ({EntryRow.Columns})
                VALUES (@Id, @Version, @MediaType, @SystemName, @ExternalId, @Revoked, @RevokeNote, @Archived,
                        {Sql.Json("@Asset")}, {Sql.Json("@Metadata")}, {Sql.Json("@Translations")}, @CreatedAt, @UpdatedAt)
                """, row, transaction, cancellationToken: ct));
            await AddKeysAsync(connection, transaction, row.Id, keys, row.CreatedAt, ct);
            // A new entry has no references yet: only links in its metadata need writing.
            if (ReferencesOf(row.Metadata) is { Count: > 0 } references)
            {
                await ReferenceIndex.ReplaceMediaAsync(connection, transaction, row.Id, references, ct);
            }

            await transaction.CommitAsync(ct);
            return InsertOutcome.Inserted;
        }
        catch (DbException e) when (Dialect.UniqueViolation(e) is { } constraint)
        {
            return constraint.Contains("external", StringComparison.Ordinal) ? InsertOutcome.DuplicateExternalId : InsertOutcome.DuplicateId;
        }
    }

    /// Opens the transaction of a PATCH: the row is read under the write lock.
    public async Task<(DbConnection Connection, DbTransaction Transaction, EntryRow? Row)> BeginUpdateAsync(string id, CancellationToken ct)
    {
        var connection = await database.OpenAsync(ct);
        try
        {
            var transaction = await Database.BeginWriteAsync(connection, ct);
            EntryRow? row;
            await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(_selectForUpdate, new { id }, transaction, cancellationToken: ct)))
            {
                row = await reader.ReadAsync(ct) ? EntryRow.Read(reader) : null;
            }

            return (connection, transaction, row);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// The conditional write of a PATCH that adds no key and changes no link: one statement in
    /// autocommit, atomic by itself. False when the row no longer has the expected version.
    public async Task<bool> UpdateAloneAsync(EntryRow row, int expectedVersion, CancellationToken ct)
    {
        await using var session = await database.OpenPreparedAsync(cancellationToken: ct);
        return await session.ExecuteAsync(_conditionalUpdate, ct, UpdateParameters(row, expectedVersion)) == 1;
    }

    /// The single conditional write of a PATCH: true when the row still had the expected version.
    public async Task<bool> UpdateAsync(
        DbConnection connection, DbTransaction transaction, EntryRow row, EntryRow previous, IEnumerable<StoredKey> newKeys, CancellationToken ct)
    {
        if (!await ConditionalUpdateAsync(connection, transaction, row, previous.Version, ct))
        {
            return false;
        }

        await AddKeysAsync(connection, transaction, row.Id, newKeys, row.UpdatedAt, ct);
        // Most patches touch no reference: then the index is left alone (two round trips saved).
        if (!SameReferences(row.Metadata, previous.Metadata))
        {
            await ReferenceIndex.ReplaceMediaAsync(connection, transaction, row.Id, ReferencesOf(row.Metadata), ct);
        }

        return true;
    }

    public static bool SameReferences(string metadata, string previousMetadata) =>
        ReferencesOf(metadata).SequenceEqual(ReferencesOf(previousMetadata));

    private static (string Name, object? Value)[] UpdateParameters(EntryRow row, int expectedVersion) =>
    [
        ("Id", row.Id), ("Version", row.Version), ("Revoked", row.Revoked), ("RevokeNote", row.RevokeNote), ("Archived", row.Archived),
        ("Asset", row.Asset), ("Metadata", row.Metadata), ("Translations", row.Translations), ("UpdatedAt", row.UpdatedAt),
        ("ExpectedVersion", expectedVersion),
    ];

    private async Task<bool> ConditionalUpdateAsync(DbConnection connection, DbTransaction transaction, EntryRow row, int expectedVersion, CancellationToken ct)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in UpdateParameters(row, expectedVersion))
        {
            parameters.Add(name, value);
        }

        return await connection.ExecuteAsync(new CommandDefinition(_conditionalUpdate, parameters, transaction, cancellationToken: ct)) == 1;
    }

    /// Every entry that uses the key, with what delivery needs: one indexed query.
    public async Task<List<KeyUse>> FindKeyUsesAsync(string key, CancellationToken ct)
    {
        await using var session = await database.OpenPreparedAsync(cancellationToken: ct);
        return await session.QueryAsync<KeyUse>(
            """
            SELECT k.mime_type, k.size, k.sha256, k.added_at, e.id AS entry_id, e.media_type, e.revoked, e.metadata
            FROM media_entry_keys k JOIN media_entries e ON e.id = k.entry_id
            WHERE k.key = @key
            """, ct, ("key", key));
    }

    public async Task<List<string>> KeysAsync(string id, CancellationToken ct)
    {
        await using var session = await database.OpenPreparedAsync(cancellationToken: ct);
        return await session.QueryAsync<string>("SELECT key FROM media_entry_keys WHERE entry_id = @id ORDER BY key", ct, ("id", id));
    }

    private static List<Reference> ReferencesOf(string metadata) =>
        ReferenceExtractor.FromMetadata(System.Text.Json.Nodes.JsonNode.Parse(metadata) as System.Text.Json.Nodes.JsonObject);

    private static async Task AddKeysAsync(
        DbConnection connection, DbTransaction transaction, string id, IEnumerable<StoredKey> keys, DateTimeOffset addedAt, CancellationToken ct)
    {
        foreach (var key in keys.DistinctBy(k => k.Key))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO media_entry_keys (key, entry_id, mime_type, size, sha256, added_at)
                VALUES (@Key, @id, @MimeType, @Size, @Sha256, @addedAt)
                ON CONFLICT DO NOTHING
                """,
                new { key.Key, id, key.MimeType, key.Size, key.Sha256, addedAt }, transaction, cancellationToken: ct));
        }
    }
}
