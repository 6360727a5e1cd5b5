using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace MediaLibrary.Storage;

/// Open SQLite connections with their prepared statements, kept between requests. At most
/// <see cref="MaxIdle"/> wait idle; a burst beyond that opens more and closes them afterwards.
public sealed class SqliteSessionPool : IDisposable
{
    private const int MaxIdle = 16;

    // SQLite's page cache is per connection (2 MB by default). Only as many sessions exist as
    // threads read at once (reads are synchronous; seven under 64 connections in bench/), so 8 MB
    // each keeps more of the index pages of random lookups at a bounded cost (≤ 16 idle × 8 MB).
    // 16 MB measured no better.
    private const int CacheKib = 8 * 1024;

    // The writer copies the WAL into the database file after this many pages (SQLite's default is
    // 1,000): a page written by many commits (an index's hot leaf, the FTS5 index) is copied once
    // per checkpoint, and the checkpoint's fsync comes a tenth as often. Measured: PATCH
    // 1,310 → 1,775 requests/s (bench/README.md, #26). The WAL grows to about 40 MiB between checkpoints.
    private const int CheckpointPages = 10_000;
    private readonly ConcurrentBag<DbSession> _idle = [];
    private int _idleCount;
    private bool _disposed;

    private readonly WriteTurns _writeGate;
    private DbSession? _writer;

    /// The transaction the writer's sessions share (group commit), while one is open.
    private WriteGroup? _group;

    /// How many write transactions one commit may carry at most: the first waits for the others
    /// before it is answered, so the group stays short.
    internal const int MaxGroup = 32;

    public SqliteSessionPool(string connectionString, Database database)
    {
        _connectionString = connectionString;
        _database = database;
        _writeGate = new WriteTurns(EndTurn);
    }

    private long _commits;

    /// How many group commits this pool made (for tests: a group of many writers is one commit).
    internal long Commits => Interlocked.Read(ref _commits);

    /// How many writers wait for their turn now.
    internal int WritersWaiting => _writeGate.Waiting;

    private readonly string _connectionString;
    private readonly Database _database;

    /// How long a writer waits for its turn among this process's writers (SQLite's busy timeout).
    private static readonly TimeSpan WriteTurnTimeout = TimeSpan.FromSeconds(10);

    /// The one connection this process writes through, once it is this caller's turn (until the
    /// session is disposed, or committed). SQLite has one writer at a time anyway. Queued here,
    /// the next writer starts the moment the last one ends and waits without a thread; in
    /// SQLite's busy handler it slept on a thread (1, 2, 5 … 100 ms between tries) while the lock
    /// sat free. And one writing connection keeps its page cache: a connection's cache is dropped
    /// whenever another connection has written, so writers taking turns on many connections read
    /// the pages of the entry, its indexes and the search index back from the file on every
    /// write. Other processes on the same file still meet the busy handler.
    ///
    /// Write transactions that queue behind each other commit together (see <see cref="WriteGroup"/>).
    /// `autocommit`: the caller's statements commit one by one, so a group still open is committed first.
    public async Task<DbSession> RentWriterAsync(bool autocommit, CancellationToken ct)
    {
        var waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var turn = await _writeGate.WaitAsync(WriteTurnTimeout, ct);
        Hosting.Telemetry.WriteTurnWait.Record(System.Diagnostics.Stopwatch.GetElapsedTime(waitStarted).TotalSeconds);
        if (!turn)
        {
            // What SQLite says when its busy timeout passes (answered 503).
            throw new SqliteException($"database is locked: no turn to write within {WriteTurnTimeout.TotalSeconds:0} s", 5);
        }

        try
        {
            _writer ??= Rent();
            if (autocommit && _group is not null)
            {
                CommitGroup();
            }

            return _writer.Turn();
        }
        catch
        {
            EndTurn();
            throw;
        }
    }

    /// Group commit: a write transaction is a savepoint in the one transaction the writer has
    /// open. Committing it releases the savepoint and passes the turn to the next writer waiting,
    /// who goes on in the same transaction; the writer that finds nobody waiting (or the group
    /// full) commits it, and only then are the group's writers answered. A writer that fails
    /// rolls back to its savepoint: the others keep what they wrote. Each commit writes the tail
    /// pages of the event log, the search index and their indexes to the WAL once for the group
    /// instead of once for every request.
    internal sealed class WriteGroup
    {
        public readonly TaskCompletionSource Committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Members;
        public bool EventsPending;
    }

    /// The writer's session begins its write transaction: the group's savepoint (the group's
    /// BEGIN IMMEDIATE first when none is open).
    internal WriteGroup JoinGroup(DbSession writer)
    {
        if (_group is null)
        {
            writer.ExecuteRaw("BEGIN IMMEDIATE");
            _group = new WriteGroup();
        }

        writer.ExecuteRaw("SAVEPOINT request");
        _group.Members++;
        return _group;
    }

    /// The writer's transaction is done: kept (`keep`) or rolled back to its savepoint. Ends the
    /// caller's turn; the task completes once the group has committed (or failed).
    internal Task LeaveGroup(DbSession writer, WriteGroup group, bool keep, bool eventsPending)
    {
        try
        {
            writer.ExecuteRaw(keep ? "RELEASE request" : "ROLLBACK TO request; RELEASE request");
            group.EventsPending |= keep && eventsPending;
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            // SQLite rolled the whole transaction back (a full disk, an I/O error): the group is lost.
            FailGroup(writer, e);
        }

        var committed = group.Committed.Task;
        EndTurn();
        return committed;
    }

    /// Called whenever the holder of the turn is done with the writer: with a group open, the
    /// next waiter joins it or the group commits; then the turn is released.
    private void EndTurn()
    {
        if (_group is { } group && group.Members < MaxGroup && _writeGate.TryPass())
        {
            return;
        }

        if (_group is not null)
        {
            CommitGroup();
        }

        _writeGate.Release();
    }

    private void CommitGroup()
    {
        var group = _group!;
        try
        {
            _writer!.ExecuteRaw("COMMIT");
            _group = null;
            Interlocked.Increment(ref _commits);
            group.Committed.SetResult();
            if (group.EventsPending)
            {
                _database.SignalEventsCommitted();
            }
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            FailGroup(_writer!, e);
        }
    }

    private void FailGroup(DbSession writer, Exception cause)
    {
        var group = _group!;
        _group = null;
        try
        {
            writer.ExecuteRaw("ROLLBACK");
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            // No transaction left to roll back.
        }

        // Answered 503 (SQLITE_IOERR): nothing of the group was written.
        group.Committed.TrySetException(new SqliteException($"the transaction this write was committed with failed: {cause.Message}", 10));
    }

    /// The writer's session is disposed (its own transaction, if any, already left the group):
    /// a broken connection is closed; the turn ends.
    internal void ReturnWriter(bool broken)
    {
        if ((broken || _disposed) && _group is null)
        {
            _writer!.Close();
            _writer = null;
        }

        EndTurn();
    }

    public DbSession Rent()
    {
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA cache_size = -{CacheKib}; {Database.BusyTimeout}; PRAGMA wal_autocheckpoint = {CheckpointPages}";
            pragma.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DbSession(connection, this, _database);
    }

    internal void Return(DbSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Close();
            return;
        }

        _idle.Add(session);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            session.Close();
        }

        _writer?.Close();
    }
}
