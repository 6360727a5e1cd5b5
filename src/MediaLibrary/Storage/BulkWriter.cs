using System.Data.Common;
using MediaLibrary.Api;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace MediaLibrary.Storage;

public enum BulkType
{
    Text,
    SmallNumber,
    BigNumber,
    Boolean,
    Json,
    Timestamp,
}

/// Loads many rows fast for seeding: binary COPY on PostgreSQL, one prepared INSERT reused inside
/// a transaction on SQLite. Not for request paths: no per-row validation happens here.
internal static class BulkWriter
{
    public static async Task WriteAsync(DbConnection connection, string table, (string Name, BulkType Type)[] columns, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        if (connection is NpgsqlConnection postgres)
        {
            await using var copy = await postgres.BeginBinaryImportAsync(
                $"COPY {table} ({string.Join(", ", columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var row in rows)
            {
                await copy.StartRowAsync(ct);
                for (var i = 0; i < columns.Length; i++)
                {
                    await WriteValueAsync(copy, row[i], columns[i].Type, ct);
                }
            }

            await copy.CompleteAsync(ct);
            return;
        }

        var sqlite = (SqliteConnection)connection;
        var transaction = sqlite.BeginTransaction();
        var command = sqlite.CreateCommand();
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = columns.Select((_, i) => command.Parameters.Add("$p" + i, SqliteType.Text)).ToArray();
        command.Transaction = transaction;
        command.Prepare();
        var count = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                parameters[i].Value = row[i] switch
                {
                    null => DBNull.Value,
                    DateTimeOffset time => AppJson.Format(time),
                    bool flag => flag ? 1 : 0,
                    var value => value,
                };
            }

            await command.ExecuteNonQueryAsync(ct);
            if (++count % 20_000 == 0)
            {
                await transaction.CommitAsync(ct);
                transaction = sqlite.BeginTransaction();
                command.Transaction = transaction;
            }
        }

        await transaction.CommitAsync(ct);
    }

    private static Task WriteValueAsync(NpgsqlBinaryImporter copy, object? value, BulkType type, CancellationToken ct) => value is null
        ? copy.WriteNullAsync(ct)
        : type switch
        {
            BulkType.Json => copy.WriteAsync((string)value, NpgsqlDbType.Jsonb, ct),
            BulkType.SmallNumber => copy.WriteAsync(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Integer, ct),
            BulkType.BigNumber => copy.WriteAsync(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Bigint, ct),
            BulkType.Boolean => copy.WriteAsync((bool)value, NpgsqlDbType.Boolean, ct),
            BulkType.Timestamp => copy.WriteAsync(((DateTimeOffset)value).UtcDateTime, NpgsqlDbType.TimestampTz, ct),
            _ => copy.WriteAsync((string)value, NpgsqlDbType.Text, ct),
        };
}
