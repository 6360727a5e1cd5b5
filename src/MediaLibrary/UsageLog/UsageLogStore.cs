using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Storage;

namespace MediaLibrary.UsageLog;

/// Reads and writes the usage log inside the caller's session (the PATCH's or the publish's transaction).
internal static class UsageLogStore
{
    public const string ListSql = $"SELECT {UsageLogRow.Columns} FROM usage_log WHERE entry_id = @entryId ORDER BY seq";

    /// The entry's log entries with these ids (none when `ids` is empty).
    public static async Task<List<UsageLogRow>> FindAsync(DbSession session, string entryId, string[] ids, CancellationToken ct) =>
        ids.Length == 0
            ? []
            : await session.QueryAsync<UsageLogRow>(
                $"SELECT {UsageLogRow.Columns} FROM usage_log WHERE entry_id = @entryId AND {session.Dialect.InList("id", "@ids")}",
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
            INSERT INTO usage_log (id, entry_id, purpose, state, params, url, document_id, publication_id, publication_date, reporting_date, reported_by,
                                   license_profile, license_rule, billing)
            SELECT @id, @entryId, @purpose, @state, @params, NULL, @documentId, @publicationId, @publicationDate, @reportingDate, @reportedBy,
                   @licenseProfile, @licenseRule, CAST(@billing AS BOOLEAN)
            WHERE EXISTS (SELECT 1 FROM media_entries WHERE id = @entryId)
            ON CONFLICT DO NOTHING
            """, ct, ("id", row.Id), ("entryId", row.EntryId), ("purpose", row.Purpose), ("state", row.State), ("params", row.Params),
            ("documentId", row.DocumentId), ("publicationId", row.PublicationId), ("publicationDate", row.PublicationDate),
            ("reportingDate", row.ReportingDate), ("reportedBy", row.ReportedBy),
            ("licenseProfile", row.LicenseProfile), ("licenseRule", row.LicenseRule), ("billing", row.Billing));
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
