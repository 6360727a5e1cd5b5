using System.Data.Common;
using MediaLibrary.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MediaLibrary.Storage;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// Opens connections for the configured provider. SQL is plain and shared; the few provider
/// differences live in <see cref="Dialect"/>.
public sealed class Database : IDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly SqliteSessionPool? _sqliteSessions;

    public Database(IOptions<MediaLibraryOptions> options)
    {
        var db = options.Value.Database;
        Provider = db.Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        if (Provider == DatabaseProvider.Postgres)
        {
            ConnectionString = WithDefaults(db.ConnectionString!);
            _postgres = NpgsqlDataSource.Create(ConnectionString);
        }
        else
        {
            var dataDirectory = options.Value.FullDataDirectory;
            ConnectionString = string.IsNullOrWhiteSpace(db.ConnectionString)
                ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "medialibrary.db") }.ToString()
                : db.ConnectionString;
            _sqliteSessions = new SqliteSessionPool(ConnectionString);
        }

        Dialect = new Dialect(Provider);
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public Dialect Dialect { get; }

    internal const string BusyTimeout = "PRAGMA busy_timeout = 10000";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        try
        {
            // Microsoft.Data.Sqlite answers a locked database by sleeping 150 ms and trying again
            // (PATCH p99 on SQLite was 0.4–0.6 s under 64 writers). SQLite's own busy handler
            // retries after 1, 2, 5, 10… ms instead, so a writer waits about as long as the lock is held.
            await using var busy = connection.CreateCommand();
            busy.CommandText = BusyTimeout;
            await busy.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    /// A session in autocommit whose statements stay prepared between requests (see <see cref="DbSession"/>).
    /// `planEachTime`: on PostgreSQL, statements whose best plan depends on the values (a media
    /// entry referenced by 100,000 documents or by three) are parsed and planned on every run: a
    /// prepared statement falls back to one generic plan after five runs, and for the reference
    /// pages that plan was 50× slower at 1,000,000 entries.
    public async ValueTask<DbSession> OpenSessionAsync(bool planEachTime = false, CancellationToken cancellationToken = default) =>
        _postgres is not null
            ? new DbSession(await _postgres.OpenConnectionAsync(cancellationToken), prepare: !planEachTime)
            : _sqliteSessions!.Rent();

    /// A session with its write transaction begun. On PostgreSQL its statements are not prepared:
    /// writes may fail on purpose (a duplicate id) and roll back to a savepoint, and a connection
    /// is better left without server-side statements whose state that could disturb.
    public async Task<DbSession> OpenWriteAsync(CancellationToken cancellationToken = default)
    {
        var session = _postgres is not null
            ? new DbSession(await _postgres.OpenConnectionAsync(cancellationToken), prepare: false)
            : await _sqliteSessions!.RentWriterAsync(cancellationToken);
        try
        {
            await session.BeginWriteAsync(cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// Npgsql settings this service wants unless the operator's connection string says otherwise:
    /// - No reset on close: a pooled connection keeps its prepared statements (see
    ///   <see cref="DbSession"/>) and skips a `DISCARD ALL` on every reuse; nothing here leaves
    ///   session state behind (the migration lock is released explicitly, open transactions are
    ///   rolled back on close). Npgsql's automatic preparation is deliberately not used: it
    ///   corrupts a connection after a failed statement is rolled back (npgsql/npgsql#6391),
    ///   which imports do by design.
    /// - At most <see cref="DefaultMaxPoolSize"/> connections (Npgsql's own default is 100): 64
    ///   concurrent requests on 64 server backends made the database thrash; queueing in the pool
    ///   cut PATCH p99 from 178 ms to 26–30 ms at the same throughput (bench/README.md).
    public const int DefaultMaxPoolSize = 16;

    internal static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!given.Contains("MaximumPoolSize") && !given.Contains("MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        return builder.ConnectionString;
    }

    public void Dispose()
    {
        _postgres?.Dispose();
        _sqliteSessions?.Dispose();
    }
}

/// The SQL that differs between SQLite and PostgreSQL.
public sealed class Dialect(DatabaseProvider provider)
{
    public bool IsPostgres => provider == DatabaseProvider.Postgres;

    /// Cast for a JSON parameter (jsonb on PostgreSQL, text on SQLite).
    public string Json(string parameter) => IsPostgres ? $"CAST({parameter} AS jsonb)" : parameter;

    public string True => IsPostgres ? "TRUE" : "1";
    public string False => IsPostgres ? "FALSE" : "0";

    /// `column IN (...)` for a list parameter: one array parameter on PostgreSQL, one JSON array
    /// read by json_each on SQLite (see <see cref="DbSession"/>), so the statement text does not
    /// depend on the list's length and stays prepared.
    public string InList(string column, string parameter) =>
        IsPostgres ? $"{column} = ANY({parameter})" : $"{column} IN (SELECT value FROM json_each({parameter}))";

    /// Claiming queue rows: other processes skip rows one has locked. SQLite has one writer at a time anyway.
    public string SkipLocked => IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";

    /// Row lock for read-then-write; SQLite's BEGIN IMMEDIATE already holds the write lock.
    public string ForUpdate => IsPostgres ? " FOR UPDATE" : "";

    /// The violated unique constraint or primary key: the index name on PostgreSQL, the column
    /// list on SQLite. Null when the exception is something else.
    public static string? UniqueViolation(Exception e) => e switch
    {
        Npgsql.PostgresException { SqlState: "23505" } pg => pg.ConstraintName,
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite when sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal) => sqlite.Message,
        _ => null,
    };
}
