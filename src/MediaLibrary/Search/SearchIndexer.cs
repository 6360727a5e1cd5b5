using MediaLibrary.Events;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Search;

/// `MediaLibrary:Search` settings.
public sealed class SearchOptions
{
    /// SQLite: whether this process indexes changed entries in the background. Off, its changes
    /// wait for a process with it on; tests turn it off to stand for a process that stopped
    /// between a commit and its indexing.
    public bool IndexInBackground { get; set; } = true;
}

/// SQLite: puts the words of changed entries into the FTS5 index after their commit, many entries
/// per transaction, instead of in every write's own (SPEC §12: visible to search within 1 s). It
/// reads the change log `search_changes`, which the triggers write in the writer's transaction
/// and whose `seq` grows in commit order (one writer); its position (`search_index`) moves in the
/// transaction that indexes, so a process that stops between a commit and its indexing leaves the
/// change to the next pass of any process. An entry changed twice is indexed once, from the row as
/// it is then. PostgreSQL keeps each entry's tsvector in its row, written by the row's trigger:
/// there is nothing to do here (measured: only 12% of a PATCH, and a second write of the row after
/// the commit would cost more).
internal sealed class SearchIndexer(
    Database database, IOptions<SearchOptions> options, TimeProvider time, ILogger<SearchIndexer> logger) : BackgroundService
{
    /// Changes taken into one transaction at most.
    public const int Batch = 2000;

    // After a wake-up, let more writes commit: one pass then indexes more entries (lag stays far below 1 s).
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private const string Changed =
        """
        SELECT e.rowid FROM media_entries e
        WHERE e.id IN (SELECT entry_id FROM search_changes WHERE seq > @from AND seq <= @upto)
        """;

    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly EventSignal _committed = new(database);

    public bool Enabled => !database.Dialect.IsPostgres;

    /// One batch: the number of changes it indexed (0: the index was up to date).
    public async Task<int> IndexAsync(CancellationToken ct)
    {
        if (!Enabled)
        {
            return 0;
        }

        await _pass.WaitAsync(ct);
        try
        {
            // Most passes under no load find nothing: a read answers that without the writer's turn.
            await using (var read = await database.OpenSessionAsync(cancellationToken: ct))
            {
                var behind = await read.QueryAsync<long>(
                    "SELECT coalesce((SELECT max(seq) FROM search_changes), 0) - (SELECT position FROM search_index WHERE id = 1)", ct);
                if (behind[0] <= 0)
                {
                    return 0;
                }
            }

            await using var session = await database.OpenWriteAsync(ct);
            var from = (await session.QueryAsync<long>("SELECT position FROM search_index WHERE id = 1", ct))[0];
            var range = await session.QueryAsync<(long Upto, int Count)>(
                "SELECT coalesce(max(seq), 0), count(*) FROM (SELECT seq FROM search_changes WHERE seq > @from ORDER BY seq LIMIT @batch)",
                r => (r.GetInt64(0), r.GetInt32(1)), ct, ("from", from), ("batch", Batch));
            var (upto, count) = range[0];
            if (count == 0)
            {
                return 0;
            }

            (string, object?)[] between = [("from", from), ("upto", upto)];
            await session.ExecuteAsync($"DELETE FROM media_search WHERE rowid IN ({Changed})", ct, between);
            await session.ExecuteAsync(
                $"INSERT INTO media_search (rowid, title, body) SELECT entry_rowid, title, body FROM media_search_words WHERE entry_rowid IN ({Changed})",
                ct, between);
            await session.ExecuteAsync("UPDATE search_index SET position = @upto WHERE id = 1", ct, ("upto", upto));
            await session.CommitAsync(ct);
            return count;
        }
        finally
        {
            _pass.Release();
        }
    }

    /// Indexes every change committed before the call.
    public async Task CatchUpAsync(CancellationToken ct)
    {
        while (await IndexAsync(ct) > 0)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled || !options.Value.IndexInBackground)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var indexed = await IndexAsync(stoppingToken);
                if (indexed == Batch)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Indexing changed entries for search failed; trying again");
            }

            try
            {
                if (await _committed.WaitAsync(Poll, stoppingToken))
                {
                    await Task.Delay(Gather, time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _committed.Dispose();
        _pass.Dispose();
        base.Dispose();
    }
}
