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
    private readonly bool _guardReadSessions;
    private Action? _eventsCommitted;

    public Database(IOptions<MediaLibraryOptions> options)
    {
        var db = options.Value.Database;
        Provider = db.Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        if (Provider == DatabaseProvider.Postgres)
        {
            ConnectionString = WithDefaults(db.ConnectionString!);
            var builder = new NpgsqlDataSourceBuilder(ConnectionString);
            // Traces (when on): SQL spans only inside a span of ours or of a request, so the
            // background loops' idle polls, several a second, make no root spans of their own.
            builder.ConfigureTracing(t => t
                .ConfigureCommandFilter(_ => System.Diagnostics.Activity.Current is not null)
                .ConfigureBatchFilter(_ => System.Diagnostics.Activity.Current is not null));
            _postgres = builder.Build();
        }
        else
        {
            var dataDirectory = options.Value.FullDataDirectory;
            ConnectionString = string.IsNullOrWhiteSpace(db.ConnectionString)
                ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "medialibrary.db") }.ToString()
                : db.ConnectionString;
            _sqliteSessions = new SqliteSessionPool(ConnectionString, this);
        }

        Dialect = new Dialect(Provider);
        _guardReadSessions = db.GuardReadSessions;
    }

    public DatabaseProvider Provider { get; }

    /// SQLite's sessions and its one writer (null on PostgreSQL).
    internal SqliteSessionPool? SqliteSessions => _sqliteSessions;
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

    /// A read session in autocommit whose statements stay prepared between requests (see
    /// <see cref="DbSession"/>); with <see cref="DatabaseOptions.GuardReadSessions"/> it refuses writes.
    /// `planEachTime`: on PostgreSQL, statements whose best plan depends on the values (a media
    /// entry referenced by 100,000 documents or by three) are parsed and planned on every run: a
    /// prepared statement falls back to one generic plan after five runs, and for the reference
    /// pages that plan was 50× slower at 1,000,000 entries.
    public async ValueTask<DbSession> OpenSessionAsync(bool planEachTime = false, CancellationToken cancellationToken = default) =>
        (_postgres is not null
            ? new DbSession(await _postgres.OpenConnectionAsync(cancellationToken), prepare: !planEachTime, this)
            : _sqliteSessions!.Rent()).ForReading(_guardReadSessions);

    /// A writing session in autocommit, for single statements that are atomic by themselves: on
    /// SQLite it is the writer's turn (see <see cref="SqliteSessionPool.RentWriterAsync"/>), on
    /// PostgreSQL a pooled connection whose statements stay prepared.
    public async Task<DbSession> OpenAutocommitWriteAsync(CancellationToken cancellationToken = default) =>
        _postgres is not null
            ? new DbSession(await _postgres.OpenConnectionAsync(cancellationToken), prepare: true, this)
            : await _sqliteSessions!.RentWriterAsync(autocommit: true, cancellationToken);

    /// Called by any process-local listener that wants to know when events commit (the sequencer's signal).
    public void OnEventsCommitted(Action listener) => _eventsCommitted += listener;

    internal void SignalEventsCommitted() => _eventsCommitted?.Invoke();

    /// A session with its write transaction begun. On PostgreSQL its statements are not prepared:
    /// writes may fail on purpose (a duplicate id) and roll back to a savepoint, and a connection
    /// is better left without server-side statements whose state that could disturb.
    public async Task<DbSession> OpenWriteAsync(CancellationToken cancellationToken = default)
    {
        var session = _postgres is not null
            ? new DbSession(await _postgres.OpenConnectionAsync(cancellationToken), prepare: false, this)
            : await _sqliteSessions!.RentWriterAsync(autocommit: false, cancellationToken);
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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _statements = new(StringComparer.Ordinal);

    /// A statement built once per provider from fragments of this dialect (prepared statements are kept by their text).
    public string Statement(string name, Func<Dialect, string> build) =>
        _statements.GetOrAdd(name, static (_, state) => state.build(state.dialect), (build, dialect: this));

    public bool IsPostgres => provider == DatabaseProvider.Postgres;

    /// Cast for a JSON parameter (jsonb on PostgreSQL, text on SQLite).
    public string Json(string parameter) => IsPostgres ? $"CAST({parameter} AS jsonb)" : parameter;

    /// Whether a statement's CTE may write (`WITH u AS (UPDATE … RETURNING …) INSERT …`): PostgreSQL's, not SQLite's.
    public bool WritesInCte => IsPostgres;

    /// The public id an event gets as it is written. SQLite holds the write lock from BEGIN
    /// IMMEDIATE to COMMIT, so a number given here becomes visible in order; on PostgreSQL
    /// writers commit in any order, and the sequencer numbers what has committed (<see cref="Events.EventSequencer"/>).
    public string NewEventPosition => IsPostgres ? "NULL" : "(SELECT COALESCE(MAX(position), 0) + 1 FROM events)";

    public string True => IsPostgres ? "TRUE" : "1";
    public string False => IsPostgres ? "FALSE" : "0";

    /// `column IN (...)` for a list parameter: one array parameter on PostgreSQL, one JSON array
    /// read by json_each on SQLite (see <see cref="DbSession"/>), so the statement text does not
    /// depend on the list's length and stays prepared.
    public string InList(string column, string parameter) =>
        IsPostgres ? $"{column} = ANY({parameter})" : $"{column} IN (SELECT value FROM json_each({parameter}))";

    /// Rows made from parallel list parameters, for one set-based INSERT … SELECT instead of a
    /// statement per row: `alias.column` for each (column, parameter, PostgreSQL array type), and
    /// `alias.ordinal` from 1. PostgreSQL unnests typed arrays; SQLite joins the JSON arrays (see
    /// <see cref="DbSession"/>) by index. An INSERT … SELECT with ON CONFLICT on SQLite needs a
    /// `WHERE true` after this (its parser would read ON as a join).
    public string Rows(string alias, params (string Column, string Parameter, string PostgresType)[] columns)
    {
        if (IsPostgres)
        {
            return $"unnest({string.Join(", ", columns.Select(c => $"CAST({c.Parameter} AS {c.PostgresType}[])"))}) " +
                   $"WITH ORDINALITY AS {alias}({string.Join(", ", columns.Select(c => c.Column))}, ordinal)";
        }

        var select = string.Join(", ", columns.Select((c, i) => $"j{i}.value AS {c.Column}"));
        var from = string.Join(" ", columns.Select((c, i) => i == 0 ? $"json_each({c.Parameter}) AS j0" : $"JOIN json_each({c.Parameter}) AS j{i} ON j{i}.key = j0.key"));
        return $"(SELECT {select}, j0.key + 1 AS ordinal FROM {from}) AS {alias}";
    }

    /// Claiming queue rows: other processes skip rows one has locked. SQLite has one writer at a time anyway.
    public string SkipLocked => IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";

    /// Row lock for read-then-write; SQLite's BEGIN IMMEDIATE already holds the write lock.
    public string ForUpdate => IsPostgres ? " FOR UPDATE" : "";

    /// The database is unreachable or overloaded (a 503 that a retry may fix), by either provider's exceptions.
    public static bool IsUnavailable(Exception e) => e switch
    {
        Npgsql.NpgsqlException { IsTransient: true } => true,
        // admin shutdown, crash shutdown, cannot connect now, too many connections, database not accepting connections
        Npgsql.PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" or "55000" } => true,
        // SQLITE_BUSY (after the busy timeout), SQLITE_IOERR, SQLITE_CANTOPEN
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 10 or 14 } => true,
        System.Net.Sockets.SocketException or TimeoutException => true,
        System.Data.Common.DbException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    /// The violated unique constraint or primary key: the index name on PostgreSQL, the column
    /// list on SQLite. Null when the exception is something else.
    public static string? UniqueViolation(Exception e) => e switch
    {
        Npgsql.PostgresException { SqlState: "23505" } pg => pg.ConstraintName,
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite when sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal) => sqlite.Message,
        _ => null,
    };
}
