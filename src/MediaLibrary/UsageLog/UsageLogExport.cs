using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using MediaLibrary.References;
using MediaLibrary.Storage;

namespace MediaLibrary.UsageLog;

/// Reads the log for the export in keyset chunks: the dated entries by (publication date, id),
/// then the undated ones by id. Each chunk is one short query, so a long export holds no
/// transaction or cursor open; each row is handed to the caller on the reader (nothing is
/// materialised), and the caller is told when a chunk has ended (to write it out).
internal sealed class UsageLogExport(Database database, UsageLogFilter filter)
{
    /// Calls `row` for each row after `position` until it answers false or the rows run out.
    public async Task ReadAsync(UsageLogPosition? position, int chunk, Func<DbDataReader, bool> row, Func<Task> chunkDone, CancellationToken ct)
    {
        var stopped = false;
        async Task<(int Count, DateTimeOffset? Date, string? Id)> ChunkAsync(bool dated, DateTimeOffset? afterDate, string? afterId)
        {
            var (sql, parameters) = Query(dated, afterDate, afterId, chunk);
            var (count, lastDate, lastId) = (0, (DateTimeOffset?)null, (string?)null);
            await using (var session = await database.OpenSessionAsync(cancellationToken: ct))
            {
                await session.QueryAsync(sql, r =>
                {
                    if (!stopped)
                    {
                        count++;
                        lastId = r.GetString(1);
                        lastDate = dated ? UsageLogJson.ReadTimestamp(r, 9) : null;
                        stopped = !row(r);
                    }

                    return 0;
                }, ct, parameters);
            }

            await chunkDone();
            return (count, lastDate, lastId);
        }

        var inDated = position is null || position.PublicationDate is not null;
        if (inDated)
        {
            var (date, id) = (position?.PublicationDate, position?.Id);
            while (!stopped)
            {
                var (count, lastDate, lastId) = await ChunkAsync(dated: true, date, id);
                if (count < chunk)
                {
                    break;
                }

                (date, id) = (lastDate, lastId);
            }
        }

        if (!filter.IncludesUndated)
        {
            return;
        }

        var after = inDated ? null : position!.Id;
        while (!stopped)
        {
            var (count, _, lastId) = await ChunkAsync(dated: false, null, after);
            if (count < chunk)
            {
                return;
            }

            after = lastId;
        }
    }

    private (string Sql, (string, object?)[] Parameters) Query(bool dated, DateTimeOffset? afterDate, string? afterId, int chunk)
    {
        var where = new List<string> { dated ? "publication_date IS NOT NULL" : "publication_date IS NULL" };
        var parameters = new List<(string, object?)> { ("limit", chunk) };
        if (dated && filter.From is { } from)
        {
            where.Add("publication_date >= @from");
            parameters.Add(("from", from));
        }

        if (dated && filter.To is { } to)
        {
            where.Add("publication_date < @to");
            parameters.Add(("to", to));
        }

        if (filter.Purpose is { } purpose)
        {
            where.Add("purpose = @purpose");
            parameters.Add(("purpose", purpose));
        }

        if (filter.State is { } state)
        {
            where.Add("state = @state");
            parameters.Add(("state", state));
        }

        switch (filter.Billing)
        {
            case "unresolved":
                where.Add("billing IS NULL");
                break;
            case { } billed:
                where.Add($"billing = {(billed == "true" ? database.Dialect.True : database.Dialect.False)}");
                break;
        }

        if (filter.LicenseProfile is { } profile)
        {
            where.Add("license_profile = @licenseProfile");
            parameters.Add(("licenseProfile", profile));
        }

        if (afterId is not null)
        {
            // A row-value comparison: both databases walk the (publication_date, id) index from there.
            where.Add(dated ? "(publication_date, id) > (@afterDate, @afterId)" : "id > @afterId");
            parameters.Add(("afterId", afterId));
            if (dated)
            {
                parameters.Add(("afterDate", afterDate));
            }
        }

        return ($"SELECT {UsageLogRow.Columns} FROM usage_log WHERE {string.Join(" AND ", where)} ORDER BY {(dated ? "publication_date, id" : "id")} LIMIT @limit",
            [.. parameters]);
    }
}

internal sealed record UsageLogFilter(DateTimeOffset? From, DateTimeOffset? To, string? Purpose, string? State, string? Billing = null, string? LicenseProfile = null)
{
    /// Entries without a publication date come after the dated ones, unless a date range is asked for.
    public bool IncludesUndated => From is null && To is null;
}

/// Where a page ends: in the dated part (publication date, id) or among the undated (id).
internal sealed record UsageLogPosition(DateTimeOffset? PublicationDate, string Id)
{
    private const string List = "usageLog";

    public string Encode() => Cursor.Encode(List, "", PublicationDate is { } d ? $"d{d.UtcTicks}:{Id}" : $"n:{Id}");

    public static UsageLogPosition? Decode(string cursor)
    {
        if (!Cursor.TryDecode(cursor, List, "", out var value))
        {
            return null;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 1)
        {
            return null;
        }

        var id = value[(colon + 1)..];
        if (value[0] == 'n' && colon == 1)
        {
            return new UsageLogPosition(null, id);
        }

        return value[0] == 'd' && long.TryParse(value.AsSpan(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
               ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new UsageLogPosition(new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}
