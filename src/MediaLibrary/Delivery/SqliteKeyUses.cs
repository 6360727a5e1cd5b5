using System.Collections.Concurrent;
using MediaLibrary.Storage;
using Microsoft.Data.Sqlite;

namespace MediaLibrary.Delivery;

/// serve-image's key lookup on SQLite, remembered while nothing in the database changed.
///
/// Every serve-image request must see a revocation at once, from any process. SQLite's
/// `PRAGMA data_version` on one connection changes whenever any other connection (this process's
/// pool or another process) commits, so a lookup stays valid while it reads the same number: one
/// pragma instead of a join that decodes the entry. The number is read before the lookup it
/// stamps; a commit in between makes the next request look again. Any commit clears every key's
/// validity at once, so under writes this is the plain lookup plus a pragma.
/// The cached state is the stored facts (revoked, metadata); `state` is still computed at each
/// request, so a validity window that closes needs no commit to take effect.
/// PostgreSQL keeps the per-request lookup (<see cref="PostgresKeyUses"/>).
internal sealed class SqliteKeyUses(Database database) : IKeyUses, IDisposable
{
    private const int MaxKeys = 20_000;

    private readonly string _connectionString = database.ConnectionString;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, (long Version, List<KeyUse> Uses)> _uses = new(StringComparer.Ordinal);
    private SqliteConnection? _watch;
    private SqliteCommand? _dataVersion;
    private bool _disposed;

    public async Task<IReadOnlyList<KeyUse>> FindAsync(string key, CancellationToken ct)
    {
        var version = Version();
        if (TryGet(key, version, out var cached))
        {
            return cached;
        }

        var uses = await KeyUseQuery.RunAsync(database, key, ct);
        Set(key, version, uses);
        return uses;
    }

    /// The database's change number as this process last saw it; read before a lookup it stamps.
    private long Version()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_dataVersion is null)
            {
                // Opened at the first request, when the migrations have made the database.
                _watch = new SqliteConnection(_connectionString);
                _watch.Open();
                _dataVersion = _watch.CreateCommand();
                _dataVersion.CommandText = "PRAGMA data_version";
                _dataVersion.Prepare();
            }

            return (long)_dataVersion.ExecuteScalar()!;
        }
    }

    private bool TryGet(string key, long version, out List<KeyUse> uses)
    {
        if (_uses.TryGetValue(key, out var cached) && cached.Version == version)
        {
            uses = cached.Uses;
            return true;
        }

        uses = [];
        return false;
    }

    private void Set(string key, long version, List<KeyUse> uses)
    {
        if (_uses.Count >= MaxKeys)
        {
            _uses.Clear();
        }

        _uses[key] = (version, uses);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _dataVersion?.Dispose();
            _watch?.Dispose();
        }
    }
}
