using Dapper;
using MediaLibrary.Storage;

namespace MediaLibrary.Entries;

/// Reads and writes media_entries with plain SQL.
internal sealed class EntryStore(Database database)
{
    public async Task<EntryRow?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryRow.Columns} FROM media_entries WHERE id = @id", new { id }, cancellationToken: ct));
    }
}
