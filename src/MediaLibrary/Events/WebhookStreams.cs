using MediaLibrary.Storage;

namespace MediaLibrary.Events;

/// Each webhook's stream: its place in the event log (`position`: every event up to it has been
/// delivered or has its retry row) and which process sends it (`owner` until `lease_until`). The
/// process that holds the lease reads the log after the position, sends what the webhook wants,
/// and moves the position in one write per batch, with the first-attempt successes
/// (`webhook_delivered`) and the retry rows of first attempts that failed (`webhook_deliveries`).
/// A process that dies leaves its lease to run out; the next owner starts from the position, so a
/// delivery whose success was not yet written is sent again, with the same id (at least once).
internal sealed class WebhookStreams(Database database)
{
    /// A first attempt's outcome, written when the stream moves past it. `Url` and `Body` are
    /// kept for a failure only (its retry row); a success holds them empty.
    public sealed record Outcome(long EventId, string DeliveryId, string Url, string Body, int? Status, string? Error, DateTimeOffset At, DateTimeOffset? RetryAt)
    {
        public bool Delivered => Status is >= 200 and < 300;
    }

    private readonly string _take =
        $"""
        UPDATE webhook_streams SET owner = @owner, lease_until = @leaseUntil
        WHERE webhook = @webhook AND (owner IS NULL OR owner = @owner OR lease_until < @now)
        RETURNING position
        """;

    private readonly string _delivered =
        $"""
        INSERT INTO webhook_delivered (webhook, event_id, status, delivered_at)
        SELECT @webhook, d.event_id, d.status, @now FROM {database.Dialect.Rows("d", ("event_id", "@eventIds", "bigint"), ("status", "@statuses", "bigint"))}
        WHERE true
        ON CONFLICT DO NOTHING
        """;

    /// Takes the webhook's stream for `owner` when nobody else holds it; its position, or null.
    /// A webhook seen for the first time starts at the newest event: it is sent what happens from now on.
    public async Task<long?> TakeAsync(string webhook, string owner, DateTimeOffset leaseUntil, DateTimeOffset now, CancellationToken ct)
    {
        // A read first: a process that finds the stream held elsewhere writes nothing.
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            var held = await look.QueryAsync<StreamRow>("SELECT owner, lease_until FROM webhook_streams WHERE webhook = @webhook", ct, ("webhook", webhook));
            if (held.Count == 1 && held[0].Owner is { } other && other != owner && held[0].LeaseUntil >= now)
            {
                return null;
            }
        }

        await using var session = await database.OpenWriteAsync(ct);
        await session.ExecuteAsync(
            """
            INSERT INTO webhook_streams (webhook, position) SELECT @webhook, COALESCE(MAX(position), 0) FROM events WHERE true
            ON CONFLICT (webhook) DO NOTHING
            """, ct, ("webhook", webhook));
        var taken = await session.QueryAsync<long>(_take, ct, ("webhook", webhook), ("owner", owner), ("leaseUntil", leaseUntil), ("now", now));
        await session.CommitAsync(ct);
        return taken.Count == 1 ? taken[0] : null;
    }

    /// Moves the stream to `position` and renews the lease, with the outcomes up to there, in one
    /// transaction; false (and nothing written) when `owner` no longer holds the stream.
    public async Task<bool> AdvanceAsync(
        string webhook, string owner, long position, DateTimeOffset leaseUntil, IReadOnlyList<Outcome> outcomes, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        if (await session.ExecuteAsync(
                "UPDATE webhook_streams SET position = @position, lease_until = @leaseUntil WHERE webhook = @webhook AND owner = @owner",
                ct, ("position", position), ("leaseUntil", leaseUntil), ("webhook", webhook), ("owner", owner)) != 1)
        {
            return false;
        }

        var delivered = outcomes.Where(o => o.Delivered).ToList();
        if (delivered.Count > 0)
        {
            await session.ExecuteAsync(_delivered, ct, ("webhook", webhook), ("now", now),
                ("eventIds", delivered.Select(o => o.EventId).ToArray()), ("statuses", delivered.Select(o => (long)o.Status!.Value).ToArray()));
        }

        foreach (var failed in outcomes.Where(o => !o.Delivered))
        {
            await session.ExecuteAsync(
                """
                INSERT INTO webhook_deliveries (id, event_id, webhook, url, body, state, attempts, next_attempt_at, last_status, last_error, created_at)
                VALUES (@id, @eventId, @webhook, @url, @body, @state, 1, @nextAttemptAt, @status, @error, @at)
                ON CONFLICT (id) DO NOTHING
                """, ct, ("id", failed.DeliveryId), ("eventId", failed.EventId), ("webhook", webhook), ("url", failed.Url), ("body", failed.Body),
                ("state", failed.RetryAt is null ? WebhookDeliveries.Failed : WebhookDeliveries.Pending), ("nextAttemptAt", failed.RetryAt ?? failed.At),
                ("status", failed.Status), ("error", failed.Error), ("at", failed.At));
        }

        await session.CommitAsync(ct);
        return true;
    }

    /// Lets another process take the stream at once (a graceful stop).
    public async Task ReleaseAsync(string webhook, string owner, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync("UPDATE webhook_streams SET owner = NULL, lease_until = NULL WHERE webhook = @webhook AND owner = @owner",
            ct, ("webhook", webhook), ("owner", owner));
    }

    /// Up to `limit` public events after `position`, in order.
    public async Task<List<EventRow>> ReadAsync(long position, int limit, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryAsync<EventRow>($"{EventRow.Select} WHERE position > @position ORDER BY position LIMIT @limit", ct,
            ("position", position), ("limit", limit));
    }

    /// Streams of webhooks that are not active here follow the log, so that turning one on again
    /// sends what happens from then on rather than everything since it was turned off.
    public async Task FollowAsync(string[] activeWebhooks, CancellationToken ct)
    {
        var behind = $"NOT ({database.Dialect.InList("webhook", "@active")})";
        await using (var look = await database.OpenSessionAsync(cancellationToken: ct))
        {
            if ((await look.QueryAsync<string>(
                    $"SELECT webhook FROM webhook_streams WHERE {behind} AND position < (SELECT COALESCE(MAX(position), 0) FROM events) LIMIT 1",
                    ct, ("active", activeWebhooks))).Count == 0)
            {
                return;
            }
        }

        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync(
            $"""
            UPDATE webhook_streams SET position = (SELECT COALESCE(MAX(position), 0) FROM events), owner = NULL, lease_until = NULL
            WHERE {behind} AND position < (SELECT COALESCE(MAX(position), 0) FROM events)
            """, ct, ("active", activeWebhooks));
    }

    private sealed class StreamRow
    {
        public string? Owner { get; set; }
        public DateTimeOffset? LeaseUntil { get; set; }
    }
}

/// This process's side of one webhook's stream while it holds the lease: the events read and not
/// yet started, the sends started (in event order) with their outcomes, and how far the stream
/// may move (every event before the first unfinished one is done). Sends finish on other threads.
internal sealed class WebhookStream(DeliveryChannel channel)
{
    private readonly Lock _lock = new();
    private readonly Queue<EventRow> _ready = new();
    private readonly SortedDictionary<long, WebhookStreams.Outcome?> _started = [];
    private long _readUpTo;

    public DeliveryChannel Channel => channel;

    /// Changes whenever the stream is taken or lost: sends of an earlier holding report to nobody.
    public int Generation { get; private set; }

    public bool Owned { get; private set; }

    /// As written in the database: every event up to it is done.
    public long Position { get; private set; }

    public DateTimeOffset LeaseUntil { get; private set; }

    public DateTimeOffset WrittenAt { get; private set; }

    /// When a process that does not hold the stream next tries to take it.
    public DateTimeOffset NextTake { get; set; }

    public long ReadUpTo
    {
        get
        {
            lock (_lock)
            {
                return _readUpTo;
            }
        }
    }

    public int Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready.Count;
            }
        }
    }

    public void Take(long position, DateTimeOffset leaseUntil, DateTimeOffset now)
    {
        lock (_lock)
        {
            Generation++;
            Owned = true;
            Position = _readUpTo = position;
            LeaseUntil = leaseUntil;
            WrittenAt = now;
            _ready.Clear();
            _started.Clear();
        }
    }

    public void Lose()
    {
        lock (_lock)
        {
            Generation++;
            Owned = false;
            _ready.Clear();
            _started.Clear();
        }
    }

    /// Events read from the log up to `readUpTo`: those the webhook wants wait to be sent.
    public void Add(IEnumerable<EventRow> wanted, long readUpTo)
    {
        lock (_lock)
        {
            foreach (var e in wanted)
            {
                _ready.Enqueue(e);
            }

            _readUpTo = Math.Max(_readUpTo, readUpTo);
        }
    }

    /// The next event to send, now counted as started.
    public bool TryStart(out EventRow next, out int generation)
    {
        lock (_lock)
        {
            generation = Generation;
            if (!Owned || !_ready.TryDequeue(out next!))
            {
                next = null!;
                return false;
            }

            _started[next.Position] = null;
            return true;
        }
    }

    public void Finished(int generation, WebhookStreams.Outcome outcome)
    {
        lock (_lock)
        {
            if (generation == Generation && _started.ContainsKey(outcome.EventId))
            {
                _started[outcome.EventId] = outcome;
            }
        }
    }

    /// How far the stream may move now, and the outcomes up to there.
    public (long Position, List<WebhookStreams.Outcome> Outcomes) Done()
    {
        lock (_lock)
        {
            var position = _readUpTo;
            if (_ready.TryPeek(out var waiting))
            {
                position = waiting.Position - 1;
            }

            var outcomes = new List<WebhookStreams.Outcome>();
            foreach (var (eventId, outcome) in _started)
            {
                if (outcome is null)
                {
                    position = Math.Min(position, eventId - 1);
                    break;
                }

                if (eventId > position)
                {
                    break;
                }

                outcomes.Add(outcome);
            }

            return (position, outcomes);
        }
    }

    /// The database now has the stream at `position`.
    public void Written(long position, DateTimeOffset leaseUntil, DateTimeOffset now)
    {
        lock (_lock)
        {
            foreach (var eventId in _started.Keys.TakeWhile(id => id <= position).ToList())
            {
                _started.Remove(eventId);
            }

            Position = position;
            LeaseUntil = leaseUntil;
            WrittenAt = now;
        }
    }
}
