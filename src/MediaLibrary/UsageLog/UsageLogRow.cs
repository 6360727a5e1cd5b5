using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Storage;

namespace MediaLibrary.UsageLog;

/// One usage-log entry as stored.
internal sealed class UsageLogRow
{
    public long Seq { get; set; }
    public string Id { get; set; } = "";
    public string EntryId { get; set; } = "";
    public string Purpose { get; set; } = "";
    public string State { get; set; } = "";
    public string Params { get; set; } = "{}";
    public string? Url { get; set; }
    public long? DocumentId { get; set; }
    public long? PublicationId { get; set; }
    public DateTimeOffset? PublicationDate { get; set; }
    public DateTimeOffset ReportingDate { get; set; }
    public string? ReportedBy { get; set; }

    public const string Columns = "seq, id, entry_id, purpose, state, params, url, document_id, publication_id, publication_date, reporting_date, reported_by";

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, 8);

    /// What `oldValue` is compared with: the fields a client sets.
    public UsageValue Value() => new(State, Purpose, PublicationDate, Url, JsonNode.Parse(Params)!.AsObject());
}

/// Writes usage-log rows straight from the reader into JSON (SPEC §10's shape): no objects per
/// row, the stored params copied as they are. An entry with 10,000 log entries is one query and
/// one buffer.
internal static class UsageLogJson
{
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = AppJson.Options.Encoder, SkipValidation = true };

    /// One row of <see cref="UsageLogRow.Columns"/>.
    public static void Write(Utf8JsonWriter w, System.Data.Common.DbDataReader r, bool withMediaId)
    {
        w.WriteStartObject();
        w.WriteString("id", r.GetString(1));
        if (withMediaId)
        {
            w.WriteString("mediaId", r.GetString(2));
        }

        w.WriteString("purpose", r.GetString(3));
        w.WriteString("state", r.GetString(4));
        w.WritePropertyName("params");
        w.WriteRawValue(r.GetString(5), skipInputValidation: true);
        if (!r.IsDBNull(6))
        {
            w.WriteString("url", r.GetString(6));
        }

        if (!r.IsDBNull(7))
        {
            w.WriteNumber("documentId", r.GetInt64(7));
        }

        if (!r.IsDBNull(8))
        {
            w.WriteNumber("publicationId", r.GetInt64(8));
        }

        if (!r.IsDBNull(9))
        {
            w.WriteString("publicationDate", Timestamp(r, 9));
        }

        w.WriteString("reportingDate", Timestamp(r, 10));
        if (r.IsDBNull(11))
        {
            w.WriteNull("reportedBy");
        }
        else
        {
            w.WriteString("reportedBy", r.GetString(11));
        }

        w.WriteEndObject();
    }

    private static string Timestamp(System.Data.Common.DbDataReader r, int i) => AppJson.Format(ReadTimestamp(r, i));

    // SQLite keeps timestamps as text, PostgreSQL as timestamptz.
    public static DateTimeOffset ReadTimestamp(System.Data.Common.DbDataReader r, int i) =>
        r is Microsoft.Data.Sqlite.SqliteDataReader
            ? DapperSetup.ParseTimestamp(r.GetString(i))
            : new DateTimeOffset(r.GetFieldValue<DateTime>(i), TimeSpan.Zero);

    /// Where a page that ends with this row stops.
    public static UsageLogPosition Position(System.Data.Common.DbDataReader r) =>
        new(r.IsDBNull(9) ? null : ReadTimestamp(r, 9), r.GetString(1));
}

/// The fields of a usage-log entry a client sets (and compares with `oldValue`).
internal sealed record UsageValue(string State, string Purpose, DateTimeOffset? PublicationDate, string? Url, JsonObject Params)
{
    public bool SameAs(UsageValue other) =>
        State == other.State && Purpose == other.Purpose && PublicationDate == other.PublicationDate && Url == other.Url &&
        JsonNode.DeepEquals(Params, other.Params);

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["state"] = State, ["purpose"] = Purpose };
        if (PublicationDate is { } date)
        {
            json["publicationDate"] = AppJson.Format(date);
        }

        if (Url is not null)
        {
            json["url"] = Url;
        }

        json["params"] = Params.DeepClone();
        return json;
    }
}

/// Reads and writes the usage log inside the caller's session (the PATCH's or the publish's transaction).
internal static class UsageLogStore
{
    public const string ListSql = $"SELECT {UsageLogRow.Columns} FROM usage_log WHERE entry_id = @entryId ORDER BY seq";

    /// The entry's log entries with these ids (none when `ids` is empty).
    public static async Task<List<UsageLogRow>> FindAsync(DbSession session, string entryId, string[] ids, CancellationToken ct) =>
        ids.Length == 0
            ? []
            : await session.QueryAsync<UsageLogRow>(
                $"SELECT {UsageLogRow.Columns} FROM usage_log WHERE entry_id = @entryId AND {(session.IsPostgres ? "id = ANY(@ids)" : "id IN (SELECT value FROM json_each(@ids))")}",
                ct, ("entryId", entryId), ("ids", ids));

    private const string Insert =
        """
        INSERT INTO usage_log (id, entry_id, purpose, state, params, url, document_id, publication_id, publication_date, reporting_date, reported_by)
        VALUES (@id, @entryId, @purpose, @state, @params, @url, @documentId, @publicationId, @publicationDate, @reportingDate, @reportedBy)
        """;

    /// 1 when inserted; with `ignoreDuplicate`, 0 when the entry already has one for this document and purpose.
    public static Task<int> InsertAsync(DbSession session, UsageLogRow row, bool ignoreDuplicate, CancellationToken ct) =>
        session.ExecuteAsync(ignoreDuplicate ? Insert + " ON CONFLICT DO NOTHING" : Insert, ct, ("id", row.Id), ("entryId", row.EntryId), ("purpose", row.Purpose), ("state", row.State), ("params", row.Params),
            ("url", row.Url), ("documentId", row.DocumentId), ("publicationId", row.PublicationId), ("publicationDate", row.PublicationDate),
            ("reportingDate", row.ReportingDate), ("reportedBy", row.ReportedBy));

    /// The use a publication makes of an entry: recorded once per (entry, document, purpose), for
    /// entries that exist; the entry's version goes up with it. The new version and the entry's
    /// media type, or null when nothing was recorded (unknown entry, or recorded before).
    public static async Task<(int Version, string MediaType)?> RecordPublicationAsync(DbSession session, UsageLogRow row, CancellationToken ct)
    {
        var inserted = await session.ExecuteAsync(
            """
            INSERT INTO usage_log (id, entry_id, purpose, state, params, url, document_id, publication_id, publication_date, reporting_date, reported_by)
            SELECT @id, @entryId, @purpose, @state, @params, NULL, @documentId, @publicationId, @publicationDate, @reportingDate, @reportedBy
            WHERE EXISTS (SELECT 1 FROM media_entries WHERE id = @entryId)
            ON CONFLICT DO NOTHING
            """, ct, ("id", row.Id), ("entryId", row.EntryId), ("purpose", row.Purpose), ("state", row.State), ("params", row.Params),
            ("documentId", row.DocumentId), ("publicationId", row.PublicationId), ("publicationDate", row.PublicationDate),
            ("reportingDate", row.ReportingDate), ("reportedBy", row.ReportedBy));
        if (inserted == 0)
        {
            return null;
        }

        var bumped = await session.QueryAsync<(int, string)>(
            "UPDATE media_entries SET version = version + 1, updated_at = @now WHERE id = @entryId RETURNING version, media_type",
            r => (Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.GetString(1)), ct,
            ("now", row.ReportingDate), ("entryId", row.EntryId));
        return bumped[0];
    }

    public static Task<int> UpdateAsync(DbSession session, UsageLogRow row, CancellationToken ct) =>
        session.ExecuteAsync(
            "UPDATE usage_log SET purpose = @purpose, state = @state, params = @params, url = @url, publication_date = @publicationDate WHERE id = @id",
            ct, ("purpose", row.Purpose), ("state", row.State), ("params", row.Params), ("url", row.Url), ("publicationDate", row.PublicationDate), ("id", row.Id));

    public static Task<int> DeleteAsync(DbSession session, string id, CancellationToken ct) =>
        session.ExecuteAsync("DELETE FROM usage_log WHERE id = @id", ct, ("id", id));
}
