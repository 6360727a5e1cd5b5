using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace MediaLibrary.Storage;

/// Open SQLite connections with their prepared statements, kept between requests. At most
/// <see cref="MaxIdle"/> wait idle; a burst beyond that opens more and closes them afterwards.
public sealed class SqliteSessionPool(string connectionString, Database database) : IDisposable
{
    private const int MaxIdle = 16;

    // SQLite's page cache is per connection (2 MB by default). Only as many sessions exist as
    // threads read at once (reads are synchronous; seven under 64 connections in bench/), so 8 MB
    // each keeps more of the index pages of random lookups at a bounded cost (≤ 16 idle × 8 MB).
    // 16 MB measured no better.
    private const int CacheKib = 8 * 1024;
    private readonly ConcurrentBag<DbSession> _idle = [];
    private int _idleCount;
    private bool _disposed;

    private readonly WriteTurns _writeGate = new();
    private DbSession? _writer;

    /// How long a writer waits for its turn among this process's writers (SQLite's busy timeout).
    private static readonly TimeSpan WriteTurnTimeout = TimeSpan.FromSeconds(10);

    /// The one connection this process writes through, once it is this caller's turn (until the
    /// session is disposed). SQLite has one writer at a time anyway. Queued here, the next writer
    /// starts the moment the last one ends and waits without a thread; in SQLite's busy handler
    /// it slept on a thread (1, 2, 5 … 100 ms between tries) while the lock sat free. And one
    /// writing connection keeps its page cache: a connection's cache is dropped whenever another
    /// connection has written, so writers taking turns on many connections read the pages of the
    /// entry, its indexes and the search index back from the file on every write. Other processes
    /// on the same file still meet the busy handler.
    public async Task<DbSession> RentWriterAsync(CancellationToken ct)
    {
        if (!await _writeGate.WaitAsync(WriteTurnTimeout, ct))
        {
            // What SQLite says when its busy timeout passes (answered 503).
            throw new SqliteException($"database is locked: no turn to write within {WriteTurnTimeout.TotalSeconds:0} s", 5);
        }

        try
        {
            if (_writer is null)
            {
                _writer = Rent();
                _writer.MarkWriter();
            }

            return _writer;
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }

    internal void ReturnWriter(DbSession session, bool broken)
    {
        if (broken || _disposed)
        {
            session.Close();
            _writer = null;
        }

        _writeGate.Release();
    }

    public DbSession Rent()
    {
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA cache_size = -{CacheKib}; {Database.BusyTimeout}";
            pragma.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DbSession(connection, this, database);
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
