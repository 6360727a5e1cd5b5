using Dapper;
using DbUp;
using DbUp.Engine;
using MediaLibrary.Hosting;
using Npgsql;

namespace MediaLibrary.Storage;

/// Applies the numbered scripts in Storage/Migrations/{Sqlite,Postgres} with DbUp.
public sealed class Migrator(Database database, ILogger<Migrator> logger)
{
    // Any constant: serialises migrations of processes that start together on one database.
    private const long AdvisoryLockKey = 0x4D4C_4D49_4752;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (database.Provider == DatabaseProvider.Sqlite && new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource is { Length: > 0 } file
            && Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var folder = database.Provider == DatabaseProvider.Postgres ? "Postgres" : "Sqlite";
        var prefix = $"MediaLibrary.Storage.Migrations.{folder}.";
        var builder = database.Provider == DatabaseProvider.Postgres
            ? DeployChanges.To.PostgresqlDatabase(database.ConnectionString)
            : DeployChanges.To.SqliteDatabase(database.ConnectionString);
        var upgrader = builder
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();

        await using var connection = await OpenForMigrationAsync(cancellationToken);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        }
        else
        {
            // Persistent, and not allowed inside the scripts' transactions: readers never block the writer.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken));
        }

        try
        {
            var pending = upgrader.GetScriptsToExecute();
            if (pending.Count == 0)
            {
                logger.LogInformation("Database schema is up to date ({Provider})", database.Provider);
                return;
            }

            DatabaseUpgradeResult result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new StartupException(
                    $"Database migration {result.ErrorScript?.Name} failed: {result.Error?.Message}");
            }

            logger.LogInformation("Applied {Count} database migrations ({Provider}): {Scripts}",
                pending.Count, database.Provider, string.Join(", ", pending.Select(s => s.Name[prefix.Length..])));
        }
        finally
        {
            if (database.Provider == DatabaseProvider.Postgres)
            {
                // Not cancellable: the lock must be given back even when start-up is being cancelled.
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
            }
        }
    }

    private async Task<System.Data.Common.DbConnection> OpenForMigrationAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await database.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StartupException($"Cannot open the {database.Provider} database: {e.Message}");
        }
    }
}
