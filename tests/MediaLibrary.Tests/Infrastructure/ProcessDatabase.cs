using Dapper;
using Npgsql;

namespace MediaLibrary.Tests.Infrastructure;

/// A data folder, and on PostgreSQL a database of its own, for tests that run only real API
/// processes (<see cref="ServiceProcess"/>): nothing else reads or writes it. Removed on dispose.
public sealed class ProcessDatabase : IAsyncDisposable
{
    private readonly string? _database;

    private ProcessDatabase(string folder, string? database) => (Folder, _database) = (folder, database);

    public string Folder { get; }

    /// `MediaLibrary:*` settings for processes on this database.
    public Dictionary<string, string?> Settings { get; } = [];

    public static async Task<ProcessDatabase> CreateAsync(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"medialibrary-{name}-").FullName;
        string? database = null;
        if (TestApp.UsePostgres)
        {
            database = $"ml_{name}_{Guid.NewGuid().ToString("N")[..12]}";
            await using var admin = new NpgsqlConnection(TestApp.PostgresAdmin);
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE DATABASE {database}");
        }

        var created = new ProcessDatabase(folder, database);
        created.Settings["MediaLibrary:DataDirectory"] = folder;
        created.Settings["MediaLibrary:Database:GuardReadSessions"] = "true";
        if (database is not null)
        {
            created.Settings["MediaLibrary:Database:Provider"] = "postgres";
            created.Settings["MediaLibrary:Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(TestApp.PostgresAdmin) { Database = database }.ToString();
        }

        return created;
    }

    /// A token with read and write scopes, made by the CLI.
    public async Task<string> TokenAsync() =>
        (await ServiceProcess.RunAsync(Settings, "token", "create", "--name", "test", "--scopes", "public-api:read,public-api:write")).Stdout.Trim();

    /// One value from the database, read beside the processes.
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using System.Data.Common.DbConnection connection = _database is null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Folder, "medialibrary.db")}")
            : new NpgsqlConnection(Settings["MediaLibrary:Database:ConnectionString"]);
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(TestApp.PostgresAdmin);
            await admin.OpenAsync();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }

        Directory.Delete(Folder, recursive: true);
    }
}
