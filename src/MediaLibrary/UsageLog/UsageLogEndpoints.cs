using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text;
using MediaLibrary.Api;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.References;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.UsageLog;

/// The usage log (SPEC §10, API 2026-05): an entry's log, and (ours) the billing export of all
/// entries' logs by publication date, as JSON pages or one streamed CSV.
internal static class UsageLogEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static VersionedApi MapUsageLog(this VersionedApi api)
    {
        api.Read.MapGet("/mediaLibrary/{id}/usageLog", GetAsync).WithName("GetUsageLog").WithTags("Usage log")
            .WithSummary("From 2026-05: where and when the entry was used, oldest first.");
        api.Read.MapGet("/usageLog", ExportAsync).WithName("ExportUsageLog").WithTags("Usage log")
            .WithSummary("(ours) From 2026-05: every usage-log entry by publication date then id, keyset-paged; `Accept: text/csv` streams all as CSV.");
        return api;
    }

    public static async Task<IResult> GetAsync(string id, ApiVersion apiVersion, Database database, EntryStore entries, CancellationToken ct)
    {
        if (apiVersion < ApiVersion.V2026_05)
        {
            return ApiErrors.RouteNotFound("/api/:apiVersion/mediaLibrary/:id/usageLog");
        }

        if (id.Length > 64 || await entries.GetAsync(id, ct, withReferenceCounts: false) is null)
        {
            return ApiErrors.EntryNotFound(id);
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        await using (var session = await database.OpenSessionAsync(cancellationToken: ct))
        await using (var json = new Utf8JsonWriter(buffer, UsageLogJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            await session.QueryAsync(UsageLogStore.ListSql, r =>
            {
                UsageLogJson.Write(json, r, withMediaId: false, withLicense: apiVersion >= ApiVersion.V2026_07);
                return 0;
            }, ct, ("entryId", id));
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return TypedResults.Bytes(buffer.WrittenMemory, "application/json; charset=utf-8");
    }

    public static async Task ExportAsync(
        HttpContext context, ApiVersion apiVersion, Database database, UsagePurposeCatalog purposes,
        string? from, string? to, string? purpose, string? state, string? after, string? limit, string? billing, string? licenseProfile, CancellationToken ct)
    {
        if (apiVersion < ApiVersion.V2026_05)
        {
            await ApiErrors.RouteNotFound("/api/:apiVersion/usageLog").ExecuteAsync(context);
            return;
        }

        var errors = new Dictionary<string, string>();
        // SPEC §15: the licence columns and filters are 2026-07's.
        var withLicense = apiVersion >= ApiVersion.V2026_07;
        var filter = new UsageLogFilter(
            Bound(from, "from", errors, end: false), Bound(to, "to", errors, end: true), purpose, state,
            withLicense ? billing : null, withLicense ? licenseProfile : null);
        if (filter.Billing is not (null or "true" or "false" or "unresolved"))
        {
            errors["billing"] = $"No enum match for: \"{billing}\" (known: true, false, unresolved)";
        }

        if (filter.LicenseProfile is { Length: 0 or > 200 })
        {
            errors["licenseProfile"] = "must be a licence profile handle";
        }

        if (purpose is not null && purposes.Find(purpose) is null)
        {
            errors["purpose"] = $"No enum match for: \"{purpose}\" (known: {string.Join(", ", purposes.All.Select(p => p.Handle))})";
        }

        if (state is not (null or UsagePurposeCatalog.Pending or UsagePurposeCatalog.Confirmed))
        {
            errors["state"] = $"No enum match for: \"{state}\" (known: pending, confirmed)";
        }

        var count = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            errors["limit"] = $"must be a whole number from 1 to {MaxLimit}";
        }

        UsageLogPosition? position = null;
        if (!string.IsNullOrEmpty(after))
        {
            position = UsageLogPosition.Decode(after);
            if (position is null)
            {
                errors["after"] = "is not a cursor of this list; pass back the cursor of a previous page";
            }
        }

        if (errors.Count > 0)
        {
            await ApiErrors.Validation(errors).ExecuteAsync(context);
            return;
        }

        var reader = new UsageLogExport(database, filter);
        if (WantsCsv(context.Request))
        {
            await WriteCsvAsync(context, reader, position, withLicense, ct);
            return;
        }

        // One page: up to `count` rows written as they are read, plus one more read to know whether another page follows.
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var written = 0;
        UsageLogPosition? last = null;
        var more = false;
        await using (var json = new Utf8JsonWriter(buffer, UsageLogJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            await reader.ReadAsync(position, count + 1, r =>
            {
                if (written == count)
                {
                    more = true;
                    return false;
                }

                UsageLogJson.Write(json, r, withMediaId: true, withLicense);
                written++;
                last = UsageLogJson.Position(r);
                return true;
            }, () => Task.CompletedTask, ct);
            json.WriteEndArray();
            json.WriteString("cursor", more ? last!.Encode() : "");
            json.WriteEndObject();
        }

        await TypedResults.Bytes(buffer.WrittenMemory, "application/json; charset=utf-8").ExecuteAsync(context);
    }

    private static readonly string[] CsvColumns =
        ["id", "mediaId", "purpose", "state", "publicationDate", "reportingDate", "reportedBy", "url", "documentId", "publicationId", "params"];

    private static readonly string[] LicenseCsvColumns = [.. CsvColumns, "billing", "licenseProfile", "costClass", "billingMode"];

    /// Streams every matching row: the rows are read in keyset chunks and written as they come, so
    /// memory stays flat whatever the log's size.
    private static async Task WriteCsvAsync(HttpContext context, UsageLogExport reader, UsageLogPosition? position, bool withLicense, CancellationToken ct)
    {
        var columns = withLicense ? LicenseCsvColumns : CsvColumns;
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"usage-log.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync(string.Join(",", columns) + "\r\n");
        // Each chunk's lines are built from the reader into one reused buffer, then written: no object per row.
        var lines = new StringBuilder(1024 * 1024);
        await reader.ReadAsync(position, 2000, r =>
        {
            for (var i = 0; i < columns.Length; i++)
            {
                Field(lines, CsvValue(r, i));
                lines.Append(i == columns.Length - 1 ? "\r\n" : ",");
            }

            return true;
        }, async () =>
        {
            await writer.WriteAsync(lines, ct);
            await writer.FlushAsync(ct);
            lines.Clear();
        }, ct);
    }

    /// Column `i` of <see cref="LicenseCsvColumns"/> from a row of <see cref="UsageLogRow.Columns"/>.
    private static string CsvValue(System.Data.Common.DbDataReader r, int column) => column switch
    {
        0 => r.GetString(1),
        1 => r.GetString(2),
        2 => r.GetString(3),
        3 => r.GetString(4),
        4 => r.IsDBNull(9) ? "" : AppJson.Format(UsageLogJson.ReadTimestamp(r, 9)),
        5 => AppJson.Format(UsageLogJson.ReadTimestamp(r, 10)),
        6 => r.IsDBNull(11) ? "" : r.GetString(11),
        7 => r.IsDBNull(6) ? "" : r.GetString(6),
        8 => r.IsDBNull(7) ? "" : r.GetInt64(7).ToString(CultureInfo.InvariantCulture),
        9 => r.IsDBNull(8) ? "" : r.GetInt64(8).ToString(CultureInfo.InvariantCulture),
        10 => r.GetString(5),
        11 => UsageLogJson.Billing(r) switch { true => "true", false => "false", null => "" },
        12 => r.IsDBNull(12) ? "" : r.GetString(12),
        13 => UsageLogJson.RuleField(r, "costClass"),
        _ => UsageLogJson.RuleField(r, "billingMode"),
    };

    /// RFC 4180 quoting; a value that a spreadsheet would run as a formula gets a leading `'` (OWASP: CSV injection).
    private static StringBuilder Field(StringBuilder line, string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return line.Append(value);
        }

        return line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept &&
        accept.Where(a => a.MediaType.Value is "text/csv" or "application/json" or "*/*").OrderByDescending(a => a.Quality ?? 1).FirstOrDefault()?.MediaType.Value == "text/csv";

    /// `2026-05-01` (the whole day, UTC: `to` includes it) or an ISO 8601 date-time (`from` included, `to` excluded).
    private static DateTimeOffset? Bound(string? text, string name, Dictionary<string, string> errors, bool end)
    {
        if (text is null)
        {
            return null;
        }

        var at = QueryTime.Parse(text, endOfDay: end);
        if (at is null)
        {
            errors[name] = QueryTime.Expected;
        }

        return at;
    }
}

internal static class UsageLogSetup
{
    public static WebApplicationBuilder AddUsageLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services => UsagePurposeCatalog.Load(services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value));
        builder.Services.AddSingleton(services => LicenseProfileCatalog.Load(services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value));
        return builder;
    }
}
