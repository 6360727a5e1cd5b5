using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

/// Time changes state too: when a stored li-datetime-validity boundary passes, the entry's
/// `active`/`invalid` event is appended with actor `system`. Each boundary row is claimed and
/// deleted in the transaction that appends the event (FOR UPDATE SKIP LOCKED on PostgreSQL), so
/// with any number of processes each boundary emits at most once, and at least once.
internal sealed class ValidityClock(
    Database database, MediaTypeCatalog types, TimeProvider time, IOptions<EventsOptions> options, ILogger<ValidityClock> logger)
    : BackgroundService
{
    private readonly string _claim =
        $"""
        DELETE FROM validity_boundaries
        WHERE (entry_id, at) IN (SELECT entry_id, at FROM validity_boundaries WHERE at <= @now ORDER BY at LIMIT 200{database.Dialect.SkipLocked})
        RETURNING entry_id, at
        """;

    private readonly string _entries = $"SELECT {EntryRow.Columns} FROM media_entries WHERE {database.Dialect.InList("id", "@ids")}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(options.Value.ClockSeconds, 0.05, 10)), time);
        do
        {
            try
            {
                while (await TickAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The validity clock failed; trying again");
            }
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// Handles the boundaries that have passed; how many it claimed.
    public async Task<int> TickAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var events = new List<NewEvent>();
        int claimed;
        await using (var session = await database.OpenWriteAsync(ct))
        {
            var passed = await session.QueryAsync<PassedBoundary>(_claim, ct, ("now", now));
            claimed = passed.Count;
            var entries = claimed == 0
                ? []
                : (await session.QueryAsync(_entries, EntryRow.Read, ct, ("ids", passed.Select(b => b.EntryId).Distinct().ToArray())))
                    .ToDictionary(r => r.Id, StringComparer.Ordinal);
            foreach (var boundary in passed.OrderBy(b => b.At))
            {
                if (!entries.TryGetValue(boundary.EntryId, out var row))
                {
                    continue;
                }

                var type = types.Find(row.MediaType);
                var before = EntryState.Of(type, row.Revoked, row.Metadata, boundary.At.AddMilliseconds(-1));
                var after = EntryState.Of(type, row.Revoked, row.Metadata, now);
                if (before != after && after != EntryState.Revoked)
                {
                    events.Add(new NewEvent(after == EntryState.Active ? EventNames.Active : EventNames.Invalid, Actor.System,
                        MediaId: row.Id, MediaType: row.MediaType, Version: row.Version));
                }
            }

            if (claimed == 0)
            {
                return 0;
            }

            await EventLog.AppendAsync(session, events, time.StoredNow(), ct);
            await session.CommitAsync(ct);
        }

        if (events.Count > 0)
        {
            logger.LogInformation("Validity windows passed: {Count} state events", events.Count);
        }

        return claimed;
    }

    private sealed class PassedBoundary
    {
        public string EntryId { get; set; } = "";
        public DateTimeOffset At { get; set; }
    }
}
