using System.Data.Common;
using MediaLibrary.Events;
using MediaLibrary.References;
using MediaLibrary.Storage;

namespace MediaLibrary.Entries;

public enum InsertOutcome
{
    Inserted,
    DuplicateId,
    DuplicateExternalId,

    /// A key of the entry was an upload the orphan sweeper had removed: nothing was written.
    SweptKey,

    /// The caller's write beside the entry declined (an import item that is not its own any more): nothing was written.
    Abandoned,
}

/// An entry to insert with what goes with it: its keys, its `create` event and its validity boundaries.
internal sealed record NewEntry(EntryRow Row, IReadOnlyList<StoredKey> Keys, NewEvent Created, IReadOnlyList<DateTimeOffset> Boundaries);

/// Reads and writes media_entries and their key history with plain SQL, all through <see cref="DbSession"/>.
internal sealed class EntryStore(Database database)
{
    private static readonly string SelectWithReferenceCounts = $"SELECT {EntryRow.ColumnsWithReferenceCounts} FROM media_entries WHERE id = @id";
    private static readonly string SelectWithoutReferenceCounts = $"SELECT {EntryRow.Columns} FROM media_entries WHERE id = @id";
    private static readonly string SelectByExternalId = $"SELECT {EntryRow.ColumnsWithReferenceCounts} FROM media_entries WHERE external_id = @externalId ORDER BY system_name, id";
    private static readonly string SelectByExternalIdAndSystem =
        $"SELECT {EntryRow.ColumnsWithReferenceCounts} FROM media_entries WHERE external_id = @externalId AND system_name = @systemName ORDER BY system_name, id";

    // Statements that differ by provider, built once (the prepared-statement cache is keyed by their text).
    private readonly string _selectMany = $"SELECT {EntryRow.ColumnsWithReferenceCounts} FROM media_entries WHERE {database.Dialect.InList("id", "@ids")}";
    private readonly string _selectForUpdate = $"SELECT {EntryRow.Columns} FROM media_entries WHERE id = @id{database.Dialect.ForUpdate}";
    private readonly string _insert =
        $"""
        INSERT INTO media_entries ({EntryRow.Columns})
        VALUES ({string.Join(", ", EntryRow.Stored.Select(c => EntryRow.Value(c, database.Dialect)))})
        """;

    private readonly string _conditionalUpdate =
        $"""
        UPDATE media_entries
        SET {string.Join(", ", Updated.Select(c => $"{EntryRow.Name(c)} = {EntryRow.Value(c, database.Dialect)}"))}
        WHERE id = @Id AND version = @ExpectedVersion
        """;

    /// What a PATCH may change; the rest (id, media type, system name, external id, created at) never changes.
    private static readonly EntryColumn[] Updated =
    [
        EntryColumn.Version, EntryColumn.Revoked, EntryColumn.RevokeNote, EntryColumn.Archived, EntryColumn.Asset, EntryColumn.Metadata,
        EntryColumn.Translations, EntryColumn.UpdatedAt, EntryColumn.ImageEdits,
    ];

    // Where a CTE may write (PostgreSQL): the same conditional UPDATE and its events in one
    // statement, so the fast path stays one round trip in autocommit.
    private string UpdateWithEvents => field ??= EventLog.AfterUpdate($"{_conditionalUpdate} RETURNING id");

    /// One entry; `withReferenceCounts: false` where nobody shows the reference counts (saves two subqueries).
    public async Task<EntryRow?> GetAsync(string id, CancellationToken ct, bool withReferenceCounts = true)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryFirstOrDefaultAsync(withReferenceCounts ? SelectWithReferenceCounts : SelectWithoutReferenceCounts, EntryRow.Read, ct, ("id", id));
    }

    /// One query for up to 100 ids; the caller restores the order.
    public async Task<List<EntryRow>> GetManyAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryAsync(_selectMany, EntryRow.Read, ct, ("ids", ids.ToArray()));
    }

    public async Task<List<EntryRow>> FindByExternalIdAsync(string externalId, string? systemName, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return systemName is null
            ? await session.QueryAsync(SelectByExternalId, EntryRow.Read, ct, ("externalId", externalId))
            : await session.QueryAsync(SelectByExternalIdAndSystem, EntryRow.Read, ct, ("externalId", externalId), ("systemName", systemName));
    }

    /// Inserts the entry with its keys, links, boundaries and event; `alongside` writes in the same
    /// transaction and may decline (false), and then nothing is written.
    public async Task<InsertOutcome> InsertAsync(
        EntryRow row, IEnumerable<StoredKey> keys, NewEvent created, IReadOnlyList<DateTimeOffset> boundaries, CancellationToken ct,
        Func<DbSession, Task<bool>>? alongside = null)
    {
        await using var session = await database.OpenWriteAsync(ct);
        try
        {
            await session.ExecuteAsync(_insert, ct, RowParameters(row));
            await AddKeysAsync(session, row.Id, keys, row.CreatedAt, ct);
            // A new entry has no references yet: only links in its metadata need writing.
            if (ReferencesOf(row.Metadata) is { Count: > 0 } references)
            {
                await ReferenceIndex.ReplaceMediaAsync(session, row.Id, references, ct);
            }

            if (boundaries.Count > 0)
            {
                await ValidityBoundaries.ReplaceAsync(session, row.Id, boundaries, ct);
            }

            await EventLog.AppendAsync(session, [created], row.CreatedAt, ct);
            if (alongside is not null && !await alongside(session))
            {
                return InsertOutcome.Abandoned;
            }

            await session.CommitAsync(ct);
            return InsertOutcome.Inserted;
        }
        catch (DbException e) when (Dialect.UniqueViolation(e) is { } constraint)
        {
            return constraint.Contains("external", StringComparison.Ordinal) ? InsertOutcome.DuplicateExternalId : InsertOutcome.DuplicateId;
        }
        catch (Lifecycle.SweptUploadException)
        {
            return InsertOutcome.SweptKey;
        }
    }

    /// The entries of one import call, each atomic on its own, outcomes in their order. SQLite: each
    /// its own insert (its one writer commits queued writes together anyway). PostgreSQL: one
    /// transaction and a statement per table for all of them (round trips are what an insert costs
    /// there), the entries `ON CONFLICT DO NOTHING` so a taken id or external id skips only its own
    /// entry, and keys, links, boundaries and events written for the inserted ones alone.
    public async Task<InsertOutcome[]> InsertManyAsync(IReadOnlyList<NewEntry> entries, CancellationToken ct)
    {
        // Two items of one call with the same id or external id: the first one stored wins, as if
        // sent one after the other, which is what the one-by-one path does.
        var sameCall = entries.GroupBy(e => e.Row.Id, StringComparer.Ordinal).Any(g => g.Count() > 1) ||
                       entries.Where(e => e.Row.ExternalId is not null).GroupBy(e => (e.Row.SystemName, e.Row.ExternalId)).Any(g => g.Count() > 1);
        if (!database.Dialect.IsPostgres || entries.Count == 1 || sameCall)
        {
            var outcomes = new InsertOutcome[entries.Count];
            for (var i = 0; i < entries.Count; i++)
            {
                var (row, keys, created, boundaries) = entries[i];
                outcomes[i] = await InsertAsync(row, keys, created, boundaries, ct);
            }

            return outcomes;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await InsertTogetherAsync(entries, ct);
            }
            catch (SweptMeanwhileException) when (attempt < 3)
            {
                // Nothing was kept; the next attempt sees the mark and fails those entries alone.
            }
        }
    }

    private async Task<InsertOutcome[]> InsertTogetherAsync(IReadOnlyList<NewEntry> entries, CancellationToken ct)
    {
        var outcomes = new InsertOutcome[entries.Count];
        await using var session = await database.OpenWriteAsync(ct);
        // An upload the orphan sweeper removed fails the entries that name it, and only those.
        var allKeys = entries.SelectMany(e => e.Keys.Select(k => k.Key)).Distinct(StringComparer.Ordinal).ToArray();
        var swept = (await session.QueryAsync<string>("SELECT key FROM uploads WHERE key = ANY(@keys) AND swept_at IS NOT NULL", ct, ("keys", allKeys)))
            .ToHashSet(StringComparer.Ordinal);
        var candidates = new List<int>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Keys.Any(k => swept.Contains(k.Key)))
            {
                outcomes[i] = InsertOutcome.SweptKey;
            }
            else
            {
                candidates.Add(i);
            }
        }

        var rows = candidates.Select(i => entries[i].Row).ToList();
        var inserted = rows.Count == 0 ? [] : (await session.QueryAsync<string>(
            $"""
            INSERT INTO media_entries ({EntryRow.Columns})
            SELECT {EntryRow.Columns} FROM {database.Dialect.Rows("v", ("id", "@ids", "text"), ("version", "@versions", "int"), ("media_type", "@types", "text"),
                ("system_name", "@systems", "text"), ("external_id", "@externals", "text"), ("revoked", "@revoked", "boolean"), ("revoke_note", "@notes", "text"),
                ("archived", "@archived", "boolean"), ("asset", "@assets", "jsonb"), ("metadata", "@metadata", "jsonb"), ("translations", "@translations", "jsonb"),
                ("created_at", "@created", "timestamptz"), ("updated_at", "@updated", "timestamptz"), ("image_edits", "@edits", "jsonb"))}
            ORDER BY v.ordinal
            ON CONFLICT DO NOTHING
            RETURNING id
            """, ct,
            ("ids", rows.Select(r => r.Id).ToArray()), ("versions", rows.Select(r => r.Version).ToArray()), ("types", rows.Select(r => r.MediaType).ToArray()),
            ("systems", rows.Select(r => r.SystemName).ToArray()), ("externals", rows.Select(r => r.ExternalId).ToArray()),
            ("revoked", rows.Select(r => r.Revoked).ToArray()), ("notes", rows.Select(r => r.RevokeNote).ToArray()), ("archived", rows.Select(r => r.Archived).ToArray()),
            ("assets", rows.Select(r => r.Asset).ToArray()), ("metadata", rows.Select(r => r.Metadata).ToArray()), ("translations", rows.Select(r => r.Translations).ToArray()),
            ("created", rows.Select(r => (DateTimeOffset?)r.CreatedAt).ToArray()), ("updated", rows.Select(r => (DateTimeOffset?)r.UpdatedAt).ToArray()),
            ("edits", rows.Select(r => r.ImageEdits).ToArray()))).ToHashSet(StringComparer.Ordinal);

        // What skipped the others: their id, or else their external id, is taken.
        var skipped = candidates.Where(i => !inserted.Contains(entries[i].Row.Id)).ToList();
        var taken = skipped.Count == 0 ? [] : (await session.QueryAsync<string>(
            "SELECT id FROM media_entries WHERE id = ANY(@ids)", ct, ("ids", skipped.Select(i => entries[i].Row.Id).ToArray()))).ToHashSet(StringComparer.Ordinal);
        foreach (var i in skipped)
        {
            outcomes[i] = taken.Contains(entries[i].Row.Id) ? InsertOutcome.DuplicateId : InsertOutcome.DuplicateExternalId;
        }

        var stored = candidates.Where(i => inserted.Contains(entries[i].Row.Id)).ToList();
        if (stored.Count > 0)
        {
            var keys = stored.SelectMany(i => entries[i].Keys.DistinctBy(k => k.Key).Select(k => (Entry: entries[i].Row, Key: k))).ToList();
            if (keys.Count > 0)
            {
                // The uploads become the entries' (never swept); a sweep that marked one since the
                // read above makes the whole call go again, and then its entries fail alone.
                var claimed = await session.QueryAsync("DELETE FROM uploads WHERE key = ANY(@keys) RETURNING key, swept_at", r => r.IsDBNull(1), ct,
                    ("keys", keys.Select(k => k.Key.Key).Distinct(StringComparer.Ordinal).ToArray()));
                if (claimed.Any(unswept => !unswept))
                {
                    throw new SweptMeanwhileException();
                }

                await session.ExecuteAsync(
                    $"""
                    INSERT INTO media_entry_keys (key, entry_id, mime_type, size, sha256, added_at)
                    SELECT k.key, k.entry_id, k.mime_type, k.size, k.sha256, k.added_at
                    FROM {database.Dialect.Rows("k", ("key", "@keys", "text"), ("entry_id", "@ids", "text"), ("mime_type", "@types", "text"),
                        ("size", "@sizes", "bigint"), ("sha256", "@hashes", "text"), ("added_at", "@at", "timestamptz"))}
                    ON CONFLICT DO NOTHING
                    """, ct,
                    ("keys", keys.Select(k => k.Key.Key).ToArray()), ("ids", keys.Select(k => k.Entry.Id).ToArray()),
                    ("types", keys.Select(k => k.Key.MimeType).ToArray()), ("sizes", keys.Select(k => k.Key.Size).ToArray()),
                    ("hashes", keys.Select(k => k.Key.Sha256).ToArray()), ("at", keys.Select(k => (DateTimeOffset?)k.Entry.CreatedAt).ToArray()));
            }

            foreach (var i in stored)
            {
                var (row, _, _, boundaries) = entries[i];
                if (ReferencesOf(row.Metadata) is { Count: > 0 } references)
                {
                    await ReferenceIndex.ReplaceMediaAsync(session, row.Id, references, ct);
                }

                if (boundaries.Count > 0)
                {
                    await ValidityBoundaries.ReplaceAsync(session, row.Id, boundaries, ct);
                }
            }

            await EventLog.AppendAsync(session, [.. stored.Select(i => entries[i].Created)], entries[stored[^1]].Row.CreatedAt, ct);
        }

        await session.CommitAsync(ct);
        return outcomes;
    }

    /// A sweep marked an upload between an import's read of the marks and its claim of the keys.
    private sealed class SweptMeanwhileException : Exception;

    /// Opens the transaction of a PATCH: the row is read under the write lock.
    public async Task<(DbSession Session, EntryRow? Row)> BeginUpdateAsync(string id, CancellationToken ct)
    {
        var session = await database.OpenWriteAsync(ct);
        try
        {
            return (session, await session.QueryFirstOrDefaultAsync(_selectForUpdate, EntryRow.Read, ct, ("id", id)));
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// A batch PATCH's transaction with its entries' rows locked, in id order (the order every
    /// writer that locks several rows uses); ids with no entry are absent.
    public async Task<(DbSession Session, Dictionary<string, EntryRow> Rows)> BeginUpdateManyAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var session = await database.OpenWriteAsync(ct);
        try
        {
            var rows = await session.QueryAsync(
                $"SELECT {EntryRow.Columns} FROM media_entries WHERE {database.Dialect.InList("id", "@ids")} ORDER BY id{database.Dialect.ForUpdate}",
                EntryRow.Read, ct, ("ids", ids.Distinct(StringComparer.Ordinal).ToArray()));
            return (session, rows.ToDictionary(r => r.Id, StringComparer.Ordinal));
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// The writes of many PATCHes that make no side write and change no link, under their row locks:
    /// on PostgreSQL one UPDATE for all rows and one append for all their events (round trips are
    /// what a PATCH costs there); on SQLite the prepared conditional UPDATE per row.
    public async Task UpdateManyAsync(DbSession session, IReadOnlyList<(EntryRow Updated, int ExpectedVersion)> rows, IReadOnlyList<NewEvent> changes, DateTimeOffset now, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var dialect = database.Dialect;
        if (!dialect.IsPostgres)
        {
            // SQLite has no round trips: a prepared statement per row beats joining ten JSON arrays.
            foreach (var (updated, expected) in rows)
            {
                if (await session.ExecuteAsync(_conditionalUpdate, ct, UpdateParameters(updated, expected)) != 1)
                {
                    throw new InvalidOperationException($"A batch update missed the locked row {updated.Id}.");
                }
            }

            await EventLog.AppendAsync(session, changes, now, ct);
            return;
        }

        var written = await session.ExecuteAsync(
            $"""
            UPDATE media_entries
            SET version = v.version, revoked = v.revoked, revoke_note = v.revoke_note, archived = v.archived,
                asset = v.asset, metadata = v.metadata, translations = v.translations, updated_at = v.updated_at, image_edits = v.image_edits
            FROM {dialect.Rows("v", ("id", "@ids", "text"), ("expected", "@expected", "int"), ("version", "@versions", "int"), ("revoked", "@revoked", "boolean"),
                ("revoke_note", "@notes", "text"), ("archived", "@archived", "boolean"), ("asset", "@assets", "jsonb"), ("metadata", "@metadata", "jsonb"),
                ("translations", "@translations", "jsonb"), ("updated_at", "@updated", "timestamptz"), ("image_edits", "@edits", "jsonb"))}
            WHERE media_entries.id = v.id AND media_entries.version = v.expected
            """, ct,
            ("ids", rows.Select(r => r.Updated.Id).ToArray()), ("expected", rows.Select(r => r.ExpectedVersion).ToArray()),
            ("versions", rows.Select(r => r.Updated.Version).ToArray()), ("revoked", rows.Select(r => r.Updated.Revoked).ToArray()),
            ("notes", rows.Select(r => r.Updated.RevokeNote).ToArray()), ("archived", rows.Select(r => r.Updated.Archived).ToArray()),
            ("assets", rows.Select(r => r.Updated.Asset).ToArray()), ("metadata", rows.Select(r => r.Updated.Metadata).ToArray()),
            ("translations", rows.Select(r => r.Updated.Translations).ToArray()), ("updated", rows.Select(r => (DateTimeOffset?)r.Updated.UpdatedAt).ToArray()),
            ("edits", rows.Select(r => r.Updated.ImageEdits).ToArray()));
        if (written != rows.Count)
        {
            // The rows are locked by this transaction: only a broken lock gets here. Nothing is kept.
            throw new InvalidOperationException($"A batch update wrote {written} of {rows.Count} locked rows.");
        }

        await EventLog.AppendAsync(session, changes, now, ct);
    }

    /// The conditional write of a PATCH that makes no side write and changes no link, with its
    /// events: on PostgreSQL one statement in autocommit (the UPDATE in a CTE, the events inserted
    /// from its result), on SQLite a short transaction. False when the row no longer has the
    /// expected version (then nothing was written).
    public async Task<bool> UpdateAloneAsync(EntryRow row, int expectedVersion, IReadOnlyList<NewEvent> changes, DateTimeOffset now, CancellationToken ct)
    {
        if (database.Dialect.WritesInCte)
        {
            await using var autocommit = await database.OpenAutocommitWriteAsync(ct);
            return await EventLog.UpdateWithEventsAsync(autocommit, UpdateWithEvents, UpdateParameters(row, expectedVersion), changes, row.MediaType, now, ct);
        }

        await using var session = await database.OpenWriteAsync(ct);
        if (await session.ExecuteAsync(_conditionalUpdate, ct, UpdateParameters(row, expectedVersion)) != 1)
        {
            return false;
        }

        await EventLog.AppendAsync(session, changes, now, ct);
        await session.CommitAsync(ct);
        return true;
    }

    /// The conditional write of a PATCH in its transaction, with its side writes and the reference
    /// index: true when the row still had the expected version.
    public async Task<bool> UpdateAsync(
        DbSession session, EntryRow row, EntryRow previous, IReadOnlyList<ISideWrite> sideWrites, IReadOnlyList<NewEvent> changes, DateTimeOffset now, CancellationToken ct)
    {
        if (await session.ExecuteAsync(_conditionalUpdate, ct, UpdateParameters(row, previous.Version)) != 1)
        {
            return false;
        }

        foreach (var write in sideWrites)
        {
            await write.WriteAsync(session, row.Id, row.UpdatedAt, ct);
        }

        // Most patches touch no reference: then the index is left alone (two round trips saved).
        if (!SameReferences(row.Metadata, previous.Metadata))
        {
            await ReferenceIndex.ReplaceMediaAsync(session, row.Id, ReferencesOf(row.Metadata), ct);
        }

        await EventLog.AppendAsync(session, changes, now, ct);
        return true;
    }

    public static bool SameReferences(string metadata, string previousMetadata) =>
        ReferencesOf(metadata).SequenceEqual(ReferencesOf(previousMetadata));

    private static (string Name, object? Value)[] UpdateParameters(EntryRow row, int expectedVersion)
    {
        var stored = row.Parameters();
        return [.. Updated.Select(c => stored[(int)c]), ("Id", row.Id), ("ExpectedVersion", expectedVersion)];
    }

    private static (string Name, object? Value)[] RowParameters(EntryRow row) => row.Parameters();

    public async Task<List<string>> KeysAsync(string id, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryAsync<string>("SELECT key FROM media_entry_keys WHERE entry_id = @id ORDER BY key", ct, ("id", id));
    }

    public static List<Reference> ReferencesOf(string metadata) =>
        ReferenceExtractor.FromMetadata(System.Text.Json.Nodes.JsonNode.Parse(metadata) as System.Text.Json.Nodes.JsonObject);

    public static async Task AddKeysAsync(DbSession session, string id, IEnumerable<StoredKey> keys, DateTimeOffset addedAt, CancellationToken ct)
    {
        foreach (var key in keys.DistinctBy(k => k.Key))
        {
            await Lifecycle.Uploads.ClaimAsync(session, key.Key, ct);
            await session.ExecuteAsync(
                """
                INSERT INTO media_entry_keys (key, entry_id, mime_type, size, sha256, added_at)
                VALUES (@key, @id, @mimeType, @size, @sha256, @addedAt)
                ON CONFLICT DO NOTHING
                """, ct, ("key", key.Key), ("id", id), ("mimeType", key.MimeType), ("size", key.Size), ("sha256", key.Sha256), ("addedAt", addedAt));
        }
    }
}
