using System.Text.Json;
using MediaLibrary.Storage;

namespace MediaLibrary.Events;

/// Appends events inside the caller's transaction: a rolled-back write leaves none. On PostgreSQL
/// they get their public id later, from <see cref="EventSequencer"/>, once they have committed.
internal static class EventLog
{
    /// The columns a writer fills; `position` is the public id (<see cref="Dialect.NewEventPosition"/>).
    private const string Columns = "name, media_id, document_id, media_type, version, actor_type, actor_name, changed, created_at, keys, position";

    private static readonly Func<Dialect, string> BuildInsert = InsertSql;

    private static string Insert(Dialect dialect) => dialect.Statement("events.insert", BuildInsert);

    private static string InsertSql(Dialect dialect) =>
        $"""
        INSERT INTO events ({Columns})
        VALUES (@name, @mediaId, @documentId, @mediaType, @version, @actorType, @actorName, @changed, @createdAt, @keys, {dialect.NewEventPosition})
        """;

    /// Appends the events in the session's transaction; they are signalled when it commits.
    public static async Task AppendAsync(DbSession session, IReadOnlyList<NewEvent> events, DateTimeOffset at, CancellationToken ct)
    {
        if (events.Count > 1 && session.Dialect.IsPostgres)
        {
            // One round trip for many (a batch PATCH's): the rows in their order, numbered later.
            await session.ExecuteAsync(
                $"""
                INSERT INTO events ({Columns})
                SELECT e.name, e.media_id, e.document_id, e.media_type, e.version, e.actor_type, e.actor_name, e.changed, @createdAt, e.keys, NULL
                FROM {session.Dialect.Rows("e", ("name", "@names", "text"), ("media_id", "@mediaIds", "text"), ("document_id", "@documentIds", "bigint"),
                    ("media_type", "@mediaTypes", "text"), ("version", "@versions", "int"), ("actor_type", "@actorTypes", "text"),
                    ("actor_name", "@actorNames", "text"), ("changed", "@changed", "text"), ("keys", "@keys", "text"))}
                ORDER BY e.ordinal
                """, ct,
                ("names", events.Select(e => e.Name).ToArray()), ("mediaIds", events.Select(e => e.MediaId).ToArray()),
                ("documentIds", events.Select(e => e.DocumentId).ToArray()), ("mediaTypes", events.Select(e => e.MediaType).ToArray()),
                ("versions", events.Select(e => e.Version).ToArray()), ("actorTypes", events.Select(e => e.Actor.Type).ToArray()),
                ("actorNames", events.Select(e => e.Actor.Name).ToArray()), ("changed", events.Select(Changed).ToArray()),
                ("keys", events.Select(e => e.Keys is null ? null : JsonSerializer.Serialize(e.Keys)).ToArray()), ("createdAt", at));
            session.EventsAppended();
            return;
        }

        // SQLite numbers each event as it inserts it (no round trips to save).
        foreach (var e in events)
        {
            await session.ExecuteAsync(Insert(session.Dialect), ct, Parameters(e, at));
        }

        if (events.Count > 0)
        {
            session.EventsAppended();
        }
    }

    /// One statement (PostgreSQL, where a CTE may write): `update` (which must end in `RETURNING id`)
    /// and, for the row it changed, the events `@names`/`@changed` in their order, with one actor,
    /// media type, version and time (`@actorType`, `@actorName`, `@mediaType`, `@Version`, `@now`).
    public static string AfterUpdate(string update) =>
        $"""
        WITH updated AS ({update})
        INSERT INTO events ({Columns})
        SELECT e.name, updated.id, NULL, @mediaType, @Version, @actorType, @actorName, e.changed, @now, NULL, NULL
        FROM updated, unnest(CAST(@names AS text[]), CAST(@changed AS text[])) WITH ORDINALITY AS e(name, changed, ordinal)
        ORDER BY e.ordinal
        """;

    /// Runs an <see cref="AfterUpdate"/> statement in autocommit; false when the update matched no row.
    public static async Task<bool> UpdateWithEventsAsync(
        DbSession session, string sql, IEnumerable<(string Name, object? Value)> updateParameters, IReadOnlyList<NewEvent> events, string mediaType, DateTimeOffset now,
        CancellationToken ct)
    {
        // One actor per request: every event of it carries the same.
        var written = await session.ExecuteAsync(sql, ct,
        [
            .. updateParameters,
            ("names", events.Select(e => e.Name).ToArray()),
            ("changed", events.Select(Changed).ToArray()),
            ("actorType", events[0].Actor.Type), ("actorName", events[0].Actor.Name), ("mediaType", mediaType), ("now", now),
        ]);
        if (written > 0)
        {
            session.EventsAppended();
        }

        return written > 0;
    }

    private static (string Name, object? Value)[] Parameters(NewEvent e, DateTimeOffset at) =>
    [
        ("name", e.Name), ("mediaId", e.MediaId), ("documentId", e.DocumentId), ("mediaType", e.MediaType), ("version", e.Version),
        ("actorType", e.Actor.Type), ("actorName", e.Actor.Name), ("changed", Changed(e)), ("createdAt", at),
        ("keys", e.Keys is null ? null : JsonSerializer.Serialize(e.Keys)),
    ];

    /// The `changed` column: the metadata properties an update changed, as a JSON array (null when none).
    public static string? Changed(NewEvent e) =>
        e.ChangedProperties is { Count: > 0 } changed ? JsonSerializer.Serialize(changed) : null;
}

/// Tells this process's sequencer that events were committed, so they reach the feed and the
/// webhooks without waiting for its next poll.
internal sealed class EventSignal : IDisposable
{
    private readonly SemaphoreSlim _written = new(0, 1);

    public EventSignal(Database database) => database.OnEventsCommitted(Written);

    private void Written()
    {
        if (_written.CurrentCount == 0)
        {
            try
            {
                _written.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _written.WaitAsync(timeout, ct);

    public void Dispose() => _written.Dispose();
}
