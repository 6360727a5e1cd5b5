using System.Text.Json;
using MediaLibrary.Storage;

namespace MediaLibrary.Events;

/// Appends events inside the caller's transaction: a rolled-back write leaves none. On PostgreSQL
/// they get their public id later, from <see cref="EventSequencer"/>, once they have committed.
internal static class EventLog
{
    private const string InsertPostgres =
        """
        INSERT INTO events (name, media_id, document_id, media_type, version, actor_type, actor_name, changed, created_at)
        VALUES (@name, @mediaId, @documentId, @mediaType, @version, @actorType, @actorName, @changed, @createdAt)
        """;

    // SQLite: the write lock is held from BEGIN IMMEDIATE to COMMIT, so positions given here
    // become visible in order; no sequencer pass is needed to number them.
    private const string InsertSqlite =
        """
        INSERT INTO events (name, media_id, document_id, media_type, version, actor_type, actor_name, changed, created_at, position)
        VALUES (@name, @mediaId, @documentId, @mediaType, @version, @actorType, @actorName, @changed, @createdAt,
                (SELECT COALESCE(MAX(position), 0) + 1 FROM events))
        """;

    public static async Task AppendAsync(DbSession session, IReadOnlyList<NewEvent> events, DateTimeOffset at, CancellationToken ct)
    {
        foreach (var e in events)
        {
            await session.ExecuteAsync(session.IsPostgres ? InsertPostgres : InsertSqlite, ct, Parameters(e, at));
        }
    }

    private static (string Name, object? Value)[] Parameters(NewEvent e, DateTimeOffset at) =>
    [
        ("name", e.Name), ("mediaId", e.MediaId), ("documentId", e.DocumentId), ("mediaType", e.MediaType), ("version", e.Version),
        ("actorType", e.Actor.Type), ("actorName", e.Actor.Name), ("changed", Changed(e)), ("createdAt", at),
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

    public void Written()
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
