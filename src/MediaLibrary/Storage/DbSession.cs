using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using MediaLibrary.Api;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MediaLibrary.Storage;

/// The one way entries, references, documents and events run SQL: statements with `(name, value)` parameters, rows read
/// by a reader function (or Dapper's row parser for small types), in autocommit or in a write
/// transaction (<see cref="Database.OpenWriteAsync"/>).
///
/// Statements stay prepared from one request to the next where that pays (GET entry, lists, key
/// lookups, reference pages, the single-statement PATCH). Microsoft.Data.Sqlite
/// parses and plans the SQL of every new command again (28 % of a GET's CPU went there), so on
/// SQLite a session is an open connection from <see cref="SqliteSessionPool"/> that keeps its
/// prepared commands by SQL text (a fixed set: every statement here is a constant with parameters). On PostgreSQL it is a pooled Npgsql connection and each statement is prepared
/// explicitly: the server keeps it with the physical connection, and Npgsql finds it there again
/// on the next use without a round trip (see <see cref="Database"/> on why not auto-preparation).
public sealed class DbSession : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly Dictionary<string, PreparedCommand>? _prepared;
    private readonly SqliteSessionPool? _pool;
    private readonly bool _preparePostgres;
    private readonly Database _database;
    private DbTransaction? _transaction;

    /// SQLite: the writer's group this session's write transaction is a savepoint of (see <see cref="SqliteSessionPool.WriteGroup"/>).
    private SqliteSessionPool.WriteGroup? _group;
    private bool _broken;
    private bool _writer;
    private bool _isTurn;
    private bool _readOnly;
    private bool _eventsPending;

    /// In a write transaction: statements are undone with it, not one by one.
    private bool InTransaction => _transaction is not null || _group is not null;

    /// One turn on the pool's writing connection (see <see cref="SqliteSessionPool.RentWriterAsync"/>):
    /// the connection and its prepared statements, with state of its own, so a caller done with
    /// its turn cannot touch the next caller's. Disposing it (or committing) ends the turn.
    internal DbSession Turn() => new(_connection, _prepared!, _pool!, _database) { _writer = true, _isTurn = true };

    private DbSession(DbConnection connection, Dictionary<string, PreparedCommand> prepared, SqliteSessionPool pool, Database database)
    {
        _connection = connection;
        _prepared = prepared;
        _pool = pool;
        _database = database;
    }

    internal DbSession(NpgsqlConnection connection, bool prepare, Database database)
    {
        _connection = connection;
        _preparePostgres = prepare;
        _database = database;
    }

    internal DbSession(SqliteConnection connection, SqliteSessionPool pool, Database database)
    {
        _connection = connection;
        _prepared = new Dictionary<string, PreparedCommand>(StringComparer.Ordinal);
        _pool = pool;
        _database = database;
    }

    /// The SQL this session's provider speaks where providers differ.
    public Dialect Dialect => _database.Dialect;

    /// A session handed out for reading. With <see cref="DatabaseOptions.GuardReadSessions"/> (Debug
    /// builds and the tests) it refuses INSERT, UPDATE and DELETE: on SQLite a write outside the
    /// writer's turn meets the busy handler instead of the queue (see <see cref="SqliteSessionPool.RentWriterAsync"/>).
    internal DbSession ForReading(bool guard)
    {
        _readOnly = guard;
        return this;
    }

    /// The caller appended events (<see cref="Events.EventLog"/>): once they are committed, this
    /// process's sequencer hears of it. In autocommit the statement has committed already.
    public void EventsAppended()
    {
        if (!InTransaction)
        {
            _database.SignalEventsCommitted();
            return;
        }

        _eventsPending = true;
    }

    /// Starts the write transaction: BEGIN IMMEDIATE on SQLite (the write lock at once, so two
    /// read-then-write transactions queue instead of failing on lock upgrade). Disposing the
    /// session without <see cref="CommitAsync"/> rolls it back.
    internal async Task BeginWriteAsync(CancellationToken ct)
    {
        if (_pool is not null)
        {
            _group = _pool.JoinGroup(this);
            return;
        }

        _transaction = await _connection.BeginTransactionAsync(ct);
    }

    /// Commits the write transaction. On SQLite it returns once the group it joined has committed
    /// (see <see cref="SqliteSessionPool.WriteGroup"/>); the writer's turn has ended then.
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_group is { } group)
        {
            _group = null;
            _writer = false;
            var events = _eventsPending;
            _eventsPending = false;
            // Not cancelled by the caller: the write is the group's now, and commits with it.
            await _pool!.LeaveGroup(this, group, keep: true, events);
            return;
        }

        await _transaction!.CommitAsync(ct);
        await _transaction.DisposeAsync();
        _transaction = null;
        if (_eventsPending)
        {
            _eventsPending = false;
            _database.SignalEventsCommitted();
        }
    }

    /// Runs `work` inside a savepoint: when it throws, only its statements are undone and the
    /// transaction goes on (document imports keep the other items of a request).
    public async Task<T> SavepointAsync<T>(string name, Func<Task<T>> work, CancellationToken ct)
    {
        if (_group is not null)
        {
            ExecuteRaw($"SAVEPOINT {name}");
            try
            {
                var result = await work();
                ExecuteRaw($"RELEASE {name}");
                return result;
            }
            catch
            {
                ExecuteRaw($"ROLLBACK TO {name}; RELEASE {name}");
                throw;
            }
        }

        await _transaction!.SaveAsync(name, ct);
        try
        {
            var result = await work();
            await _transaction.ReleaseAsync(name, ct);
            return result;
        }
        catch
        {
            await _transaction.RollbackAsync(name, ct);
            throw;
        }
    }

    /// Rows of one statement, mapped by Dapper's row parser (names with underscores match properties).
    public Task<List<T>> QueryAsync<T>(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        QueryAsync<T>(sql, null, ct, parameters);

    /// Rows of one statement, each read by `read` (the hot rows: typed getters by position).
    public Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T>? read, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, async command =>
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            if (!reader.HasRows)
            {
                return rows;
            }

            read ??= Scalar<T>.Type is { } scalar
                ? r => r.IsDBNull(0) ? default! : (T)Convert.ChangeType(r.GetValue(0), scalar, CultureInfo.InvariantCulture)
                : Parser<T>(reader.GetRowParser(typeof(T)));
            while (await reader.ReadAsync(ct))
            {
                rows.Add(read(reader));
            }

            return rows;
        }, ct);

    /// One statement that returns no rows (autocommit: atomic by itself); the rows it changed.
    public Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => command.ExecuteNonQueryAsync(ct), ct);

    private async Task<TResult> RunAsync<TResult>(
        string sql, (string Name, object? Value)[] parameters, Func<DbCommand, Task<TResult>> run, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_readOnly && WriteStatements.IsWrite(sql))
        {
            throw new InvalidOperationException(
                "A read session was given a write statement; writes go through Database.OpenWriteAsync or OpenAutocommitWriteAsync: " + sql);
        }

        var command = Command(sql, parameters);
        try
        {
            if (_prepared is null && _preparePostgres)
            {
                await command.PrepareAsync(ct);
            }

            return await run(command);
        }
        catch when (!InTransaction)
        {
            // A session that failed mid-statement is closed, not returned to the pool (in a
            // transaction the caller decides: a savepoint may undo the failure).
            _broken = true;
            throw;
        }
        finally
        {
            if (_prepared is null)
            {
                await command.DisposeAsync();
            }
        }
    }

    private static Func<DbDataReader, T> Parser<T>(Func<DbDataReader, object> parse) => r => (T)parse(r);

    /// Rows of one column (string, long, int?): converted here, as providers differ in integer widths.
    private static class Scalar<T>
    {
        public static readonly Type? Type = Nullable.GetUnderlyingType(typeof(T)) ?? (typeof(T).IsPrimitive || typeof(T) == typeof(string) ? typeof(T) : null);
    }

    public async Task<T?> QueryFirstOrDefaultAsync<T>(string sql, Func<DbDataReader, T>? read, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        var rows = await QueryAsync(sql, read, ct, parameters);
        return rows.Count > 0 ? rows[0] : default;
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        if (_prepared is null)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = _transaction;
            var onSqlite = _connection is SqliteConnection;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = onSqlite ? SqliteValue(value) : value switch
                {
                    null => DBNull.Value,
                    DateTimeOffset at => at.ToUniversalTime(),
                    DateTimeOffset?[] list => list.Select(at => at?.ToUniversalTime()).ToArray(),
                    _ => value,
                };
                command.Parameters.Add(parameter);
            }

            return command;
        }

        if (!_prepared.TryGetValue(sql, out var prepared))
        {
            var created = (SqliteCommand)_connection.CreateCommand();
            created.CommandText = sql;
            created.Prepare();
            prepared = new PreparedCommand(created);
            _prepared[sql] = prepared;
        }

        var sqlite = prepared.Command;
        sqlite.Transaction = (SqliteTransaction?)_transaction;
        prepared.Bind(parameters);
        return sqlite;
    }

    /// Lists travel as one JSON array (read with json_each), so a statement for 3 ids and for 100 is the same statement.
    internal static object SqliteValue(object? value) => value switch
    {
        null => DBNull.Value,
        string?[] list => JsonSerializer.Serialize(list),
        long[] list => JsonSerializer.Serialize(list),
        long?[] list => JsonSerializer.Serialize(list),
        int[] list => JsonSerializer.Serialize(list),
        bool[] list => JsonSerializer.Serialize(list.Select(b => b ? 1 : 0)),
        DateTimeOffset?[] list => JsonSerializer.Serialize(list.Select(at => at is { } value ? AppJson.Format(value) : null)),
        DateTimeOffset at => AppJson.Format(at),
        bool b => b ? 1L : 0L,
        _ => value,
    };

    /// One SQLite statement without parameters, unprepared (transaction control).
    internal void ExecuteRaw(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _eventsPending = false;
        if (_group is { } group)
        {
            // Not committed: its statements are undone; the others of the group keep theirs.
            _group = null;
            _writer = false;
            _ = _pool!.LeaveGroup(this, group, keep: false, eventsPending: false).ContinueWith(
                static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return;
        }

        if (_transaction is not null)
        {
            try
            {
                await _transaction.DisposeAsync();
            }
            catch (DbException)
            {
                _broken = true;
            }

            _transaction = null;
        }

        if (_writer)
        {
            _writer = false;
            _pool!.ReturnWriter(_broken);
            return;
        }

        if (_isTurn)
        {
            // Its turn ended when it committed: the connection stays the writer's.
            return;
        }

        if (_pool is null)
        {
            await _connection.DisposeAsync();
            return;
        }

        if (_broken)
        {
            Close();
            return;
        }

        _pool.Return(this);
    }

    internal void Close()
    {
        foreach (var prepared in _prepared!.Values)
        {
            prepared.Dispose();
        }

        _connection.Dispose();
    }
}
