using MediaLibrary.Storage;

namespace MediaLibrary.Events;

/// How events get their public ids (`position`); one implementation per provider, chosen at start.
internal interface IEventNumbering
{
    /// Events numbered in one pass at most; a full pass means more may be waiting.
    const int Batch = 1000;

    /// True when events are numbered as they are written, so a commit alone makes them public.
    bool PublicOnCommit { get; }

    /// Numbers committed events that have none yet; how many.
    Task<int> NumberAsync(CancellationToken ct);
}

/// SQLite numbers events as they are inserted (<see cref="Dialect.NewEventPosition"/>): its one
/// writer commits them in order.
internal sealed class SqliteEventNumbering : IEventNumbering
{
    public bool PublicOnCommit => true;

    public Task<int> NumberAsync(CancellationToken ct) => Task.FromResult(0);
}

/// PostgreSQL: writers commit in any order, so committed events are numbered afterwards, one
/// process at a time (an advisory lock). Only events it can see, that is, events that have
/// committed, are numbered, so once a reader sees id P every smaller id is visible too, and
/// writers never wait for each other.
internal sealed class PostgresEventNumbering(Database database, WebhookSender sender) : IEventNumbering
{
    private const long LeaderLock = 0x4D4C_4556_5351;

    // The batch's seqs are in order: the i-th gets `first + i - 1`. No join with the batch: for a
    // few hundred events PostgreSQL hashed the whole event table to make one.
    private const string Number = "UPDATE events SET position = @first - 1 + array_position(@seqs, seq) WHERE seq = ANY(@seqs)";

    public bool PublicOnCommit => false;

    public async Task<int> NumberAsync(CancellationToken ct)
    {
        // A read first: an idle pass opens no write transaction.
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            if ((await look.QueryAsync<long>("SELECT seq FROM events WHERE position IS NULL LIMIT 1", ct)).Count == 0)
            {
                return 0;
            }
        }

        using var activity = Hosting.Telemetry.Source.StartActivity("number events");
        await using var session = await database.OpenWriteAsync(ct);
        if (!(await session.QueryAsync<bool>("SELECT pg_try_advisory_xact_lock(@key)", ct, ("key", LeaderLock)))[0])
        {
            return 0;
        }

        var ready = await session.QueryAsync<long>("SELECT seq FROM events WHERE position IS NULL ORDER BY seq LIMIT @limit", ct, ("limit", IEventNumbering.Batch));
        if (ready.Count > 0)
        {
            var next = ((await session.QueryAsync<long?>("SELECT MAX(position) FROM events", ct))[0] ?? 0) + 1;
            // Exactly the rows read above (another write may have committed a smaller seq since).
            await session.ExecuteAsync(Number, ct, ("first", next), ("seqs", ready.ToArray()));
        }

        await session.CommitAsync(ct);
        activity?.SetTag("medialibrary.events", ready.Count);
        if (ready.Count > 0)
        {
            sender.Wake();
        }

        return ready.Count;
    }
}
